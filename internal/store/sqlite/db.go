// Package sqlite is the embedded store: one SQLite file in the data dir.
//
// Writes go through one connection (SQLite has one writer; queueing in Go is
// cheaper than SQLITE_BUSY retries); reads use a pool and never wait for it
// thanks to WAL. Other processes (the CLI while the server runs) wait on
// busy_timeout.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver (readers; the writer has its own connector)

	"sluice/internal/store/segsql"
	"sluice/internal/store/sqlrow"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the SQLite store.
type DB struct {
	r               *sql.DB // readers
	w               *sql.DB // the one writer
	now             func() time.Time
	eventRun        int64      // fewest events per sorted run into event_profiles
	epochEntries    int64      // most entries compaction merges into one epoch of event_profiles
	keys            *eventKeys // the newest events' keys, for the next sorted run
	ckpt            *checkpointer
	compact         *compactor // nil if off
	segsql.Segments            // segment counts, pages and exports, on the readers
}

// Options tune the store; the zero value is fine.
type Options struct {
	CacheMiB    int              // page cache of the writer; default 32
	EventRun    int              // fewest events per sorted run into event_profiles; default 250,000
	EventEpoch  int              // most entries compaction merges into one epoch of event_profiles; default 4,000,000
	CompactIdle time.Duration    // how long no import writes before compaction; default 2s, negative: never
	Now         func() time.Time // default time.Now
	Logger      *slog.Logger     // for background checkpoint and compaction errors; default stderr
}

// Open opens (creating if needed) and migrates the database at path.
func Open(ctx context.Context, path string, o Options) (*DB, error) {
	if o.CacheMiB == 0 {
		o.CacheMiB = 32
	}
	fixMmapThreshold()
	if o.EventRun == 0 {
		o.EventRun = defaultEventRun
	}
	if o.EventEpoch == 0 {
		o.EventEpoch = defaultEpochEntries
	}
	if o.CompactIdle == 0 {
		o.CompactIdle = defaultCompactIdle
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if err := setPageSize(ctx, path); err != nil {
		return nil, err
	}
	w := sql.OpenDB(newWriterConnector(dsn(path, o.CacheMiB, true)))
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite3", dsn(path, readerCacheMiB, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	db := &DB{r: r, w: w, now: o.Now, eventRun: int64(o.EventRun), keys: newEventKeys(int64(o.EventRun)), epochEntries: int64(o.EventEpoch), Segments: segsql.Segments{DB: r, Dialect: dialect{}}}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.ckpt, err = startCheckpointer(dsn(path, 1, false), o.Logger); err != nil {
		db.Close()
		return nil, err
	}
	if o.CompactIdle > 0 {
		db.compact = startCompactor(db, o.CompactIdle, o.CacheMiB, o.Logger)
	}
	return db, nil
}

// readerCacheMiB is the page cache of each reader connection.
const readerCacheMiB = 8

// pageSize is the page size of a new database: fewer, larger pages mean
// fewer B-tree splits and fewer WAL frames (two writes each). Measured on
// 10M rows, alternating with 4 KiB: events 173.5k and 172.0k rows/s against
// 157.0k and 158.1k, at 135 MB peak RSS either way (8 KiB 163.7k and
// 168.5k, 32 KiB 166.3k, 64 KiB 157.7k); profiles 115.1k against 98.9k.
const pageSize = 16384

// setPageSize gives a new database pageSize pages; an existing one keeps
// its own. It runs on a connection of its own: set on the writer's
// connection, peak RSS rose by 25 MB on 200k events and by 100 MB on 10M
// (233 MB against 131), presumably as that connection's temporary B-trees
// took the page size too.
func setPageSize(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=30000")
	if err != nil {
		return fmt.Errorf("open sqlite %s: %w", path, err)
	}
	defer db.Close()
	// Once in WAL mode, the page size is fixed.
	if _, err := db.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d; PRAGMA journal_mode = WAL", pageSize)); err != nil {
		return fmt.Errorf("create sqlite %s: %w", path, err)
	}
	return nil
}

func dsn(path string, cacheMiB int, writer bool) string {
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", "NORMAL")
	q.Set("_busy_timeout", "30000")
	q.Set("_foreign_keys", "on")
	q.Set("_cache_size", strconv.Itoa(-cacheMiB*1024))
	if writer {
		q.Set("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// Close stops the checkpointer and closes the connection pools.
func (db *DB) Close() error {
	var err error
	if db.compact != nil {
		db.compact.close()
	}
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	// Between transactions, and inert after (a writer still queued keeps none).
	if c, cerr := db.w.Conn(context.Background()); cerr == nil {
		db.keys.close()
		c.Close()
	}
	return errors.Join(err, db.w.Close(), db.r.Close())
}

func (db *DB) migrate(ctx context.Context) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		return sqlrow.Migrate(ctx, tx, migrations, "migrations", sqlrow.Schema{
			Create: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
			Record: `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		}, db.now())
	})
}

// write runs fn in one write transaction: begin, defer rollback, fn, commit.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.writeConn(ctx, func(_ *sql.Conn, tx *sql.Tx) error { return fn(tx) })
}

// writeConn is write with the transaction's connection as well.
func (db *DB) writeConn(ctx context.Context, fn func(*sql.Conn, *sql.Tx) error) error {
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return fmt.Errorf("writer connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(conn, tx); err != nil {
		db.keys.reset(0) // they may hold what is rolled back, or miss what a run took
		return err
	}
	if err := tx.Commit(); err != nil {
		db.keys.reset(0)
		return fmt.Errorf("commit: %w", err)
	}
	if db.ckpt != nil { // nil while migrating
		db.ckpt.committed()
	}
	return nil
}

// importWrote tells the compactor that an import wrote (a batch, its end,
// or a chunk of its fold).
func (db *DB) importWrote() {
	if db.compact != nil {
		db.compact.wrote()
	}
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ms(*t), Valid: true}
}
