package postgres

import (
	"context"
	"fmt"
	"time"

	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// WebhookDeliveries lists a webhook's deliveries, newest first, with their attempts.
func (db *DB) WebhookDeliveries(ctx context.Context, accountID string, webhookID int64, p store.Page) ([]store.Delivery, error) {
	if _, err := webhookTx(ctx, db.db, accountID, webhookID); err != nil {
		return nil, err
	}
	p = p.Norm()
	before := p.Before
	if before == 0 {
		before = 1<<63 - 1
	}
	ds, err := sqlrow.ScanDeliveries(db.db.QueryContext(ctx, `SELECT `+sqlrow.DeliveryCols+` FROM deliveries
		WHERE webhook_id = $1 AND account_id = $2 AND id < $3 ORDER BY id DESC LIMIT $4`, webhookID, accountID, before, p.Limit))
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
	ds, err := sqlrow.ScanDeliveries(db.db.QueryContext(ctx, `SELECT `+sqlrow.DeliveryCols+` FROM deliveries
		WHERE import_id = $1 AND account_id = $2 ORDER BY id`, importID, accountID))
	if err != nil || len(ds) == 0 {
		return ds, err
	}
	return ds, db.attachAttempts(ctx, ds)
}

// attachAttempts fills each delivery's attempt log with one query.
func (db *DB) attachAttempts(ctx context.Context, ds []store.Delivery) error {
	at := make(map[int64]*store.Delivery, len(ds))
	ids := make([]int64, len(ds))
	for i := range ds {
		at[ds[i].ID], ids[i] = &ds[i], ds[i].ID
		ds[i].AttemptLog = []store.DeliveryAttempt{}
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, delivery_id, at, status_code, error, duration_ms FROM delivery_attempts
		WHERE delivery_id = ANY($1) ORDER BY id`, ids)
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
	rows, err := db.db.QueryContext(ctx, `SELECT channel, COUNT(*) FROM deliveries WHERE status = 'pending' GROUP BY channel`)
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
