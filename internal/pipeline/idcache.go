package pipeline

import (
	"context"
	"fmt"
	"hash/maphash"
	"math"

	"sluice/internal/offheap"
	"sluice/internal/store"
)

// idCache remembers, for the length of one import, which profile each
// identifier it met belongs to, so that a user's second and later rows cost
// no lookup in the store. Measured on 4M events of 1M users into SQLite,
// the lookups were half of the writer's time: one primary-key probe per row
// in an identifiers table larger than the page cache.
//
// It holds only committed facts once a transaction ends: what the
// transaction learns goes into the table at once (note), and stays if it
// commits (keep); if it rolls back, the whole table is dropped (forget),
// which only costs lookups, and the import stops on such an error anyway.
// Notes were first kept aside in a map until commit: probing that map on
// every lookup took 1.7 s of the writer's 48 s on 10M events. A merge moves
// identifiers the import never saw, so it empties the cache.
//
// When the import starts with every identifier of the account in the cache
// (preload), the cache is complete: an identifier it does not hold is not in
// the store either, so a user's first row needs no lookup. Only this import
// writes the account's identifiers while it runs (an account's imports run
// one at a time), and every identifier it writes is noted. A complete cache
// stays complete until a merge, but for identifiers whose two buckets both
// dropped an entry (idtable.go).
//
// The table (idtable.go) is memory outside the Go heap, where the
// collector would let the heap grow by as much again.
type idCache struct {
	seeds        [4]maphash.Seed // of h1 and h2: for the value, then for the kind
	kind         string          // the last kind hashed, and its two hashes
	kind1, kind2 uint64
	all          []uint64 // the table at its cap; pages are resident once written
	slots        []uint64 // the buckets in use, per slot: h1 (0: empty), then h2's high half << 32 | profile id
	buckets      uint64
	maxBuckets   uint64
	used         uint64 // slots in use
	free         func()
	dirty        bool     // the table holds notes of a transaction not yet committed
	complete     bool     // the store has no identifier the table lacks, but those unsure
	overflowed   []uint64 // a bit per bucket: an entry that belonged in it was dropped
}

type cacheKey struct{ h1, h2 uint64 }

// newIDCache makes a cache that grows to about mib MiB; nil (no cache) if
// mib < 1.
func newIDCache(mib int) *idCache {
	if mib < 1 {
		return nil
	}
	c := &idCache{maxBuckets: 1}
	for i := range c.seeds {
		c.seeds[i] = maphash.MakeSeed()
	}
	for c.maxBuckets*2*bucketBytes <= uint64(mib)<<20 {
		c.maxBuckets *= 2
	}
	c.overflowed = make([]uint64, (c.maxBuckets+63)/64)
	c.all, c.free = offheap.Slice[uint64](int(c.maxBuckets * slotsPerBucket * 2))
	c.buckets = min(firstBuckets, c.maxBuckets)
	c.slots = c.all[:c.buckets*slotsPerBucket*2]
	return c
}

const (
	slotsPerBucket = 8
	bucketBytes    = slotsPerBucket * 16
	firstBuckets   = 1024 // 64 KiB
)

// identifierScanner is the store's ScanIdentifiers.
type identifierScanner interface {
	ScanIdentifiers(ctx context.Context, accountID string, limit int, fn func(store.Identifier, int64)) (bool, error)
}

// preload adds up to limit of the account's stored identifiers, and at most
// 7/8 of the slots at the cap (where two-choice buckets still drop few); if
// they were all, the cache is complete.
func (c *idCache) preload(ctx context.Context, st identifierScanner, accountID string, limit int) error {
	if c == nil {
		return nil
	}
	held := true
	all, err := st.ScanIdentifiers(ctx, accountID, min(limit, int(c.maxBuckets*slotsPerBucket*7/8)), func(id store.Identifier, pid int64) {
		if !holdable(pid) {
			held = false
			return
		}
		h1, h2 := c.hash(id)
		c.add(cacheKey{h1, h2}, pid)
	})
	if err != nil {
		return fmt.Errorf("read the account's identifiers: %w", err)
	}
	c.complete = all && held
	return nil
}

// holdable reports whether a slot can hold profile id pid (32 bits of it).
func holdable(pid int64) bool { return pid > 0 && pid <= math.MaxUint32 }

// close returns the table's memory; the cache is not used after.
func (c *idCache) close() {
	if c != nil {
		c.all, c.slots = nil, nil
		c.free()
	}
}

// hash is an identifier's key: each half XORs a seeded hash of the value
// with one of the kind under a seed of its own, so that two identifiers
// share a half by chance only, even with kind and value swapped. A file's
// rows nearly always share a kind, whose hashes are kept. (maphash.Hash
// over kind, 0 and value took 100 ns a key, this 32 ns with the kind's too.)
func (c *idCache) hash(id store.Identifier) (h1, h2 uint64) {
	if id.Kind != c.kind || c.kind1 == 0 {
		c.kind = id.Kind
		c.kind1, c.kind2 = maphash.String(c.seeds[2], id.Kind)|1, maphash.String(c.seeds[3], id.Kind)
	}
	h1 = maphash.String(c.seeds[0], id.Value) ^ c.kind1
	h2 = (maphash.String(c.seeds[1], id.Value) ^ c.kind2) &^ math.MaxUint32
	if h1 == 0 {
		h1 = 1
	}
	return h1, h2
}

// get returns the profile of id if the cache knows it: ok with pid 0 means
// the store has no such identifier (known only to a complete cache).
func (c *idCache) get(id store.Identifier) (pid int64, ok bool) {
	if c == nil {
		return 0, false
	}
	h1, h2 := c.hash(id)
	if pid, ok := c.lookup(h1, h2); ok {
		return pid, true
	}
	return 0, c.complete && !c.unsure(h1, h2)
}

// note adds that id belongs to profile pid; it stays if the transaction
// commits (keep).
func (c *idCache) note(id store.Identifier, pid int64) {
	if c == nil {
		return
	}
	if !holdable(pid) { // not held, so no longer complete
		c.complete = false
		return
	}
	h1, h2 := c.hash(id)
	if have, ok := c.lookup(h1, h2); ok && have == pid {
		return
	}
	c.dirty = true
	c.add(cacheKey{h1, h2}, pid)
}

// keep keeps what was noted since the last keep or forget: call it once the
// transaction that learned it has committed.
func (c *idCache) keep() {
	if c != nil {
		c.dirty = false
	}
}

func (c *idCache) add(k cacheKey, pid int64) {
	if c.used*2 >= c.buckets*slotsPerBucket && c.buckets < c.maxBuckets {
		c.grow()
	}
	c.put(k, pid)
}

// forget drops what was noted since the last keep, after a rollback, and
// with it the whole table; after a merge (all), the table in any case.
func (c *idCache) forget(all bool) {
	if c == nil || !all && !c.dirty {
		return
	}
	clear(c.slots)
	c.used, c.complete, c.dirty = 0, false, false
}
