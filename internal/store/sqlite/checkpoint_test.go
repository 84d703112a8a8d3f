package sqlite

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointerBackfills: the writer checkpoints only every
// walWriterFrames, yet a few committed rows reach the database file itself,
// without the WAL, because the checkpointer copies them there meanwhile.
func TestCheckpointerBackfills(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(t.Context(), filepath.Join(dir, "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var auto int
	if err := db.w.QueryRowContext(t.Context(), `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil || auto != walWriterFrames {
		t.Fatalf("writer's wal_autocheckpoint = %d (%v), want %d", auto, err, walWriterFrames)
	}
	const rows = 3000
	for i := range rows / 500 {
		if err := db.write(t.Context(), func(tx *sql.Tx) error {
			for j := range 500 {
				if _, err := tx.Exec(`INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`,
					fmt.Sprintf("A-%d-%d", i, j), "x", 0); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; n != rows; {
		if time.Now().After(deadline) {
			t.Fatalf("the database file alone holds %d of %d accounts: the WAL was not checkpointed", n, rows)
		}
		n = countInFileAlone(t, filepath.Join(dir, "s.db"))
	}
}

// countInFileAlone copies the database file without its WAL and counts the
// accounts in the copy.
func countInFileAlone(t *testing.T, path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(cp, data, 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := sql.Open("sqlite3", "file:"+cp+"?immutable=1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	var n int
	if err := c.QueryRow(`SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
		return 0 // caught between a page and the next: try again
	}
	return n
}
