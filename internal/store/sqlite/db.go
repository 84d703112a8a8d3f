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
	"sort"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver (readers; the writer has its own connector)

	"sluice/internal/store/segsql"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the SQLite store.
type DB struct {
	r               *sql.DB // readers
	w               *sql.DB // the one writer
	now             func() time.Time
	ckpt            *checkpointer
	segsql.Segments // segment counts, pages and exports, on the readers
}

// Options tune the store; the zero value is fine.
type Options struct {
	CacheMiB int              // page cache of the writer; default 32
	Now      func() time.Time // default time.Now
	Logger   *slog.Logger     // for background checkpoint errors; default stderr
}

// Open opens (creating if needed) and migrates the database at path.
func Open(ctx context.Context, path string, o Options) (*DB, error) {
	if o.CacheMiB == 0 {
		o.CacheMiB = 32
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	w := sql.OpenDB(newWriterConnector(dsn(path, o.CacheMiB, true)))
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite3", dsn(path, 8, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	db := &DB{r: r, w: w, now: o.Now, Segments: segsql.Segments{DB: r, Dialect: dialect{}}}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.ckpt, err = startCheckpointer(dsn(path, 1, false), o.Logger); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
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
	if db.ckpt != nil {
		err = db.ckpt.close()
	}
	return errors.Join(err, db.w.Close(), db.r.Close())
}

func (db *DB) migrate(ctx context.Context) error {
	names, err := migrationNames()
	if err != nil {
		return err
	}
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
			return fmt.Errorf("create schema_migrations: %w", err)
		}
		var have int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		for _, n := range names {
			if err := applyMigration(ctx, tx, n, have, db.now()); err != nil {
				return err
			}
		}
		return nil
	})
}

func migrationNames() ([]string, error) {
	entries, err := migrations.ReadDir("migrations")
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names, nil
}

func applyMigration(ctx context.Context, tx *sql.Tx, name string, have int, now time.Time) error {
	v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
	if err != nil {
		return fmt.Errorf("migration %s: name must start with a number: %w", name, err)
	}
	if v <= have {
		return nil
	}
	body, err := migrations.ReadFile("migrations/" + name)
	if err != nil {
		return fmt.Errorf("read migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("apply migration %s: %w", name, err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, ms(now))
	return err
}

// write runs fn in one write transaction: begin, defer rollback, fn, commit.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if db.ckpt != nil { // nil while migrating
		db.ckpt.committed()
	}
	return nil
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func nullMS(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: ms(*t), Valid: true}
}
