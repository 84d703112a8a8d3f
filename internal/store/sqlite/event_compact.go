package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// defaultCompactIdle is how long no import may have written before the
// compactor merges epochs: a merge holds the store's one writer for seconds.
const defaultCompactIdle = 2 * time.Second

// compactor merges the small epochs of event_profiles while no import
// writes. Imports index each sorted run as an epoch of its own, which is
// cheap to write but costs every read of a profile's events one more search.
type compactor struct {
	db       *DB
	idle     time.Duration
	cacheMiB int          // the writer's page cache, given back after each merge
	last     atomic.Int64 // when an import last wrote, in Unix nanoseconds
	kick     chan struct{}
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	log      *slog.Logger
}

func startCompactor(db *DB, idle time.Duration, cacheMiB int, log *slog.Logger) *compactor {
	ctx, cancel := context.WithCancel(context.Background())
	c := &compactor{db: db, idle: idle, cacheMiB: cacheMiB, kick: make(chan struct{}, 1), cancel: cancel, log: log}
	c.wrote() // epochs left small by an earlier run are merged too
	c.wg.Add(1)
	go c.loop(ctx)
	return c
}

// wrote notes an import's write and that epochs may have been added; it
// never blocks.
func (c *compactor) wrote() {
	c.last.Store(time.Now().UnixNano())
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *compactor) loop(ctx context.Context) {
	defer c.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		}
		for c.waitIdle(ctx) {
			merged, err := c.step(ctx)
			if err != nil && ctx.Err() == nil {
				c.log.Warn("sqlite event index compaction", "err", err)
			}
			if err != nil || !merged {
				break
			}
		}
	}
}

// waitIdle waits until no import has written for c.idle; false once ctx ends.
func (c *compactor) waitIdle(ctx context.Context) bool {
	for {
		wait := c.idle - time.Since(time.Unix(0, c.last.Load()))
		if wait <= 0 {
			return true
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false
		case <-t.C:
		}
	}
}

// compactSortKiB is the page cache of a merge, which also bounds the
// memory of its sort (SQLite's sorter spills past it to a temporary file):
// a merge may run beside the start of an import, which holds its own.
const compactSortKiB = 4096

func (c *compactor) step(ctx context.Context) (merged bool, err error) {
	err = c.db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, compactSortKiB)); err != nil {
			return fmt.Errorf("compact epochs: %w", err)
		}
		defer tx.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = -%d`, c.cacheMiB*1024))
		merged, err = compactEpochs(ctx, tx, c.db.epochEntries)
		return err
	})
	return merged, err
}

func (c *compactor) close() {
	c.cancel()
	c.wg.Wait()
}

// compactEpochs merges the oldest small epochs (under half of most entries
// each, not empty), as many as fit in most, into one new epoch, if two or more are
// small. Larger epochs stay as they are: each entry is rewritten a few
// times at most, and reads search about one epoch per most/2 entries.
func compactEpochs(ctx context.Context, tx *sql.Tx, most int64) (bool, error) {
	group, sum, newest, err := smallEpochs(ctx, tx, most)
	if err != nil || len(group) < 2 {
		return false, err
	}
	in := "(?" + strings.Repeat(",?", len(group)-1) + ")"
	epoch := newest + 1
	// OR FAIL: no statement journal (see rowsStmt).
	if _, err := tx.ExecContext(ctx, `INSERT OR FAIL INTO event_profiles (epoch, profile_id, ts, event_id)
		SELECT ?, profile_id, ts, event_id FROM event_profiles WHERE epoch IN `+in+`
		ORDER BY profile_id, ts, event_id`, append([]any{epoch}, group...)...); err != nil {
		return false, fmt.Errorf("compact epochs: %w", err)
	}
	for _, q := range []string{`DELETE FROM event_profiles WHERE epoch IN ` + in, `DELETE FROM event_epochs WHERE epoch IN ` + in} {
		if _, err := tx.ExecContext(ctx, q, group...); err != nil {
			return false, fmt.Errorf("compact epochs: %w", err)
		}
	}
	return true, noteEpoch(ctx, tx, epoch, sum)
}

// smallEpochs is the oldest epochs under most/2 entries whose entries sum
// to at most most, and the newest epoch.
func smallEpochs(ctx context.Context, tx *sql.Tx, most int64) (group []any, sum, newest int64, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT epoch, entries FROM event_epochs ORDER BY epoch`)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("compact epochs: %w", err)
	}
	defer rows.Close()
	full := false
	for rows.Next() {
		var epoch, entries int64
		if err := rows.Scan(&epoch, &entries); err != nil {
			return nil, 0, 0, fmt.Errorf("compact epochs: %w", err)
		}
		newest = epoch
		if full || entries == 0 || entries*2 >= most {
			continue
		}
		if sum+entries > most {
			full = true
			continue
		}
		group, sum = append(group, epoch), sum+entries
	}
	if err := rows.Err(); err != nil {
		return nil, 0, 0, fmt.Errorf("compact epochs: %w", err)
	}
	return group, sum, newest, nil
}
