package pipeline

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

func ident(v string) store.Identifier { return store.Identifier{Kind: "identity", Value: v} }

func TestIDCache(t *testing.T) {
	tests := []struct {
		name string
		run  func(t *testing.T, c *idCache)
	}{
		{"a kept note is found", func(t *testing.T, c *idCache) {
			c.note(ident("a"), 7)
			if _, ok := c.get(ident("a")); ok {
				t.Fatal("found before keep")
			}
			c.keep()
			if pid, ok := c.get(ident("a")); !ok || pid != 7 {
				t.Fatalf("got %d %v, want 7", pid, ok)
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
		{"forget drops what was noted", func(t *testing.T, c *idCache) {
			c.note(ident("a"), 7)
			c.keep()
			c.note(ident("b"), 8)
			c.forget(false)
			c.keep()
			if _, ok := c.get(ident("b")); ok {
				t.Fatal("a forgotten note was kept")
			}
			if _, ok := c.get(ident("a")); !ok {
				t.Fatal("forget(false) dropped a kept entry")
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
			c.note(ident("a"), math.MaxUint32+1)
			c.keep()
			if _, ok := c.get(ident("a")); ok {
				t.Fatal("a 33-bit profile id was kept")
			}
		}},
		{"growing keeps nearly every entry", func(t *testing.T, c *idCache) {
			const n = 20_000
			hits := fillAndCount(t, c, n)
			if c.buckets == firstBuckets || c.buckets == c.maxBuckets {
				t.Fatalf("%d buckets (first %d, cap %d): want growth below the cap", c.buckets, firstBuckets, c.maxBuckets)
			}
			if hits < n*98/100 || uint64(hits) != c.used {
				t.Fatalf("%d of %d found, %d slots used: want at least 98%%, all used slots found", hits, n, c.used)
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

// TestCacheAcrossTransactions applies rows one transaction each, through
// the cache, on a real store: a merge moves an identifier the merging row
// does not carry, and a rolled-back transaction's profile id is taken by
// another user.
func TestCacheAcrossTransactions(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const acct = "ACME-0001"
	if err := st.CreateAccount(ctx, store.Account{ID: acct, Name: acct, CreatedAt: time.Now()}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	cache := newIDCache(1)
	defer cache.close()
	obj := func(v string) store.Identifier { return store.Identifier{Kind: "objectId", Value: v} }
	errRollback := errors.New("roll back")
	row := 0
	apply := func(fail bool, ids ...store.Identifier) {
		t.Helper()
		row++
		b := &batch{events: []store.Event{{AccountID: acct, ImportID: 1, Row: int64(row), Name: "E", Time: int64(row), Identifiers: ids}}}
		err := inBatch(ctx, st, cache, func(tx store.BatchTx) error {
			r := newResolver(acct, time.Now(), cache)
			if err := r.load(ctx, tx, b.identifiers(), false); err != nil {
				return err
			}
			if err := b.applyRows(ctx, tx, r); err != nil || !fail {
				return err
			}
			return errRollback
		})
		if err != nil && !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
	}
	apply(false, ident("a"))
	apply(false, ident("b"), obj("q"))
	apply(false, ident("a"), obj("q")) // merges b's profile into a's
	apply(false, ident("b"))
	apply(true, ident("n")) // rolled back
	apply(false, ident("m"))
	apply(false, ident("n"))

	pa, err := st.ProfileByIdentifier(ctx, acct, "a")
	if err != nil {
		t.Fatal(err)
	}
	if pb, err := st.ProfileByIdentifier(ctx, acct, "b"); err != nil || pb.ID != pa.ID {
		t.Fatalf("b is profile %d (%v), want a's %d", pb.ID, err, pa.ID)
	}
	evs, err := st.ProfileEvents(ctx, acct, pa.ID, 10)
	if err != nil || len(evs) != 4 {
		t.Fatalf("a's profile has %d events (%v), want 4", len(evs), err)
	}
	pm, err1 := st.ProfileByIdentifier(ctx, acct, "m")
	pn, err2 := st.ProfileByIdentifier(ctx, acct, "n")
	if err := errors.Join(err1, err2); err != nil || pm.ID == pn.ID {
		t.Fatalf("m is profile %d and n %d (%v), want two", pm.ID, pn.ID, err)
	}
}
