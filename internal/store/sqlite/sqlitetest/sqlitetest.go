// Package sqlitetest opens throw-away SQLite stores for tests.
package sqlitetest

import (
	"path/filepath"
	"testing"

	"sluice/internal/store/sqlite"
)

// Open opens and migrates the store at path, or at a new file in the test's
// temporary directory if path is empty, and closes it when the test ends.
func Open(t testing.TB, path string, o sqlite.Options) *sqlite.DB {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "s.db")
	}
	db, err := sqlite.Open(t.Context(), path, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
