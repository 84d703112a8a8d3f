package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// defaultEventRun is how many events at least wait, outside event_profiles,
// for the next sorted run.
const defaultEventRun = 100_000

// runShare makes runs grow with the newest epoch: a run also waits for an
// eighth as many events as that epoch holds. A run writes most of the pages
// of the epoch once, so larger runs write each page for more new events;
// readers scan the waiting events, so runs stay small next to the events.
const runShare = 8

// defaultEpochEntries is how many entries of event_profiles an epoch takes
// before runs go to a new one: a run's cost grows with its epoch, a read
// searches every epoch.
const defaultEpochEntries = 4_000_000

// maxRun bounds one sorted pass: SQLite's sorter holds a pass in memory
// (measured on 10M events: passes of 1.25M events peaked at 157 MB RSS).
const maxRun = 500_000

// tailEvents are the events not yet in event_profiles, for readers to look at directly.
const tailEvents = `id > (SELECT upto FROM event_index WHERE id = 1)`

// inEpochs leads every search of event_profiles: its key starts with the epoch.
const inEpochs = `epoch IN (SELECT epoch FROM event_epochs)`

// eventIndex is where sorted runs go: the watermark and the newest epoch.
type eventIndex struct {
	upto, last     int64 // indexed through upto; the newest event is last
	epoch, entries int64 // the newest epoch and its size
}

func readEventIndex(ctx context.Context, tx *sql.Tx) (eventIndex, error) {
	var x eventIndex
	err := tx.QueryRowContext(ctx, `SELECT upto, (SELECT COALESCE(MAX(id), 0) FROM events), e.epoch, e.entries
		FROM event_index, (SELECT epoch, entries FROM event_epochs ORDER BY epoch DESC LIMIT 1) e WHERE id = 1`).
		Scan(&x.upto, &x.last, &x.epoch, &x.entries)
	if err != nil {
		return x, fmt.Errorf("read event index: %w", err)
	}
	return x, nil
}

// indexEvents adds the events after the watermark to event_profiles in
// passes sorted by key of at most maxRun, when at least least of them wait
// and, with share, a share-th of the newest epoch's entries. A pass that
// would take an epoch past epochEntries starts a new one.
func indexEvents(ctx context.Context, tx *sql.Tx, least, share, epochEntries int64) error {
	x, err := readEventIndex(ctx, tx)
	if err != nil {
		return err
	}
	if share > 0 {
		least = max(least, x.entries/share)
	}
	if x.last <= x.upto || x.last-x.upto < least {
		return nil
	}
	for from := x.upto; from < x.last; from += maxRun {
		to := min(from+maxRun, x.last)
		if x.entries > 0 && x.entries+to-from > epochEntries {
			x.epoch, x.entries = x.epoch+1, 0
		}
		// OR FAIL: no statement journal (see rowsInsert).
		res, err := tx.ExecContext(ctx, `INSERT OR FAIL INTO event_profiles (epoch, profile_id, ts, event_id)
			SELECT ?, profile_id, ts, id FROM events WHERE id > ? AND id <= ? ORDER BY profile_id, ts, id`, x.epoch, from, to)
		if err != nil {
			return fmt.Errorf("index events %d–%d: %w", from+1, to, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("index events %d–%d: %w", from+1, to, err)
		}
		x.entries += n
		_, err = tx.ExecContext(ctx, `INSERT INTO event_epochs (epoch, entries) VALUES (?, ?)
			ON CONFLICT (epoch) DO UPDATE SET entries = excluded.entries`, x.epoch, x.entries)
		if err != nil {
			return fmt.Errorf("index events: note epoch %d: %w", x.epoch, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE event_index SET upto = ? WHERE id = 1`, x.last); err != nil {
		return fmt.Errorf("index events: %w", err)
	}
	return nil
}
