package store

import (
	"cmp"
	"slices"
	"strings"
)

// Link points one identifier at a profile.
type Link struct {
	AccountID string
	ID        Identifier
	ProfileID int64
}

// Links collects a batch's identifier links so that a store writes them
// together, in key order, instead of a statement per profile. (On SQLite the
// links' cost is mostly the random primary-key inserts themselves: grouping
// them changed 1M events by about 2%.)
type Links struct {
	pending []Link
}

// Add records that ids now point at profileID. Values are copied: links
// may wait for a whole transaction, and a value may be part of its row's
// text, which it would keep in memory.
func (l *Links) Add(accountID string, profileID int64, ids []Identifier) {
	for _, id := range ids {
		id.Value = strings.Clone(id.Value)
		l.pending = append(l.pending, Link{AccountID: accountID, ID: id, ProfileID: profileID})
	}
}

// Take empties l and returns its links, the last one of each identifier
// only (one upsert statement may not change a row twice), in key order so
// that the upsert walks the primary key's pages in order.
func (l *Links) Take() []Link {
	if len(l.pending) == 0 {
		return nil
	}
	in := l.pending
	l.pending = nil
	// Positions sorted by key, then by position, give a stable sort's order
	// at an unstable sort's cost (slices.SortStableFunc took 1.5 µs a link).
	order := make([]int32, len(in))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := compareLinks(&in[a], &in[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	permute(in, order)
	// Of each run of one identifier, the last added wins.
	n := 0
	for i := range in {
		if i+1 < len(in) && compareLinks(&in[i], &in[i+1]) == 0 {
			continue
		}
		in[n] = in[i]
		n++
	}
	return in[:n]
}

// permute moves in[order[j]] to in[j] for every j, in place, a cycle of the
// permutation at a time (a sorted copy of a transaction's links raised an
// import's peak RSS by up to 12 MB). It leaves order as the identity.
func permute(in []Link, order []int32) {
	for i := range order {
		if order[i] == int32(i) {
			continue
		}
		held := in[i]
		j := i
		for {
			k := int(order[j])
			order[j] = int32(j)
			if k == i {
				in[j] = held
				break
			}
			in[j] = in[k]
			j = k
		}
	}
}

func compareLinks(x, y *Link) int {
	if c := strings.Compare(x.AccountID, y.AccountID); c != 0 {
		return c
	}
	if c := strings.Compare(x.ID.Value, y.ID.Value); c != 0 {
		return c
	}
	return strings.Compare(x.ID.Kind, y.ID.Kind)
}
