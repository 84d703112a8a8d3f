package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// defaultEventRun is how many events at least wait, outside event_profiles,
// for the next sorted run.
const defaultEventRun = 100_000

// runShare makes runs grow with event_profiles: a run also waits for an
// eighth as many events as are indexed. A run writes most of the pages of
// event_profiles once, so larger runs write each page for more new events;
// readers scan the waiting events, so runs stay small next to the events.
const runShare = 8

// maxRun bounds one sorted pass: SQLite's sorter holds a pass in memory
// (measured on 10M events: passes of 1.25M events peaked at 157 MB RSS).
const maxRun = 500_000

// tailEvents are the events not yet in event_profiles, for readers to look at directly.
const tailEvents = `id > (SELECT upto FROM event_index WHERE id = 1)`

// indexEvents adds the events after the watermark to event_profiles in one
// pass sorted by key (several for more than maxRun), when at least least of
// them wait and, with share, a share-th of the indexed ones.
func indexEvents(ctx context.Context, tx *sql.Tx, least, share int64) error {
	var upto, last int64
	err := tx.QueryRowContext(ctx, `SELECT upto, (SELECT COALESCE(MAX(id), 0) FROM events) FROM event_index WHERE id = 1`).
		Scan(&upto, &last)
	if err != nil {
		return fmt.Errorf("read event index: %w", err)
	}
	if share > 0 {
		least = max(least, upto/share)
	}
	if last <= upto || last-upto < least {
		return nil
	}
	for from := upto; from < last; from += maxRun {
		to := min(from+maxRun, last)
		_, err = tx.ExecContext(ctx, `INSERT INTO event_profiles (profile_id, ts, event_id)
			SELECT profile_id, ts, id FROM events WHERE id > ? AND id <= ? ORDER BY profile_id, ts, id`, from, to)
		if err != nil {
			return fmt.Errorf("index events %d–%d: %w", from+1, to, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE event_index SET upto = ? WHERE id = 1`, last); err != nil {
		return fmt.Errorf("index events: %w", err)
	}
	return nil
}
