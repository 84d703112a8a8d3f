package sqlite

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
)

// TestProfileBatchCoding creates, saves and loads more profiles than one
// statement carries, so that the encoding and decoding goroutines hand over
// several chunks; a profile whose stored props are broken fails the load
// with its id, and the others still load.
func TestProfileBatchCoding(t *testing.T) {
	ctx := t.Context()
	const acct, n = "ACME-1", 2*rowsPerStmt + 7
	db := openWithAccount(t, acct)
	ps := make([]*store.Profile, n)
	ids := make([]int64, n)
	for i := range ps {
		ps[i] = &store.Profile{AccountID: acct, Props: record.Props{"n": record.Int(int64(i))}, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	}
	load := func(ids []int64) (map[int64]*store.Profile, error) {
		var got map[int64]*store.Profile
		err := db.InBatch(ctx, func(tx store.BatchTx) error {
			var err error
			got, err = tx.LoadProfiles(ctx, acct, ids)
			return err
		})
		return got, err
	}
	err := db.InBatch(ctx, func(tx store.BatchTx) error {
		if err := tx.CreateProfiles(ctx, ps); err != nil {
			return err
		}
		for i, p := range ps {
			ids[i] = p.ID
			p.Props["s"] = record.String(fmt.Sprint("saved ", i))
		}
		return tx.SaveProfiles(ctx, ps)
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := load(ids)
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		want := record.Props{"n": record.Int(int64(i)), "s": record.String(fmt.Sprint("saved ", i))}
		if p := got[id]; p == nil || fmt.Sprint(p.Props) != fmt.Sprint(want) {
			t.Fatalf("profile %d loaded as %v, want %v", id, p, want)
		}
	}
	broken := ids[rowsPerStmt+3]
	if _, err := db.w.ExecContext(ctx, `UPDATE profiles SET props = '{"n":' WHERE id = ?`, broken); err != nil {
		t.Fatal(err)
	}
	if _, err := load(ids); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("profile %d", broken)) {
		t.Fatalf("loading a broken profile: %v, want an error naming profile %d", err, broken)
	}
	if got, err := load(ids[:rowsPerStmt]); err != nil || len(got) != rowsPerStmt {
		t.Fatalf("loading the others: %d profiles, %v", len(got), err)
	}
}

// openWithAccount opens a fresh store, closed when the test ends, holding
// the account acct.
func openWithAccount(t *testing.T, acct string) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateAccount(t.Context(), store.Account{ID: acct, Name: acct, CreatedAt: time.Now()}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	return db
}
