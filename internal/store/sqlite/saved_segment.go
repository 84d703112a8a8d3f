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

// CreateSegment stores a saved segment; errs.Conflict on a name the account already uses.
func (db *DB) CreateSegment(ctx context.Context, s store.SavedSegment) (store.SavedSegment, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO segments (account_id, name, filter, created_at) VALUES (?, ?, ?, ?)`,
			s.AccountID, s.Name, string(s.Filter), ms(s.CreatedAt))
		if isUnique(err) {
			return errs.E(errs.Conflict, "a segment named %q already exists", s.Name)
		}
		if err != nil {
			return fmt.Errorf("insert segment: %w", err)
		}
		s.ID, err = res.LastInsertId()
		return err
	})
	return s, err
}

// Segment reads one of the account's saved segments.
func (db *DB) Segment(ctx context.Context, accountID string, id int64) (store.SavedSegment, error) {
	s, err := sqlrow.ScanSegment(db.r.QueryRowContext(ctx, `SELECT `+sqlrow.SegmentCols+` FROM segments WHERE id = ? AND account_id = ?`, id, accountID))
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
	return sqlrow.ScanSegments(db.r.QueryContext(ctx, `SELECT `+sqlrow.SegmentCols+` FROM segments WHERE account_id = ? ORDER BY id DESC`, accountID))
}

// DeleteSegment deletes one of the account's saved segments.
func (db *DB) DeleteSegment(ctx context.Context, accountID string, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM segments WHERE id = ? AND account_id = ?`, id, accountID)
		if err != nil {
			return fmt.Errorf("delete segment: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "no segment %d", id)
		}
		return nil
	})
}
