package storetest

import (
	"fmt"
	"testing"

	"sluice/internal/record"
	"sluice/internal/store"
)

// testRelink links identifiers that are already stored to another profile,
// in statements that also carry new ones: each points where it was linked
// last, and the unchanged one stays.
func testRelink(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	many := func(prefix string, n int) []store.Identifier {
		var ids []store.Identifier
		for i := range n {
			ids = append(ids, store.Identifier{Kind: record.IDIdentity, Value: fmt.Sprintf("%s%03d", prefix, i)})
		}
		return ids
	}
	var p1, p2 int64
	err := st.InBatch(ctx(t), func(tx store.BatchTx) error {
		ps := []*store.Profile{{AccountID: "A-1", Props: record.Props{}, CreatedAt: t0, UpdatedAt: t0},
			{AccountID: "A-1", Props: record.Props{}, CreatedAt: t0, UpdatedAt: t0}}
		if err := tx.CreateProfiles(ctx(t), ps); err != nil {
			return err
		}
		p1, p2 = ps[0].ID, ps[1].ID
		return tx.LinkIdentifiers(ctx(t), "A-1", p1, append(many("old", 100), idU1, idU2))
	})
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by key, the new and the moved identifiers share statements.
	moved := append(many("old", 50), idU1)
	err = st.InBatch(ctx(t), func(tx store.BatchTx) error {
		if err := tx.LinkIdentifiers(ctx(t), "A-1", p2, append(moved, many("new", 100)...)); err != nil {
			return err
		}
		return tx.LinkIdentifiers(ctx(t), "A-1", p1, []store.Identifier{idU2})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[store.Identifier]int64{idU1: p2, idU2: p1}
	for i, id := range many("old", 100) {
		want[id] = p1
		if i < 50 {
			want[id] = p2
		}
	}
	for _, id := range many("new", 100) {
		want[id] = p2
	}
	err = st.InBatch(ctx(t), func(tx store.BatchTx) error {
		var ids []store.Identifier
		for id := range want {
			ids = append(ids, id)
		}
		found, err := tx.LookupIdentifiers(ctx(t), "A-1", ids)
		if err != nil {
			return err
		}
		for id, pid := range want {
			if found[id] != pid {
				t.Errorf("%s %s: profile %d, want %d", id.Kind, id.Value, found[id], pid)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
