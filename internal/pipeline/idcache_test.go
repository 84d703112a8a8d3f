package pipeline

import (
	"fmt"
	"math"
	"testing"
	"time"

	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

func ident(v string) store.Identifier { return store.Identifier{Kind: "identity", Value: v} }

func TestIDCache(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, c *idCache)
	}{
		{"a note is seen at once and kept by keep", func(t *testing.T, c *idCache) {
			c.note(ident("a"), 7)
			if pid, ok := c.get(ident("a")); !ok || pid != 7 {
				t.Fatalf("before keep: got %d %v, want 7", pid, ok)
			}
			c.keep()
			c.forget(false) // nothing noted since keep: a no-op
			if pid, ok := c.get(ident("a")); !ok || pid != 7 || c.used != 1 {
				t.Fatalf("got %d %v with %d slots used, want 7 in 1", pid, ok, c.used)
			}
		}},
		{"a later note wins", func(t *testing.T, c *idCache) {
			c.note(ident("a"), 7)
			c.keep()
			c.note(ident("a"), 9)
			c.keep()
			if pid, _ := c.get(ident("a")); pid != 9 || c.used != 1 {
				t.Fatalf("got %d with %d slots used, want 9 in 1", pid, c.used)
			}
		}},
		{"kinds are apart", func(t *testing.T, c *idCache) {
			c.note(ident("a"), 7)
			c.keep()
			if _, ok := c.get(store.Identifier{Kind: "objectId", Value: "a"}); ok {
				t.Fatal("objectId a found as identity a")
			}
		}},
		{"forget drops what was noted, and the table with it", func(t *testing.T, c *idCache) {
			c.complete = true
			c.note(ident("a"), 7)
			c.keep()
			c.note(ident("b"), 8)
			c.forget(false)
			c.keep()
			if _, ok := c.get(ident("b")); ok {
				t.Fatal("a forgotten note was kept (or the cache still claims to be complete)")
			}
			if c.used != 0 || c.complete {
				t.Fatalf("after a rollback: %d slots used, complete %v; want an empty, incomplete table", c.used, c.complete)
			}
		}},
		{"forget all empties the table", func(t *testing.T, c *idCache) {
			c.note(ident("a"), 7)
			c.keep()
			c.forget(true)
			if _, ok := c.get(ident("a")); ok || c.used != 0 {
				t.Fatalf("after forget(true): found %v, %d used", ok, c.used)
			}
		}},
		{"ids beyond 32 bits are not kept", func(t *testing.T, c *idCache) {
			c.complete = true
			c.note(ident("a"), math.MaxUint32+1)
			c.keep()
			if pid, ok := c.get(ident("a")); ok {
				t.Fatalf("a 33-bit profile id: got %d", pid)
			}
		}},
		{"a complete cache knows what the store lacks", func(t *testing.T, c *idCache) {
			c.complete = true
			if pid, ok := c.get(ident("x")); !ok || pid != 0 {
				t.Fatalf("got %d %v, want 0 true", pid, ok)
			}
		}},
		{"a merge ends completeness", func(t *testing.T, c *idCache) {
			c.complete = true
			c.forget(true)
			if _, ok := c.get(ident("x")); ok {
				t.Fatal("after forget(true) the cache still says x is not stored")
			}
		}},
		{"growing keeps every entry", func(t *testing.T, c *idCache) {
			const n = 20_000
			hits := fillAndCount(t, c, n)
			if c.buckets == firstBuckets || c.buckets == c.maxBuckets {
				t.Fatalf("%d buckets (first %d, cap %d): want growth below the cap", c.buckets, firstBuckets, c.maxBuckets)
			}
			if hits != n || uint64(hits) != c.used {
				t.Fatalf("%d of %d found, %d slots used: want all", hits, n, c.used)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newIDCache(8)
			defer c.close()
			tc.run(t, c)
		})
	}
}

