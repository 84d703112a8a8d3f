package sqlite

import (
	"context"
	"database/sql"
	"fmt"
)

// defaultEventRun is how many events at least wait, outside event_profiles,
// for the next sorted run. Readers scan the waiting events, so runs stay
// small next to the events; a run is one more epoch until compaction.
const defaultEventRun = 250_000

// defaultEpochEntries bounds what compaction merges into one epoch: a merge
// holds the writer for about 1.6 s a million entries (SQLite's shell), and
// a read searches every epoch.
const defaultEpochEntries = 4_000_000

// maxRun bounds one sorted pass: SQLite's sorter holds a pass in memory
// (10M events peaked at 150 MB RSS with passes of 500,000, 139 MB with
// 250,000, at the same speed).
const maxRun = 250_000

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
// passes sorted by key of at most maxRun, when at least least of them wait.
// A pass goes into an epoch of its own, unless it is small (see mergeInto):
// written in key order into an empty key range, it appends, writing each
// page once. Merging a run into an epoch rewrote most of the epoch's pages
// (an eighth of the epoch a run: 10M events wrote 1.8 KB a row, now 0.8).
// The passes take the keys the writer kept (see eventKeys) when it kept
// exactly those of the waiting events, else they read the events.
func (b *batch) indexEvents(ctx context.Context, least int64) error {
	x, err := readEventIndex(ctx, b.tx)
	if err != nil {
		return err
	}
	if x.last <= x.upto || x.last-x.upto < least {
		return nil
	}
	kept := b.keys.covers(x.upto, x.last)
	for from := x.upto; from < x.last; from += maxRun {
		to := min(from+maxRun, x.last)
		if !mergeInto(to-from, x.entries, b.eventRun) {
			x.epoch, x.entries = x.epoch+1, 0
		}
		n := to - from
		if kept {
			err = b.runFromKeys(ctx, x.epoch, n)
		} else {
			n, err = runFromEvents(ctx, b.tx, x.epoch, from, to)
		}
		if err != nil {
			return fmt.Errorf("index events %d–%d: %w", from+1, to, err)
		}
		x.entries += n
		if err := noteEpoch(ctx, b.tx, x.epoch, x.entries); err != nil {
			return err
		}
	}
	if !kept {
		b.keys.reset(x.last + 1)
	}
	if _, err := b.tx.ExecContext(ctx, `UPDATE event_index SET upto = ? WHERE id = 1`, x.last); err != nil {
		return fmt.Errorf("index events: %w", err)
	}
	return nil
}

// runFromKeys writes the kept keys of the oldest n waiting events into epoch.
func (b *batch) runFromKeys(ctx context.Context, epoch, n int64) error {
	run := b.keys.sorted(n)
	err := b.execRows(ctx, rowsStmt{into: `event_profiles (epoch, profile_id, ts, event_id)`, shared: []any{epoch}, cols: 3},
		len(run), func(i int, dst []any) []any { return append(dst, run[i].profile, run[i].ts, run[i].id) }, nil)
	if err != nil {
		return err
	}
	b.keys.drop(n)
	return nil
}

// runFromEvents writes the keys of the events after from through to into
// epoch, and returns how many it wrote.
func runFromEvents(ctx context.Context, tx *sql.Tx, epoch, from, to int64) (int64, error) {
	// OR FAIL: no statement journal (see rowsStmt).
	res, err := tx.ExecContext(ctx, `INSERT OR FAIL INTO event_profiles (epoch, profile_id, ts, event_id)
		SELECT ?, profile_id, ts, id FROM events WHERE id > ? AND id <= ? ORDER BY profile_id, ts, id`, epoch, from, to)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// mergeInto reports whether a pass of n entries goes into the newest epoch,
// of entries, rather than an epoch of its own: when that epoch is empty, or
// the pass is a sixty-fourth of a run or less. Such passes index the few
// events waiting before a merge of profiles or at the end of an import; each
// touches at most a page an entry, where an epoch apiece would cost every
// read one more search until compaction.
func mergeInto(n, entries, run int64) bool {
	return entries == 0 || n*64 <= run
}

func noteEpoch(ctx context.Context, tx *sql.Tx, epoch, entries int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO event_epochs (epoch, entries) VALUES (?, ?)
		ON CONFLICT (epoch) DO UPDATE SET entries = excluded.entries`, epoch, entries)
	if err != nil {
		return fmt.Errorf("index events: note epoch %d: %w", epoch, err)
	}
	return nil
}
