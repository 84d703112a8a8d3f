package store

import (
	"slices"
	"strings"

	"sluice/internal/record"
)

// KindTally counts the kinds of sampled property values, so that each store
// only maps its JSON types to record kinds and gets KnownProperty lists
// ranked the same way.
type KindTally struct {
	m map[string]*kindCounts
}

type kindCounts struct {
	n      [record.KindList + 1]int64
	floats bool // some number is not whole
}

// Add counts n values of kind for the property name.
func (t *KindTally) Add(name string, kind record.Kind, n int64) {
	if kind < record.KindString || kind > record.KindList {
		return
	}
	if t.m == nil {
		t.m = map[string]*kindCounts{}
	}
	c := t.m[name]
	if c == nil {
		c = &kindCounts{}
		t.m[name] = c
	}
	if kind == record.KindFloat {
		c.floats, kind = true, record.KindInt // whole and other numbers count as one kind
	}
	c.n[kind] += n
}

// Properties lists every counted name with its most frequent kind (the
// lower kind on a tie), sorted by name; numbers are KindFloat if any was not
// whole. The list is never nil.
func (t *KindTally) Properties() []KnownProperty {
	out := make([]KnownProperty, 0, len(t.m))
	for name, c := range t.m {
		best := record.KindString
		for k := record.KindString; k <= record.KindList; k++ {
			if c.n[k] > c.n[best] {
				best = k
			}
		}
		if best == record.KindInt && c.floats {
			best = record.KindFloat
		}
		out = append(out, KnownProperty{Name: name, Kind: best})
	}
	slices.SortFunc(out, func(a, b KnownProperty) int { return strings.Compare(a.Name, b.Name) })
	return out
}
