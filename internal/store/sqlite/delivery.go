package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// FanOut stores an outbox item's deliveries and marks the item done, together.
func (db *DB) FanOut(ctx context.Context, outboxID int64, ds []store.Delivery, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET done_at = ? WHERE id = ? AND done_at IS NULL`, ms(at), outboxID)
		if err != nil {
			return fmt.Errorf("mark outbox item: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "outbox item %d is already done, or does not exist", outboxID)
		}
		for _, d := range ds {
			if err := insertDelivery(ctx, tx, outboxID, d); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertDelivery(ctx context.Context, tx *sql.Tx, outboxID int64, d store.Delivery) error {
	webhook := sql.NullInt64{Int64: d.WebhookID, Valid: d.WebhookID != 0}
	_, err := tx.ExecContext(ctx, `INSERT INTO deliveries (outbox_id, account_id, import_id, milestone, channel, webhook_id,
		target, idempotency_id, payload, status, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
		outboxID, d.AccountID, d.ImportID, d.Milestone, d.Channel, webhook, d.Target, d.IdempotencyID, d.Payload,
		ms(d.NextAttemptAt), ms(d.CreatedAt))
	if isUnique(err) {
		return errs.E(errs.Conflict, "outbox item %d already has a %s delivery (or the idempotency id is taken)", outboxID, d.Channel)
	}
	if err != nil {
		return fmt.Errorf("insert %s delivery: %w", d.Channel, err)
	}
	return nil
}

// claimDeliveriesQuery finds due deliveries that are the oldest pending one of their
// (channel, target): one target's notifications go out in order.
const claimDeliveriesQuery = `SELECT ` + sqlrow.DeliveryCols + ` FROM deliveries d
	WHERE d.status = 'pending' AND d.next_attempt_at <= ?
	AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.status = 'pending' AND o.channel = d.channel
		AND o.target = d.target AND o.id < d.id)
	ORDER BY d.next_attempt_at, d.id LIMIT ?`

// ClaimDeliveries takes due pending deliveries and pushes their next attempt to until.
func (db *DB) ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]store.Delivery, error) {
	// The notifier asks every poll; most of the time nothing is due, and a
	// read answers that without queueing for the one writer.
	var due int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM deliveries
		WHERE status = 'pending' AND next_attempt_at <= ? LIMIT 1)`, ms(now)).Scan(&due)
	if err != nil {
		return nil, fmt.Errorf("look for due deliveries: %w", err)
	}
	if due == 0 {
		return []store.Delivery{}, nil
	}
	var out []store.Delivery
	err = db.write(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = sqlrow.ScanDeliveries(tx.QueryContext(ctx, claimDeliveriesQuery, ms(now), limit))
		if err != nil {
			return err
		}
		for i := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = ? WHERE id = ?`, ms(until), out[i].ID); err != nil {
				return fmt.Errorf("claim delivery: %w", err)
			}
			out[i].NextAttemptAt = until.UTC().Truncate(time.Millisecond)
		}
		return nil
	})
	return out, err
}

// RecordAttempt logs one attempt and applies its outcome to the delivery.
func (db *DB) RecordAttempt(ctx context.Context, a store.DeliveryAttempt, status store.DeliveryStatus, next time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var cur store.DeliveryStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM deliveries WHERE id = ?`, a.DeliveryID).Scan(&cur)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no delivery %d (its webhook was deleted?)", a.DeliveryID)
		}
		if err != nil {
			return fmt.Errorf("read delivery: %w", err)
		}
		if cur != store.DeliveryPending {
			return errs.E(errs.Conflict, "delivery %d is %s, not pending", a.DeliveryID, cur)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO delivery_attempts (delivery_id, at, status_code, error, duration_ms)
			VALUES (?, ?, ?, ?, ?)`, a.DeliveryID, ms(a.At), a.StatusCode, a.Error, a.Duration.Milliseconds())
		if err != nil {
			return fmt.Errorf("log attempt: %w", err)
		}
		var delivered sql.NullInt64
		if status == store.DeliveryDelivered {
			delivered = sql.NullInt64{Int64: ms(a.At.Add(a.Duration)), Valid: true}
		}
		_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = ?,
			last_error = ?, delivered_at = ? WHERE id = ?`, status, ms(next), a.Error, delivered, a.DeliveryID)
		if err != nil {
			return fmt.Errorf("update delivery: %w", err)
		}
		return nil
	})
}

// RescheduleDelivery makes a pending delivery due at the given time.
func (db *DB) RescheduleDelivery(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = ? WHERE id = ? AND status = 'pending'`, ms(at), id)
		if err != nil {
			return fmt.Errorf("reschedule delivery: %w", err)
		}
		return nil
	})
}

// WebhookDeliveries lists a webhook's deliveries, newest first, with their attempts.
func (db *DB) WebhookDeliveries(ctx context.Context, accountID string, webhookID int64, p store.Page) ([]store.Delivery, error) {
	if _, err := webhookTx(ctx, db.r, accountID, webhookID); err != nil {
		return nil, err
	}
	p = p.Norm()
	before := p.Before
	if before == 0 {
		before = 1<<63 - 1
	}
	ds, err := sqlrow.ScanDeliveries(db.r.QueryContext(ctx, `SELECT `+sqlrow.DeliveryCols+` FROM deliveries
		WHERE webhook_id = ? AND account_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, webhookID, accountID, before, p.Limit))
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	return ds, db.attachAttempts(ctx, ds)
}

// ImportDeliveries lists an import's deliveries, oldest first, with their attempts.
func (db *DB) ImportDeliveries(ctx context.Context, accountID string, importID int64) ([]store.Delivery, error) {
	if _, err := db.Import(ctx, accountID, importID); err != nil {
		return nil, err
	}
	ds, err := sqlrow.ScanDeliveries(db.r.QueryContext(ctx, `SELECT `+sqlrow.DeliveryCols+` FROM deliveries
		WHERE import_id = ? AND account_id = ? ORDER BY id`, importID, accountID))
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	return ds, db.attachAttempts(ctx, ds)
}

// attachAttempts fills each delivery's attempt log with one query.
func (db *DB) attachAttempts(ctx context.Context, ds []store.Delivery) error {
	at := make(map[int64]*store.Delivery, len(ds))
	args := make([]any, len(ds))
	for i := range ds {
		at[ds[i].ID], args[i] = &ds[i], ds[i].ID
		ds[i].AttemptLog = []store.DeliveryAttempt{}
	}
	rows, err := db.r.QueryContext(ctx, `SELECT id, delivery_id, at, status_code, error, duration_ms FROM delivery_attempts
		WHERE delivery_id IN (?`+strings.Repeat(", ?", len(ds)-1)+`) ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("list attempts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a store.DeliveryAttempt
		var when, dur int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, &when, &a.StatusCode, &a.Error, &dur); err != nil {
			return fmt.Errorf("scan attempt: %w", err)
		}
		a.At, a.Duration = fromMS(when), time.Duration(dur)*time.Millisecond
		d := at[a.DeliveryID]
		d.AttemptLog = append(d.AttemptLog, a)
	}
	return rows.Err()
}

// PendingDeliveries counts pending deliveries by channel.
func (db *DB) PendingDeliveries(ctx context.Context) (map[store.Channel]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT channel, COUNT(*) FROM deliveries WHERE status = 'pending' GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("count pending deliveries: %w", err)
	}
	defer rows.Close()
	out := map[store.Channel]int{}
	for rows.Next() {
		var c store.Channel
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, fmt.Errorf("scan count: %w", err)
		}
		out[c] = n
	}
	return out, rows.Err()
}
