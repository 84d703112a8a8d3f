package sftpd

import (
	"testing"
	"time"
)

func TestMemoryBans(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	tests := []struct {
		name       string
		failures   []int // seconds after t0, all from 10.0.0.1
		check      int   // second at which to ask
		wantBanned bool
	}{
		{"below threshold", []int{0, 1}, 2, false},
		{"at threshold", []int{0, 1, 2}, 3, true},
		{"spread beyond window", []int{0, 30, 61}, 62, false},
		{"ban expires", []int{0, 1, 2}, 2 + 600, false},
		{"ban still running", []int{0, 1, 2}, 2 + 599, true},
		{"failures after expiry count anew", []int{0, 1, 2, 700, 701}, 702, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewMemoryBans(3, time.Minute, 10*time.Minute)
			for _, s := range tc.failures {
				b.Failed("10.0.0.1", at(s))
			}
			if got := b.Banned("10.0.0.1", at(tc.check)); got != tc.wantBanned {
				t.Errorf("Banned = %v, want %v", got, tc.wantBanned)
			}
			if b.Banned("10.0.0.2", at(tc.check)) {
				t.Error("an address with no failures is banned")
			}
		})
	}
}

func TestMemoryBansPrunes(t *testing.T) {
	b := NewMemoryBans(3, time.Minute, time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		b.Failed(string(rune('a'+i%26))+"-addr", t0)
	}
	b.Failed("late", t0.Add(3*time.Minute))
	if n := len(b.addrs); n != 1 {
		t.Errorf("%d addresses remembered after their failures expired, want 1", n)
	}
}

func TestMemoryBansZeroThreshold(t *testing.T) {
	b := NewMemoryBans(0, time.Minute, time.Minute)
	now := time.Now()
	for range 10 {
		b.Failed("10.0.0.1", now)
	}
	if b.Banned("10.0.0.1", now) {
		t.Error("threshold 0 banned an address")
	}
}
