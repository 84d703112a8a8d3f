// Package postgres is the store for several sluice nodes: one PostgreSQL
// database holds everything, and the imports table is the job queue that
// every node's workers claim from (FOR UPDATE SKIP LOCKED, with leases).
//
// Plain methods use database/sql over pgx's stdlib driver with hand-written
// SQL. A batch (InBatch) runs on one pooled connection in pgx's own API, so
// that events and new profiles go in with COPY inside the batch transaction.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"sluice/internal/store/segsql"
	"sluice/internal/store/sqlrow"
)

//go:embed migrations/*.sql
var migrations embed.FS

// migrationLock is the advisory lock key that serializes migrations of
// nodes starting at once ("sluice" in ASCII).
const migrationLock = 0x736c75696365

// DB is the PostgreSQL store.
type DB struct {
	db              *sql.DB
	now             func() time.Time
	segsql.Segments // segment counts, pages and exports
}

// Options tune the store; the zero value is fine.
type Options struct {
	MaxConns int              // connection pool size; default 16
	Now      func() time.Time // default time.Now
}

// Open connects to the database at url (postgres://…) and migrates it.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	if o.MaxConns == 0 {
		o.MaxConns = 16
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres url: %w", err)
	}
	sqlDB := stdlib.OpenDB(*cfg)
	sqlDB.SetMaxOpenConns(o.MaxConns)
	sqlDB.SetMaxIdleConns(o.MaxConns)
	db := &DB{db: sqlDB, now: o.Now, Segments: segsql.Segments{DB: sqlDB, Dialect: dialect{}}}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	if err := db.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("migrate PostgreSQL database %s: %w", cfg.Database, err)
	}
	return db, nil
}

// Close closes the connection pool.
func (db *DB) Close() error { return db.db.Close() }

func (db *DB) migrate(ctx context.Context) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
			return fmt.Errorf("lock for migration: %w", err)
		}
		return sqlrow.Migrate(ctx, tx, migrations, "migrations", sqlrow.Schema{
			Create: `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at bigint NOT NULL)`,
			Record: `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		}, db.now())
	})
}

// write runs fn in one transaction: begin, defer rollback, fn, commit.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
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
