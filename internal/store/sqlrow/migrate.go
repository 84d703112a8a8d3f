package sqlrow

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Schema is how a store's dialect keeps its schema version.
type Schema struct {
	Create string // CREATE TABLE IF NOT EXISTS schema_migrations (version, applied_at)
	Record string // INSERT INTO schema_migrations (version, applied_at) with two placeholders
}

// Migrate applies, in tx, the migrations in dir of fsys (files named
// NNNN_what.sql, applied in name order) newer than the recorded version.
func Migrate(ctx context.Context, tx *sql.Tx, fsys fs.FS, dir string, s Schema, now time.Time) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return fmt.Errorf("read embedded migrations: %w", err)
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if _, err := tx.ExecContext(ctx, s.Create); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	var have int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	for _, n := range names {
		if err := apply(ctx, tx, fsys, dir, n, have, s, now); err != nil {
			return err
		}
	}
	return nil
}

func apply(ctx context.Context, tx *sql.Tx, fsys fs.FS, dir, name string, have int, s Schema, now time.Time) error {
	v, err := strconv.Atoi(strings.SplitN(name, "_", 2)[0])
	if err != nil {
		return fmt.Errorf("migration %s: name must start with a number: %w", name, err)
	}
	if v <= have {
		return nil
	}
	body, err := fs.ReadFile(fsys, dir+"/"+name)
	if err != nil {
		return fmt.Errorf("read migration %s: %w", name, err)
	}
	// A whole script in one Exec: go-sqlite3 runs each statement, and pgx
	// sends a statement without arguments by the simple protocol, which does.
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("apply migration %s: %w", name, err)
	}
	if _, err := tx.ExecContext(ctx, s.Record, v, now.UnixMilli()); err != nil {
		return fmt.Errorf("record migration %s: %w", name, err)
	}
	return nil
}
