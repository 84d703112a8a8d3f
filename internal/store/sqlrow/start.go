package sqlrow

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// StartTime is the start time of an import claimed at now: now, or the
// latest finish among its account's imports if that is later. A caller
// reads its clock before it waits for the store's writer, so a claim may
// commit after the finish of the import ahead of it and still carry an
// earlier time; an import must never appear to start before its
// predecessor ended. lastFinish selects that latest finish (unix ms) for
// the account given as its one argument.
func StartTime(ctx context.Context, tx *sql.Tx, lastFinish, accountID string, now time.Time) (time.Time, error) {
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, lastFinish, accountID).Scan(&last); err != nil {
		return time.Time{}, fmt.Errorf("read the account's last finish: %w", err)
	}
	if t := time.UnixMilli(last.Int64).UTC(); last.Valid && t.After(now) {
		return t, nil
	}
	return now.UTC(), nil
}
