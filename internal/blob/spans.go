package blob

import (
	"slices"
	"sort"
)

// Span is the byte range [Start, End) of a file being written.
type Span struct{ Start, End int64 }

// Len is the span's length in bytes.
func (s Span) Len() int64 { return s.End - s.Start }

// Spans is a sorted set of disjoint, non-touching ranges.
type Spans []Span

// Add merges s into the set.
func (ss Spans) Add(s Span) Spans {
	if s.Len() <= 0 {
		return ss
	}
	i := sort.Search(len(ss), func(i int) bool { return ss[i].End >= s.Start })
	j := i
	for j < len(ss) && ss[j].Start <= s.End {
		s.Start, s.End = min(s.Start, ss[j].Start), max(s.End, ss[j].End)
		j++
	}
	return slices.Replace(ss, i, j, s)
}

// Cut removes [s.Start, s.End) from the set.
func (ss Spans) Cut(s Span) Spans {
	out := ss[:0:0]
	for _, x := range ss {
		if x.End <= s.Start || x.Start >= s.End {
			out = append(out, x)
			continue
		}
		if x.Start < s.Start {
			out = append(out, Span{x.Start, s.Start})
		}
		if x.End > s.End {
			out = append(out, Span{s.End, x.End})
		}
	}
	return out
}
