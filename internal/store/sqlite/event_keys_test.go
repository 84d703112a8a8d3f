package sqlite

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"sluice/internal/store"
)

// keysOf keeps events with the given profiles and times, ids from 1.
func keysOf(profiles, times []int64) *eventKeys {
	k := newEventKeys(int64(len(profiles)))
	evs := make([]store.Event, len(profiles))
	for i := range evs {
		evs[i] = store.Event{ProfileID: profiles[i], Time: times[i]}
	}
	k.next = 1
	k.added(1, evs)
	return k
}

// TestSortedKeys: a run's keys come out in event_profiles' order: profile,
// time, id.
func TestSortedKeys(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	many := func(n int) ([]int64, []int64) {
		ps, ts := make([]int64, n), make([]int64, n)
		for i := range n {
			ps[i], ts[i] = 1+r.Int64N(300), r.Int64N(100)
		}
		return ps, ts
	}
	for _, tc := range []struct {
		name     string
		profiles []int64
		times    []int64
	}{
		{"times rising", []int64{3, 1, 3, 2, 1}, []int64{10, 11, 12, 12, 13}},
		{"times going back", []int64{3, 1, 3, 2, 1}, []int64{10, 11, 9, 12, 5}},
		{"equal times, ids apart", []int64{2, 2, 1, 2}, []int64{-5, -5, 0, -5}},
		{"one key", []int64{7}, []int64{1}},
		{"many", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, ts := tc.profiles, tc.times
			if ps == nil {
				ps, ts = many(5000)
			}
			k := keysOf(ps, ts)
			want := slices.Clone(k.keys)
			slices.SortFunc(want, func(a, b eventKey) int {
				return cmp.Or(cmp.Compare(a.profile, b.profile), cmp.Compare(a.ts, b.ts), cmp.Compare(a.id, b.id))
			})
			if got := k.sorted(int64(len(ps))); !slices.Equal(got, want) {
				t.Fatalf("keys %+v, want %+v", got, want)
			}
			if k.keys[0].id == 0 {
				t.Fatal("ids not kept")
			}
		})
	}
}
