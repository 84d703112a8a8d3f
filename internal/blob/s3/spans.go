package s3

import (
	"slices"
	"sort"
)

// span is the byte range [start, end).
type span struct{ start, end int64 }

func (s span) len() int64 { return s.end - s.start }

// spans is a sorted set of disjoint, non-touching ranges.
type spans []span

// add merges s into the set.
func (ss spans) add(s span) spans {
	if s.len() <= 0 {
		return ss
	}
	i := sort.Search(len(ss), func(i int) bool { return ss[i].end >= s.start })
	j := i
	for j < len(ss) && ss[j].start <= s.end {
		s.start, s.end = min(s.start, ss[j].start), max(s.end, ss[j].end)
		j++
	}
	return slices.Replace(ss, i, j, s)
}

// cut removes [s.start, s.end) from the set.
func (ss spans) cut(s span) spans {
	out := ss[:0:0]
	for _, x := range ss {
		if x.end <= s.start || x.start >= s.end {
			out = append(out, x)
			continue
		}
		if x.start < s.start {
			out = append(out, span{x.start, s.start})
		}
		if x.end > s.end {
			out = append(out, span{s.end, x.end})
		}
	}
	return out
}
