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
	out := l.pending
	l.pending = nil
	slices.SortStableFunc(out, compareLinks)
	// Of each run of one identifier, the last added wins.
	n := 0
	for i := range out {
		if i+1 < len(out) && compareLinks(out[i], out[i+1]) == 0 {
			continue
		}
		out[n] = out[i]
		n++
	}
	return out[:n]
}

func compareLinks(x, y Link) int {
	return cmp.Or(strings.Compare(x.AccountID, y.AccountID), strings.Compare(x.ID.Value, y.ID.Value),
		strings.Compare(x.ID.Kind, y.ID.Kind))
}