// At its cap the cache forgets some entries, and never answers wrong.
func TestIDCacheAtCap(t *testing.T) {
	c := newIDCache(1) // 65,536 slots
	defer c.close()
	hits := fillAndCount(t, c, 200_000)
	if c.buckets != c.maxBuckets {
		t.Fatalf("%d buckets, want the cap %d", c.buckets, c.maxBuckets)
	}
	if slots := int(c.maxBuckets * slotsPerBucket); hits > slots || hits < slots/2 {
		t.Fatalf("%d entries found, want between %d and %d", hits, slots/2, slots)
	}
}

// A complete cache that dropped entries never says a stored identifier is
// missing, and still knows that most others are.
func TestCompleteCacheAfterDrops(t *testing.T) {
	c := newIDCache(1) // 65,536 slots
	defer c.close()
	c.complete = true
	const n = 62_000 // 95% of the slots
	hits := fillAndCount(t, c, n)
	unsure := 0
	for i := range n {
		if pid, ok := c.get(ident(fmt.Sprint("u", i))); !ok {
			unsure++
		} else if pid == 0 {
			t.Fatalf("u%d is stored, the cache says it is not", i)
		}
	}
	if unsure == 0 || hits+unsure != n {
		t.Fatalf("%d found, %d unsure of %d: want some dropped, the rest found", hits, unsure, n)
	}
	absent := 0
	for i := range n {
		if pid, ok := c.get(ident(fmt.Sprint("v", i))); ok && pid == 0 {
			absent++
		} else if ok {
			t.Fatalf("v%d was never stored, got profile %d", i, pid)
		}
	}
	t.Logf("%d found, %d unsure, %d of %d never stored known as such", hits, unsure, absent, n)
	if absent < n/2 {
		t.Fatalf("%d of %d never stored known as such, want most", absent, n)
	}
}

// fillAndCount keeps users u0…u(n-1) as profiles 1…n, and returns how many
// the cache still finds; it fails on any wrong answer.
func fillAndCount(t *testing.T, c *idCache, n int) int {
	t.Helper()
	for i := range n {
		c.note(ident(fmt.Sprint("u", i)), int64(i+1))
	}
	c.keep()
	hits := 0
	for i := range n {
		pid, ok := c.get(ident(fmt.Sprint("u", i)))
		if ok && pid != int64(i+1) {
			t.Fatalf("u%d: got profile %d", i, pid)
		}
		if ok {
			hits++
		}
	}
	return hits
}

func TestNilIDCache(t *testing.T) {
	var c *idCache = newIDCache(0)
	c.note(ident("a"), 1)
	c.keep()
	c.forget(true)
	if _, ok := c.get(ident("a")); ok {
		t.Fatal("no cache found an entry")
	}
	c.close()
}

