package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// CreateWebhook stores a webhook, enforcing the per-account maximum.
func (db *DB) CreateWebhook(ctx context.Context, w store.Webhook, max int) (store.Webhook, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, w.AccountID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM webhooks WHERE account_id = ?`, w.AccountID).Scan(&n); err != nil {
			return fmt.Errorf("count webhooks: %w", err)
		}
		if n >= max {
			return errs.E(errs.TooLarge, "this account already has %d webhooks, the most allowed; delete one to add another", n)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO webhooks (account_id, url, secret, created_at) VALUES (?, ?, ?, ?)`,
			w.AccountID, w.URL, w.Secret, ms(w.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert webhook: %w", err)
		}
		w.ID, err = res.LastInsertId()
		return err
	})
	return w, err
}

func webhookTx(ctx context.Context, q querier, accountID string, id int64) (store.Webhook, error) {
	w, err := sqlrow.ScanWebhook(q.QueryRowContext(ctx, `SELECT `+sqlrow.WebhookCols+` FROM webhooks w WHERE w.id = ? AND w.account_id = ?`,
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
	return webhookTx(ctx, db.r, accountID, id)
}

// ListWebhooks lists an account's webhooks, oldest first.
func (db *DB) ListWebhooks(ctx context.Context, accountID string) ([]store.Webhook, error) {
	return sqlrow.ScanWebhooks(db.r.QueryContext(ctx, `SELECT `+sqlrow.WebhookCols+` FROM webhooks w WHERE w.account_id = ? ORDER BY w.id`, accountID))
}

// DeleteWebhook removes a webhook; the foreign keys take its deliveries,
// their attempts and the account's choice of it along.
func (db *DB) DeleteWebhook(ctx context.Context, accountID string, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhooks WHERE id = ? AND account_id = ?`, id, accountID)
		if err != nil {
			return fmt.Errorf("delete webhook: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "no webhook %d in this account", id)
		}
		return nil
	})
}

// SetNotificationWebhook chooses (or, with 0, clears) the account's import webhook.
func (db *DB) SetNotificationWebhook(ctx context.Context, accountID string, webhookID int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM notification_webhooks WHERE account_id = ?`, accountID); err != nil {
			return fmt.Errorf("clear notification webhook: %w", err)
		}
		if webhookID == 0 {
			return nil
		}
		if _, err := webhookTx(ctx, tx, accountID, webhookID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO notification_webhooks (account_id, webhook_id) VALUES (?, ?)`, accountID, webhookID)
		if err != nil {
			return fmt.Errorf("set notification webhook: %w", err)
		}
		return nil
	})
}

// NotificationWebhook reads the webhook chosen for the account's import notifications.
func (db *DB) NotificationWebhook(ctx context.Context, accountID string) (store.Webhook, error) {
	w, err := sqlrow.ScanWebhook(db.r.QueryRowContext(ctx, `SELECT `+sqlrow.WebhookCols+` FROM notification_webhooks n
		JOIN webhooks w ON w.id = n.webhook_id WHERE n.account_id = ?`, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return w, errs.E(errs.NotFound, "no webhook receives this account's import notifications")
	}
	if err != nil {
		return w, fmt.Errorf("read notification webhook: %w", err)
	}
	return w, nil
}
