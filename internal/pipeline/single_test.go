package pipeline

import (
	"errors"
	"testing"
	"time"

	"sluice/internal/segment"
	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/postgres/pgtest"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

var errRollback = errors.New("roll back")

func eventBatch(acct string, row int, ids ...store.Identifier) *batch {
	return &batch{now: time.Now(), events: []store.Event{{AccountID: acct, ImportID: 1, Row: int64(row), Name: "E", Time: int64(row), Identifiers: ids}}}
}

// applyBatches applies bs in one transaction, as commit does, and rolls it
// back if fail.
func applyBatches(t *testing.T, st store.Tx, cache *idCache, acct string, fail bool, bs ...*batch) {
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
// (so asks it), and a complete one, on both stores: each user gets one
// profile holding all of their events, whichever batch or transaction met
// them first, created in the order users first appear.
func TestSingleIdentifierEvents(t *testing.T) {
	tests := []struct {
		name  string
		cache func(t *testing.T, st store.Store, acct string) *idCache
	}{
		{"no cache", func(*testing.T, store.Store, string) *idCache { return nil }},
		{"a cache that is not complete", func(*testing.T, store.Store, string) *idCache { return newIDCache(1) }},
		{"a complete cache", func(t *testing.T, st store.Store, acct string) *idCache {
			c := newIDCache(1)
			if err := c.preload(t.Context(), st, acct, 100); err != nil || !c.complete {
				t.Fatalf("preload: complete %v (%v)", c.complete, err)
			}
			return c
		}},
	}
	stores := []struct {
		name string
		open func(t *testing.T) store.Store
	}{
		{"sqlite", func(t *testing.T) store.Store { return sqlitetest.Open(t, "", sqlite.Options{}) }},
		{"postgres", func(t *testing.T) store.Store { return pgtest.Open(t, postgres.Options{}) }},
	}
	for _, sc := range stores {
		for _, tc := range tests {
			t.Run(sc.name+"/"+tc.name, func(t *testing.T) { testSingleIdentifierEvents(t, sc.open(t), tc.cache) })
		}
	}
}

func testSingleIdentifierEvents(t *testing.T, st store.Store, newCache func(*testing.T, store.Store, string) *idCache) {
	const acct = "ACME-0001"
	if err := st.CreateAccount(t.Context(), store.Account{ID: acct, Name: acct, CreatedAt: time.Now()}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	// A user stored before the import, by the resolver's path.
	applyBatches(t, st, nil, acct, false, eventBatch(acct, 1, ident("old"), store.Identifier{Kind: "objectId", Value: "o"}))
	cache := newCache(t, st, acct)
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
	order := []string{"old", "m", "n", "g"} // as they first appear
	want := map[string]int{"old": 3, "m": 3, "n": 2, "g": 3}
	var last int64
	for _, v := range order {
		p, err := st.ProfileByIdentifier(t.Context(), acct, v)
		if err != nil {
			t.Fatal(err)
		}
		if evs, err := st.ProfileEvents(t.Context(), acct, p.ID, 10); err != nil || len(evs) != want[v] {
			t.Fatalf("%s's profile has %d events (%v), want %d", v, len(evs), err, want[v])
		}
		if p.ID <= last {
			t.Fatalf("%s's profile %d is not after the one before (%d): not in order of first appearance", v, p.ID, last)
		}
		last = p.ID
	}
	// No profile besides the users' (a user created twice leaves one behind).
	every, err := segment.Parse([]byte(`{"event": "E", "count": {"gte": 0}}`))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := st.CountSegment(t.Context(), acct, store.SegmentQuery{Filter: every, Now: time.Now()}); err != nil || n != int64(len(order)) {
		t.Fatalf("%d profiles (%v), want %d", n, err, len(order))
	}
}