// TestCacheAcrossTransactions applies rows through a cache preloaded from a
// real store (so complete at first): a rolled-back transaction drops the
// table, and its profile id is taken by another user; a transaction of two
// batches meets a new identifier twice; a merge moves an identifier the
// merging row does not carry. Then a cache preloaded from the store knows
// every identifier.
func TestCacheAcrossTransactions(t *testing.T) {
	ctx := t.Context()
	st := sqlitetest.Open(t, "", sqlite.Options{})
	const acct = "ACME-0001"
	if err := st.CreateAccount(ctx, store.Account{ID: acct, Name: acct, CreatedAt: time.Now()}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	cache := newIDCache(1)
	defer cache.close()
	if err := cache.preload(ctx, st, acct, 100); err != nil || !cache.complete {
		t.Fatalf("preload of an empty account: complete %v (%v)", cache.complete, err)
	}
	obj := func(v string) store.Identifier { return store.Identifier{Kind: "objectId", Value: v} }
	row := 0
	event := func(ids ...store.Identifier) *batch {
		row++
		return eventBatch(acct, row, ids...)
	}
	apply := func(fail bool, bs ...*batch) { t.Helper(); applyBatches(t, st, cache, acct, fail, bs...) }
	apply(true, event(ident("n"))) // rolled back
	if cache.complete || cache.used != 0 {
		t.Fatalf("after a rollback: complete %v, %d slots used; want the table dropped", cache.complete, cache.used)
	}
	// The import stops on such an error; its next run preloads again.
	if err := cache.preload(ctx, st, acct, 100); err != nil || !cache.complete {
		t.Fatalf("preload after a rollback: complete %v (%v)", cache.complete, err)
	}
	apply(false, event(ident("m")))
	apply(false, event(ident("n")))
	apply(false, event(ident("g")), event(ident("g")))
	if !cache.complete {
		t.Fatal("the cache is no longer complete before any merge")
	}
	apply(false, event(ident("a")))
	apply(false, event(ident("b"), obj("q")))
	apply(false, event(ident("a"), obj("q"))) // merges b's profile into a's
	apply(false, event(ident("b")))

	want := map[string]int{"a": 4, "b": 4, "m": 1, "n": 1, "g": 2}
	pids := map[int64]string{}
	for v, n := range want {
		p, err := st.ProfileByIdentifier(ctx, acct, v)
		if err != nil {
			t.Fatal(err)
		}
		if evs, err := st.ProfileEvents(ctx, acct, p.ID, 10); err != nil || len(evs) != n {
			t.Fatalf("%s's profile has %d events (%v), want %d", v, len(evs), err, n)
		}
		if other, ok := pids[p.ID]; ok && other+v != "ab" && other+v != "ba" {
			t.Fatalf("%s and %s share profile %d", other, v, p.ID)
		}
		pids[p.ID] = v
		testPreloaded(t, st, acct, ident(v), p.ID)
	}
}

// testPreloaded checks that a cache preloaded from st knows id's profile and
// that no zz is stored, and that one preloaded with too low a limit is not complete.
func testPreloaded(t *testing.T, st *sqlite.DB, acct string, id store.Identifier, pid int64) {
	t.Helper()
	for _, limit := range []int{100, 2} {
		c := newIDCache(1)
		defer c.close()
		if err := c.preload(t.Context(), st, acct, limit); err != nil || c.complete != (limit == 100) {
			t.Fatalf("preload %d: complete %v (%v)", limit, c.complete, err)
		}
		if got, ok := c.get(id); limit == 100 && (!ok || got != pid) {
			t.Fatalf("preloaded cache: %s is %d (%v), want %d", id.Value, got, ok, pid)
		}
		if got, ok := c.get(ident("zz")); ok != (limit == 100) || got != 0 {
			t.Fatalf("preload %d: zz is %d (%v)", limit, got, ok)
		}
	}
}

// A cache preloaded with an account that nearly fills it is complete, and
// never says that a stored identifier is missing.
func TestPreloadNearlyFull(t *testing.T) {
	ctx := t.Context()
	st := sqlitetest.Open(t, "", sqlite.Options{})
	const acct, n = "ACME-0001", 55_000 // 84% of a 1 MiB cache's 65,536 slots
	err := st.InBatch(ctx, func(tx store.BatchTx) error {
		for i := range n {
			if err := tx.LinkIdentifiers(ctx, acct, int64(i+1), []store.Identifier{ident(fmt.Sprint("u", i))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := newIDCache(1)
	defer c.close()
	if err := c.preload(ctx, st, acct, n); err != nil || !c.complete || c.buckets != c.maxBuckets {
		t.Fatalf("complete %v with %d of %d buckets (%v)", c.complete, c.buckets, c.maxBuckets, err)
	}
	unsure := 0
	for i := range n {
		pid, ok := c.get(ident(fmt.Sprint("u", i)))
		switch {
		case !ok:
			unsure++
		case pid != int64(i+1):
			t.Fatalf("u%d: got profile %d, want %d", i, pid, i+1)
		}
	}
	if unsure > n/100 {
		t.Fatalf("%d of %d unsure, want under 1%%", unsure, n)
	}
}
