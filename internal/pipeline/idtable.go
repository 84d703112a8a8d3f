package pipeline

import "math"

// The cache's table: buckets of eight 16-byte slots, two cache lines each.
// It is mapped at its cap but starts small, so that only the pages in use
// are resident, and doubles in place when half full or when both buckets an
// entry may go in are full.
//
// Each key has two buckets (two-choice hashing): one by h1, one by h2's
// high half, and an entry goes in the emptier one. With one bucket each, 1%
// of the buckets overflowed at half load; with two, nearly none do. At the
// cap, an entry whose two buckets are full is dropped, which only costs a
// lookup again, and both buckets are marked: an identifier missing from two
// marked buckets may be stored.
//
// A key is 96 bits of two seeded hashes of the identifier; two identifiers
// that share them would be taken for one another. That happens about once
// in 2^71 lookups: a lookup compares 16 keys, which share at most 21 index
// bits of the 96 with it.

// homes are the two buckets of key (h1, h2).
func (c *idCache) homes(h1, h2 uint64) (uint64, uint64) {
	return h1 % c.buckets, (h2 >> 32) % c.buckets
}

func (c *idCache) bucketAt(i uint64) []uint64 {
	j := i * slotsPerBucket * 2
	return c.slots[j : j+slotsPerBucket*2]
}

func (c *idCache) lookup(h1, h2 uint64) (int64, bool) {
	i1, i2 := c.homes(h1, h2)
	for _, i := range [2]uint64{i1, i2} {
		b := c.bucketAt(i)
		for j := 0; j < len(b); j += 2 {
			if b[j] == h1 && b[j+1]&^math.MaxUint32 == h2 {
				return int64(b[j+1] & math.MaxUint32), true
			}
		}
	}
	return 0, false
}

// unsure reports whether a key the table lacks may have been dropped.
func (c *idCache) unsure(h1, h2 uint64) bool {
	i1, i2 := c.homes(h1, h2)
	return c.marked(i1) && c.marked(i2)
}

func (c *idCache) marked(i uint64) bool { return c.overflowed[i/64]&(1<<(i%64)) != 0 }

func (c *idCache) mark(i uint64) { c.overflowed[i/64] |= 1 << (i % 64) }

// put sets key k to pid: in place if present, else in the emptier of its
// buckets, growing the table while both are full and it is below its cap.
func (c *idCache) put(k cacheKey, pid int64) {
	for {
		i1, i2 := c.homes(k.h1, k.h2)
		at1, free1 := slotFor(c.bucketAt(i1), k)
		at2, free2 := slotFor(c.bucketAt(i2), k)
		i, at := i1, at1
		switch {
		case free1 < 0: // present in i1
		case free2 < 0: // present in i2
			i, at = i2, at2
		case free1 > 0 || free2 > 0:
			if free2 > free1 {
				i, at = i2, at2
			}
			c.used++
		case c.buckets < c.maxBuckets:
			c.grow()
			continue
		default:
			c.mark(i1)
			c.mark(i2)
			return
		}
		b := c.bucketAt(i)
		b[at], b[at+1] = k.h1, k.h2|uint64(pid)
		return
	}
}

// slotFor finds k in bucket b: its slot and free -1 if present, else the
// first empty slot (-1 if none) and how many are empty.
func slotFor(b []uint64, k cacheKey) (at, free int) {
	at = -1
	for j := 0; j < len(b); j += 2 {
		switch {
		case b[j] == k.h1 && b[j+1]&^math.MaxUint32 == k.h2:
			return j, -1
		case b[j] == 0:
			if at < 0 {
				at = j
			}
			free++
		}
	}
	return at, free
}

// grow doubles the table in place. An entry of bucket i sits in its first
// or its second home; either index, modulo twice as many buckets, is i or
// i+n, and bucket i+n is filled only from bucket i, so nothing collides.
// Marks are made only at the cap, so there are none to move.
func (c *idCache) grow() {
	n := c.buckets
	c.buckets *= 2
	c.slots = c.all[:c.buckets*slotsPerBucket*2]
	for i := range n {
		from, to := c.bucketAt(i), c.bucketAt(i+n)
		k := 0
		for j := 0; j < len(from); j += 2 {
			if from[j] == 0 {
				continue
			}
			home := from[j] % c.buckets
			if from[j]%n != i { // in its second home
				home = (from[j+1] >> 32) % c.buckets
			}
			if home != i {
				to[k], to[k+1] = from[j], from[j+1]
				from[j], from[j+1] = 0, 0
				k += 2
			}
		}
	}
}
