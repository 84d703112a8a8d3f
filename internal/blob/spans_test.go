package blob

import (
	"slices"
	"testing"
)

func TestSpans(t *testing.T) {
	tests := []struct {
		name string
		add  []Span
		cut  Span
		want Spans
	}{
		{"merge touching", []Span{{0, 10}, {10, 20}}, Span{}, Spans{{0, 20}}},
		{"merge overlapping out of order", []Span{{30, 40}, {5, 35}, {0, 2}}, Span{}, Spans{{0, 2}, {5, 40}}},
		{"cut middle", []Span{{0, 100}}, Span{40, 60}, Spans{{0, 40}, {60, 100}}},
		{"cut prefix of second", []Span{{0, 10}, {20, 30}}, Span{5, 25}, Spans{{0, 5}, {25, 30}}},
		{"cut all", []Span{{3, 7}}, Span{0, 10}, Spans{}},
		{"empty span ignored", []Span{{5, 5}}, Span{}, Spans{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ss Spans
			for _, s := range tc.add {
				ss = ss.Add(s)
			}
			if tc.cut != (Span{}) {
				ss = ss.Cut(tc.cut)
			}
			if !slices.Equal(ss, tc.want) {
				t.Fatalf("got %v, want %v", ss, tc.want)
			}
		})
	}
}
