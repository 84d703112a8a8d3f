package pipeline

import (
	"testing"

	"sluice/internal/manifest"
)

func TestBatchRows(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		typ  string
		want int
	}{
		{"events use batch rows", Config{BatchRows: 20000, ProfileBatchRows: 5000}, manifest.TypeEvent, 20000},
		{"profiles use profile batch rows", Config{BatchRows: 20000, ProfileBatchRows: 5000}, manifest.TypeProfile, 5000},
		{"profiles fall back to batch rows", Config{BatchRows: 300}, manifest.TypeProfile, 300},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &Pipeline{cfg: tc.cfg}
			if got := p.batchRows(tc.typ); got != tc.want {
				t.Fatalf("batchRows(%q) = %d, want %d", tc.typ, got, tc.want)
			}
		})
	}
}
