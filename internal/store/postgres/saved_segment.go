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

// CreateSegment stores a saved segment; errs.Conflict on a name the account already uses.
func (db *DB) CreateSegment(ctx context.Context, s store.SavedSegment) (store.SavedSegment, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO segments (account_id, name, filter, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id, name) DO NOTHING RETURNING id`, s.AccountID, s.Name, string(s.Filter), ms(s.CreatedAt)).Scan(&s.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.Conflict, "a segment named %q already exists", s.Name)
		}
		if err != nil {
			return fmt.Errorf("insert segment: %w", err)
		}
		return nil
	})
	return s, err
}

// Segment reads one of the account's saved segments.
func (db *DB) Segment(ctx context.Context, accountID string, id int64) (store.SavedSegment, error) {
	s, err := sqlrow.ScanSegment(db.db.QueryRowContext(ctx, `SELECT `+sqlrow.SegmentCols+` FROM segments WHERE id = $1 AND account_id = $2`, id, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return s, errs.E(errs.NotFound, "no segment %d", id)
	}
	if err != nil {
		return s, fmt.Errorf("read segment: %w", err)
	}
	return s, nil
}

// ListSegments lists the account's saved segments, newest first.
func (db *DB) ListSegments(ctx context.Context, accountID string) ([]store.SavedSegment, error) {
	return sqlrow.ScanSegments(db.db.QueryContext(ctx, `SELECT `+sqlrow.SegmentCols+` FROM segments WHERE account_id = $1 ORDER BY id DESC`, accountID))
}

// DeleteSegment deletes one of the account's saved segments.
func (db *DB) DeleteSegment(ctx context.Context, accountID string, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM segments WHERE id = $1 AND account_id = $2`, id, accountID)
		if err != nil {
			return fmt.Errorf("delete segment: %w", err)
		}
		if affected(res) == 0 {
			return errs.E(errs.NotFound, "no segment %d", id)
		}
		return nil
	})
}
