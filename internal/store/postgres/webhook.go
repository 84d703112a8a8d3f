package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// CreateWebhook stores a webhook, enforcing the per-account maximum. The
// account row is locked so that nodes adding webhooks at once count right.
func (db *DB) CreateWebhook(ctx context.Context, w store.Webhook, max int) (store.Webhook, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := lockAccount(ctx, tx, w.AccountID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhooks WHERE account_id = $1`, w.AccountID).Scan(&n); err != nil {
			return fmt.Errorf("count webhooks: %w", err)
		}
		if n >= max {
			return errs.E(errs.TooLarge, "this account already has %d webhooks, the most allowed; delete one to add another", n)
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO webhooks (account_id, url, secret, created_at) VALUES ($1, $2, $3, $4)
			RETURNING id`, w.AccountID, w.URL, w.Secret, ms(w.CreatedAt)).Scan(&w.ID)
		if err != nil {
			return fmt.Errorf("insert webhook: %w", err)
		}
		return nil
	})
	return w, err
}

// lockAccount locks an account's row for the transaction (FOR NO KEY
// UPDATE: inserts that reference the account still go ahead), so that
// per-account limits hold across nodes; errs.NotFound if there is none.
func lockAccount(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, "no account %q", id)
	}
	if err != nil {
		return fmt.Errorf("lock account %s: %w", id, err)
	}
	return nil
}

func webhookTx(ctx context.Context, q querier, accountID string, id int64) (store.Webhook, error) {
	w, err := sqlrow.ScanWebhook(q.QueryRowContext(ctx, `SELECT `+sqlrow.WebhookCols+` FROM webhooks w WHERE w.id = $1 AND w.account_id = $2`,
		id, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return w, errs.E(errs.NotFound, "no webhook %d in this account", id)
	}
	if err != nil {
		return w, fmt.Errorf("read webhook: %w", err)
	}
	return w, nil
}

// Webhook reads one of an account's webhooks.
func (db *DB) Webhook(ctx context.Context, accountID string, id int64) (store.Webhook, error) {
	return webhookTx(ctx, db.db, accountID, id)
}

// ListWebhooks lists an account's webhooks, oldest first.
func (db *DB) ListWebhooks(ctx context.Context, accountID string) ([]store.Webhook, error) {
	return sqlrow.ScanWebhooks(db.db.QueryContext(ctx, `SELECT `+sqlrow.WebhookCols+` FROM webhooks w WHERE w.account_id = $1 ORDER BY w.id`, accountID))
}

// DeleteWebhook removes a webhook; the foreign keys take its deliveries,
// their attempts and the account's choice of it along.
func (db *DB) DeleteWebhook(ctx context.Context, accountID string, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = $1 AND account_id = $2`, id, accountID)
		if err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if affected(res) == 0 {
			return errs.E(errs.NotFound, "no webhook %d in this account", id)
		}
		return nil
	})
}

// SetNotificationWebhook chooses (or, with 0, clears) the account's import webhook.
func (db *DB) SetNotificationWebhook(ctx context.Context, accountID string, webhookID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM notification_webhooks WHERE account_id = $1`, accountID); err != nil {
			return fmt.Errorf("clear notification webhook: %w", err)
		}
		if webhookID == 0 {
			return nil
		}
		if _, err := webhookTx(ctx, tx, accountID, webhookID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO notification_webhooks (account_id, webhook_id) VALUES ($1, $2)
			ON CONFLICT (account_id) DO UPDATE SET webhook_id = EXCLUDED.webhook_id`, accountID, webhookID)
		if err != nil {
			return fmt.Errorf("set notification webhook: %w", err)
		}
		return nil
	})
}

// NotificationWebhook reads the webhook chosen for the account's import notifications.
func (db *DB) NotificationWebhook(ctx context.Context, accountID string) (store.Webhook, error) {
	w, err := sqlrow.ScanWebhook(db.db.QueryRowContext(ctx, `SELECT `+sqlrow.WebhookCols+` FROM notification_webhooks n
		JOIN webhooks w ON w.id = n.webhook_id WHERE n.account_id = $1`, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return w, errs.E(errs.NotFound, "no webhook receives this account's import notifications")
	}
	if err != nil {
		return w, fmt.Errorf("read notification webhook: %w", err)
	}
	return w, nil
}
