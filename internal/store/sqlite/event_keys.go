package sqlite

import (
	"cmp"
	"slices"

	"sluice/internal/offheap"
	"sluice/internal/store"
)

// eventKeys are the event_profiles keys of the newest events, kept as the
// writer inserts them, so that a sorted run sorts them in Go and need not
// read its events back and sort them in SQLite (measured on 2M events: a run
// cost 0.40 µs an event against 0.85). They are only a copy: a run uses them
// when they are exactly the events after the watermark, else it reads the
// events as before and the keys start again after them.
//
// They are mapped outside the Go heap (see offheap), at a cap of four runs;
// past it, the keys start again. Only the holder of the writer's connection
// touches them.
type eventKeys struct {
	next int64      // the id the next event kept must have; 0: none yet
	keys []eventKey // of the events next-len(keys) … next-1, in id order between runs
	max  int        // the cap of keys, mapped when first needed
	free func()
	used int64 // events indexed from kept keys, for tests
}

// maxKeptKeys bounds the mapping: 96 MB of address space (65,536 keys at
// least, for small runs).
const maxKeptKeys = 4 << 20

func newEventKeys(run int64) *eventKeys {
	return &eventKeys{max: int(min(max(4*run, 1<<16), maxKeptKeys)), free: func() {}}
}

type eventKey struct{ profile, ts, id int64 }

// added keeps the keys of evs, stored with the ids first, first+1, … (an
// INSERT gives each new row the highest rowid plus one, and events are
// never deleted).
func (k *eventKeys) added(first int64, evs []store.Event) {
	if first != k.next || len(k.keys)+len(evs) > k.max {
		k.keys = k.keys[:0]
		if len(evs) > k.max {
			return // next stays: the keys after these are not kept either
		}
	}
	if k.keys == nil {
		k.keys, k.free = offheap.Slice[eventKey](k.max)
		k.keys = k.keys[:0]
	}
	for i := range evs {
		k.keys = append(k.keys, eventKey{evs[i].ProfileID, evs[i].Time, first + int64(i)})
	}
	k.next = first + int64(len(evs))
}

// covers reports whether the keys are those of the events upto+1 … last.
func (k *eventKeys) covers(upto, last int64) bool {
	return k.next == last+1 && int64(len(k.keys)) == last-upto
}

// sorted sorts the keys of the oldest n events kept into event_profiles'
// order and returns them; drop(n) then forgets them.
func (k *eventKeys) sorted(n int64) []eventKey {
	run := k.keys[:n]
	slices.SortFunc(run, func(a, b eventKey) int {
		if c := cmp.Compare(a.profile, b.profile); c != 0 {
			return c
		}
		if c := cmp.Compare(a.ts, b.ts); c != 0 {
			return c
		}
		return cmp.Compare(a.id, b.id)
	})
	return run
}

func (k *eventKeys) drop(n int64) {
	k.keys = k.keys[:copy(k.keys, k.keys[n:])]
	k.used += n
}

// reset forgets every key; the next kept will be event next's.
func (k *eventKeys) reset(next int64) {
	k.keys = k.keys[:0]
	k.next = next
}

// close unmaps the keys and keeps none from then on.
func (k *eventKeys) close() {
	k.free()
	k.keys, k.max, k.free = nil, 0, func() {}
}
