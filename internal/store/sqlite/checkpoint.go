package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Checkpoints copy the WAL back into the database file. SQLite runs them
// inside the commit that crosses wal_autocheckpoint, on the writer's time,
// and an import is bound by that one writer. So a checkpointer runs PASSIVE
// checkpoints beside it after commits, on its own connection, and the
// writer's own checkpoint comes rarely (every walWriterFrames) and finds most
// frames copied already: it is what lets the next transaction start the WAL
// over, which only a checkpoint that reached the WAL's end allows, and the
// checkpointer never gets there while the writer keeps appending.
// Measured on 1M events: 34.5k rows/s with SQLite's checkpoints in the
// writer, 35.8k–38.2k with this split, 41.7k with no checkpoint at all (the
// bound, with a WAL that grows without end). The writer checkpoints every
// 256 MiB of WAL: on 10M events, 167.6k and 173.0k rows/s at 131–132 MB
// peak RSS, against 163.5k and 167.2k at 137–139 MB every 64 MiB.
//
// After a restart, the first commit cuts the WAL file back to walSizeLimit.
// At 64 MiB, each restart freed and then reallocated some 200 MB of file:
// 14 truncations took 1.3 s of the writer's time on 10M events (strace).
// Alternating runs of 10M events: 229k–273k rows/s (mean 250.0k in eight)
// against 236k–293k (mean 262.6k in eight) with no limit or this one, which
// truncated once, at close. So the limit is above what an import's
// WAL reaches (256 MiB and one transaction): the file stays at that size on
// disk while sluice runs, and is removed when it closes the database.
const (
	walWriterFrames = 256 << 20 / pageSize
	walSizeLimit    = 512 << 20
	checkpointIdle  = time.Second
)

// writerConnector opens the writer's connection with rare checkpoints.
type writerConnector struct {
	drv *sqlite3.SQLiteDriver
	dsn string
}

func newWriterConnector(dsn string) writerConnector {
	return writerConnector{dsn: dsn, drv: &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
		_, err := c.Exec(fmt.Sprintf("PRAGMA wal_autocheckpoint = %d; PRAGMA journal_size_limit = %d", walWriterFrames, walSizeLimit), nil)
		return err
	}}}
}

func (c writerConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c writerConnector) Driver() driver.Driver                        { return c.drv }

// checkpointer runs checkpoints after commits, on a connection of its own.
type checkpointer struct {
	db     *sql.DB
	kick   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
	log    *slog.Logger
}

func startCheckpointer(dsn string, log *slog.Logger) (*checkpointer, error) {
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, fmt.Errorf("open checkpoint connection: %w", err)
	}
	db.SetMaxOpenConns(1)
	ctx, cancel := context.WithCancel(context.Background())
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), cancel: cancel, log: log}
	c.wg.Add(1)
	go c.loop(ctx)
	return c, nil
}

// committed tells the checkpointer that the WAL grew; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop(ctx context.Context) {
	defer c.wg.Done()
	idle := time.NewTimer(checkpointIdle)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.kick:
		case <-idle.C: // also after the last commit, so the WAL is emptied
		}
		if err := c.run(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("sqlite checkpoint", "err", err)
		}
		idle.Reset(checkpointIdle)
	}
}

// run copies what it can of the WAL into the database file.
func (c *checkpointer) run(ctx context.Context) error {
	_, err := c.db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	return err
}

// close stops the loop and leaves the WAL checkpointed.
func (c *checkpointer) close() error {
	c.cancel()
	c.wg.Wait()
	_, err := c.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
	if cerr := c.db.Close(); err == nil {
		err = cerr
	}
	return err
}
