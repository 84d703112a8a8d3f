package s3

import (
	"slices"
	"testing"
)

func TestSpans(t *testing.T) {
	tests := []struct {
		name string
		add  []span
		cut  span
		want spans
	}{
		{"merge touching", []span{{0, 10}, {10, 20}}, span{}, spans{{0, 20}}},
		{"merge overlapping out of order", []span{{30, 40}, {5, 35}, {0, 2}}, span{}, spans{{0, 2}, {5, 40}}},
		{"cut middle", []span{{0, 100}}, span{40, 60}, spans{{0, 40}, {60, 100}}},
		{"cut prefix of second", []span{{0, 10}, {20, 30}}, span{5, 25}, spans{{0, 5}, {25, 30}}},
		{"cut all", []span{{3, 7}}, span{0, 10}, spans{}},
		{"empty span ignored", []span{{5, 5}}, span{}, spans{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var ss spans
			for _, s := range tc.add {
				ss = ss.add(s)
			}
			if tc.cut != (span{}) {
				ss = ss.cut(tc.cut)
			}
			if !slices.Equal(ss, tc.want) {
				t.Fatalf("got %v, want %v", ss, tc.want)
			}
		})
	}
}
