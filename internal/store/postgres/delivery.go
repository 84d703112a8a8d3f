package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// FanOut stores an outbox item's deliveries and marks the item done, together.
// The outbox row's update is the claim: a second node fanning the same item
// out waits for the first, then finds it done.
func (db *DB) FanOut(ctx context.Context, outboxID int64, ds []store.Delivery, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET done_at = $1 WHERE id = $2 AND done_at IS NULL`, ms(at), outboxID)
		if err != nil {
			return fmt.Errorf("mark outbox item: %w", err)
		}
		if affected(res) == 0 {
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
		target, idempotency_id, payload, status, next_attempt_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11)`,
		outboxID, d.AccountID, d.ImportID, d.Milestone, d.Channel, webhook, d.Target, d.IdempotencyID, nonNil(d.Payload),
		ms(d.NextAttemptAt), ms(d.CreatedAt))
	if isUnique(err) {
		return errs.E(errs.Conflict, "outbox item %d already has a %s delivery (or the idempotency id is taken)", outboxID, d.Channel)
	}
	if err != nil {
		return fmt.Errorf("insert %s delivery: %w", d.Channel, err)
	}
	return nil
}

// claimDeliveriesQuery takes due deliveries that are the oldest pending one
// of their (channel, target), so one target's notifications go out in
// order; SKIP LOCKED lets notifiers on several nodes claim side by side.
// A row another node is claiming is skipped, and the younger deliveries of
// its target are not eligible while it is pending.
const claimDeliveriesQuery = `SELECT ` + sqlrow.DeliveryCols + ` FROM deliveries d
	WHERE d.status = 'pending' AND d.next_attempt_at <= $1
	AND NOT EXISTS (SELECT 1 FROM deliveries o WHERE o.status = 'pending' AND o.channel = d.channel
		AND o.target = d.target AND o.id < d.id)
	ORDER BY d.next_attempt_at, d.id LIMIT $2 FOR UPDATE SKIP LOCKED`

// ClaimDeliveries takes due pending deliveries and pushes their next attempt to until.
func (db *DB) ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]store.Delivery, error) {
	var out []store.Delivery
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		if out, err = sqlrow.ScanDeliveries(tx.QueryContext(ctx, claimDeliveriesQuery, ms(now), limit)); err != nil || len(out) == 0 {
			return err
		}
		ids := make([]int64, len(out))
		for i := range out {
			ids[i] = out[i].ID
			out[i].NextAttemptAt = until.UTC().Truncate(time.Millisecond)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = $1 WHERE id = ANY($2)`, ms(until), ids); err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		return nil
	})
	return out, err
}

// RecordAttempt logs one attempt and applies its outcome to the delivery.
func (db *DB) RecordAttempt(ctx context.Context, a store.DeliveryAttempt, status store.DeliveryStatus, next time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		var cur store.DeliveryStatus
		err := tx.QueryRowContext(ctx, `SELECT status FROM deliveries WHERE id = $1 FOR UPDATE`, a.DeliveryID).Scan(&cur)
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
			VALUES ($1, $2, $3, $4, $5)`, a.DeliveryID, ms(a.At), a.StatusCode, a.Error, a.Duration.Milliseconds())
		if err != nil {
			return fmt.Errorf("log attempt: %w", err)
		}
		var delivered sql.NullInt64
		if status == store.DeliveryDelivered {
			delivered = sql.NullInt64{Int64: ms(a.At.Add(a.Duration)), Valid: true}
		}
		_, err = tx.ExecContext(ctx, `UPDATE deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2,
			last_error = $3, delivered_at = $4 WHERE id = $5`, status, ms(next), a.Error, delivered, a.DeliveryID)
		if err != nil {
			return fmt.Errorf("update delivery: %w", err)
		}
		return nil
	})
}

// RescheduleDelivery makes a pending delivery due at the given time.
func (db *DB) RescheduleDelivery(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE deliveries SET next_attempt_at = $1 WHERE id = $2 AND status = 'pending'`, ms(at), id)
		if err != nil {
			return fmt.Errorf("reschedule delivery: %w", err)
		}
		return nil
	})
}
