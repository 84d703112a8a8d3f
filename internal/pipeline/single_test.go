package pipeline

import (
	"errors"
	"testing"
	"time"

	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

var errRollback = errors.New("roll back")

func eventBatch(acct string, row int, ids ...store.Identifier) *batch {
	return &batch{now: time.Now(), events: []store.Event{{AccountID: acct, ImportID: 1, Row: int64(row), Name: "E", Time: int64(row), Identifiers: ids}}}
}

// applyBatches applies bs in one transaction, as commit does, and rolls it
// back if fail.
func applyBatches(t *testing.T, st *sqlite.DB, cache *idCache, acct string, fail bool, bs ...*batch) {
	t.Helper()
	err := inBatch(t.Context(), st, cache, func(tx store.BatchTx) error {
		for _, b := range bs {
			if err := b.applyAll(t.Context(), tx, acct, cache); err != nil {
				return err
			}
		}
		if fail {
			return errRollback
		}
		return nil
	})
	if err != nil && !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

// TestSingleIdentifierEvents runs batches of one-identifier events, which
// skip the resolver, with no cache, a cache that knows nothing of the store
// (so asks it), and a complete one: each user gets one profile holding all
// of their events, whichever batch or transaction met them first.
func TestSingleIdentifierEvents(t *testing.T) {
	tests := []struct {
		name  string
		cache func(t *testing.T, st *sqlite.DB, acct string) *idCache
	}{
		{"no cache", func(*testing.T, *sqlite.DB, string) *idCache { return nil }},
		{"a cache that is not complete", func(*testing.T, *sqlite.DB, string) *idCache { return newIDCache(1) }},
		{"a complete cache", func(t *testing.T, st *sqlite.DB, acct string) *idCache {
			c := newIDCache(1)
			if err := c.preload(t.Context(), st, acct, 100); err != nil || !c.complete {
				t.Fatalf("preload: complete %v (%v)", c.complete, err)
			}
			return c
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := sqlitetest.Open(t, "", sqlite.Options{})
			const acct = "ACME-0001"
			if err := st.CreateAccount(t.Context(), store.Account{ID: acct, Name: acct, CreatedAt: time.Now()}, []byte("x")); err != nil {
				t.Fatal(err)
			}
			// A user stored before the import, by the resolver's path.
			applyBatches(t, st, nil, acct, false, eventBatch(acct, 1, ident("old"), store.Identifier{Kind: "objectId", Value: "o"}))
			cache := tc.cache(t, st, acct)
			defer cache.close()
			row := 1
			events := func(vs ...string) *batch {
				b := &batch{now: time.Now()}
				for _, v := range vs {
					row++
					b.events = append(b.events, eventBatch(acct, row, ident(v)).events...)
				}
				if !b.singleIdentifier() {
					t.Fatal("a batch of one identifier per row takes the resolver's path")
				}
				return b
			}
			apply := func(fail bool, bs ...*batch) { t.Helper(); applyBatches(t, st, cache, acct, fail, bs...) }
			apply(true, events("n", "m")) // rolled back
			apply(false, events("m", "old", "m"))
			apply(false, events("n"), events("n", "g", "old"))
			apply(false, events("g", "m", "g"))
			want := map[string]int{"old": 3, "m": 3, "n": 2, "g": 3}
			seen := map[int64]string{}
			for v, n := range want {
				p, err := st.ProfileByIdentifier(t.Context(), acct, v)
				if err != nil {
					t.Fatal(err)
				}
				if evs, err := st.ProfileEvents(t.Context(), acct, p.ID, 10); err != nil || len(evs) != n {
					t.Fatalf("%s's profile has %d events (%v), want %d", v, len(evs), err, n)
				}
				if other, ok := seen[p.ID]; ok {
					t.Fatalf("%s and %s share profile %d", other, v, p.ID)
				}
				seen[p.ID] = v
			}
			// Profiles are created once per user, in the order users first
			// appear (a rolled-back transaction's ids are taken again).
			for id, v := range map[int64]string{1: "old", 2: "m", 3: "n", 4: "g"} {
				if seen[id] != v {
					t.Errorf("profile %d is %q's, want %q's", id, seen[id], v)
				}
			}
		})
	}
}
