package sqlite

import (
	"database/sql"
	"path/filepath"
	"testing"

	"sluice/internal/store"
)

// TestPageSize: a new database gets pageSize pages; one made before keeps
// its own, and opens as before.
func TestPageSize(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before string // SQL that made the file first, if any
		want   int
	}{
		{"new database", "", pageSize},
		{"database of 4 KiB pages", "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE old (x)", 4096},
		{"rollback journal, 8 KiB pages", "PRAGMA page_size = 8192; CREATE TABLE old (x)", 8192},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.db")
			if tc.before != "" {
				pre, err := sql.Open("sqlite3", path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := pre.Exec(tc.before); err != nil {
					t.Fatal(err)
				}
				pre.Close()
			}
			db, err := Open(t.Context(), path, Options{CompactIdle: -1})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var size int
			var mode string
			if err := db.r.QueryRow(`SELECT page_size, journal_mode FROM pragma_page_size, pragma_journal_mode`).Scan(&size, &mode); err != nil {
				t.Fatal(err)
			}
			if size != tc.want || mode != "wal" {
				t.Errorf("page size %d in %s mode, want %d in wal", size, mode, tc.want)
			}
			if err := db.CreateAccount(t.Context(), store.Account{ID: "acme"}, []byte("h")); err != nil {
				t.Fatalf("write after open: %v", err)
			}
		})
	}
}
