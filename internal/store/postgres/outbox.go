package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"sluice/internal/store"
)

// PendingOutbox lists outbox items not yet handed on, oldest first.
func (db *DB) PendingOutbox(ctx context.Context, limit int) ([]store.OutboxItem, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, account_id, import_id, milestone, mail, created_at FROM outbox
		WHERE done_at IS NULL ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("list outbox: %w", err)
	}
	defer rows.Close()
	out := []store.OutboxItem{}
	for rows.Next() {
		var o store.OutboxItem
		var created int64
		if err := rows.Scan(&o.ID, &o.AccountID, &o.ImportID, &o.Milestone, &o.Mail, &created); err != nil {
			return nil, fmt.Errorf("scan outbox: %w", err)
		}
		o.CreatedAt = fromMS(created)
		out = append(out, o)
	}
	return out, rows.Err()
}

// MarkOutboxDone records that an item was handed on.
func (db *DB) MarkOutboxDone(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET done_at = $1 WHERE id = $2`, ms(at), id); err != nil {
			return fmt.Errorf("mark outbox item: %w", err)
		}
		return nil
	})
}
