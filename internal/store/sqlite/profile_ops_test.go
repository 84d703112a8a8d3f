package sqlite

import (
	"reflect"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/store"
)

// TestFoldGoesOnWhereItStopped stops a fold after its first chunk, as a
// crash would: a fold that still thinks itself at the start fails with a
// conflict, the next FoldProfileOps goes on with the other profiles and
// leaves the first one alone, and operations kept after the fold started
// wait for the next fold.
func TestFoldGoesOnWhereItStopped(t *testing.T) {
	ctx := t.Context()
	const acct = "ACME-1"
	db := openWithAccount(t, acct)
	ps := []*store.Profile{{AccountID: acct, Props: record.Props{}}, {AccountID: acct, Props: record.Props{}}, {AccountID: acct, Props: record.Props{}}}
	inBatch(t, db, func(tx store.BatchTx) error { return tx.CreateProfiles(ctx, ps) })
	at := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	keep := func(p *store.Profile, ops ...record.Op) {
		t.Helper()
		at = at.Add(time.Hour)
		inBatch(t, db, func(tx store.BatchTx) error {
			return tx.(store.ProfileOpLog).AppendProfileOps(ctx, acct, []store.ProfileOps{{ProfileID: p.ID, UpdatedAt: at, Ops: record.AppendOps(nil, ops)}})
		})
	}
	set := func(name, v string) record.Op {
		return record.Op{Name: name, Kind: record.OpSet, Value: record.String(v)}
	}
	add := func(v string) record.Op { return record.Op{Name: "L", Kind: record.OpAdd, Value: record.String(v)} }
	keep(ps[0], set("Name", "from the ops"), add("a"))
	keep(ps[1], add("a"))
	keep(ps[2], add("a"))
	keep(ps[1], add("b"))

	upto, done, err := db.startFold(ctx, acct)
	if err != nil || done != 0 {
		t.Fatalf("start fold: %d %d %v", upto, done, err)
	}
	first := foldEntries(t, db, ps[0].ID)
	if done, err = db.foldChunk(ctx, acct, upto, 0, first, &record.OpsDecoder{}); err != nil || done != ps[0].ID {
		t.Fatalf("first chunk: done %d, %v", done, err)
	}
	if _, err := db.foldChunk(ctx, acct, upto, 0, first, &record.OpsDecoder{}); !errs.Is(err, errs.Conflict) {
		t.Fatalf("a fold that lost its place: %v, want a conflict", err)
	}
	// Changed since by other means: a fold that applied the first
	// profile's operations again would undo this.
	inBatch(t, db, func(tx store.BatchTx) error {
		return tx.SaveProfiles(ctx, []*store.Profile{{ID: ps[0].ID, AccountID: acct, Props: record.Props{"Name": record.String("changed since")}, UpdatedAt: at}})
	})
	keep(ps[2], add("c"))

	if n, err := db.FoldProfileOps(ctx, acct); err != nil || n != 3 {
		t.Fatalf("the fold goes on: %d entries folded (%v), want 3", n, err)
	}
	wantProps(t, db, ps[0].ID, record.Props{"Name": record.String("changed since")})
	wantProps(t, db, ps[1].ID, record.Props{"L": record.List([]string{"a", "b"})})
	wantProps(t, db, ps[2].ID, record.Props{"L": record.List([]string{"a"})})
	if n, err := db.FoldProfileOps(ctx, acct); err != nil || n != 1 {
		t.Fatalf("the next fold: %d entries folded (%v), want 1", n, err)
	}
	got := wantProps(t, db, ps[2].ID, record.Props{"L": record.List([]string{"a", "c"})})
	if !got.UpdatedAt.Equal(at) {
		t.Fatalf("updated %v, want the last operations' %v", got.UpdatedAt, at)
	}
	if n, err := db.FoldProfileOps(ctx, acct); err != nil || n != 0 {
		t.Fatalf("nothing left: %d entries folded (%v)", n, err)
	}
	var left int
	if err := db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM profile_ops) + (SELECT count(*) FROM profile_folds) + (SELECT count(*) FROM profile_ops_kept)`).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d rows of operations or folds left (%v)", left, err)
	}
}

func inBatch(t *testing.T, db *DB, fn func(store.BatchTx) error) {
	t.Helper()
	if err := db.InBatch(t.Context(), fn); err != nil {
		t.Fatal(err)
	}
}

// foldEntries reads a profile's kept operations as a fold chunk.
func foldEntries(t *testing.T, db *DB, profile int64) []foldEntry {
	t.Helper()
	rows, err := db.r.QueryContext(t.Context(), `SELECT updated_at, ops FROM profile_ops WHERE profile_id = ? ORDER BY seq`, profile)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []foldEntry
	for rows.Next() {
		e := foldEntry{profile: profile}
		if err := rows.Scan(&e.updated, &e.ops); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func wantProps(t *testing.T, db *DB, id int64, want record.Props) store.Profile {
	t.Helper()
	p, err := db.Profile(t.Context(), "ACME-1", id)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(p.Props, want) {
		t.Fatalf("profile %d: props %v, want %v", id, p.Props, want)
	}
	return p
}
