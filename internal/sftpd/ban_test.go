package sftpd

import (
	"path/filepath"
	"testing"
	"time"

	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

// banLists builds each Bans implementation with threshold 3, a one-minute
// window and ten-minute bans.
var banLists = []struct {
	name string
	new  func(t *testing.T, threshold int) Bans
}{
	{"memory", func(t *testing.T, threshold int) Bans {
		return NewMemoryBans(threshold, time.Minute, 10*time.Minute)
	}},
	{"store", func(t *testing.T, threshold int) Bans {
		db := sqlitetest.Open(t, filepath.Join(t.TempDir(), "bans.db"), sqlite.Options{})
		return StoreBans{Store: db, Rule: store.BanRule{Threshold: threshold, Window: time.Minute, Duration: 10 * time.Minute}}
	}},
}

func TestBans(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	tests := []struct {
		name       string
		threshold  int
		failures   []int // seconds after t0, all from 10.0.0.1
		check      int   // second at which to ask
		wantBanned bool
	}{
		{"below threshold", 3, []int{0, 1}, 2, false},
		{"at threshold", 3, []int{0, 1, 2}, 3, true},
		{"spread beyond window", 3, []int{0, 30, 61}, 62, false},
		{"ban expires", 3, []int{0, 1, 2}, 2 + 600, false},
		{"ban still running", 3, []int{0, 1, 2}, 2 + 599, true},
		{"failures after expiry count anew", 3, []int{0, 1, 2, 700, 701}, 702, false},
		{"threshold 0 bans nobody", 0, []int{0, 1, 2, 3, 4, 5}, 6, false},
	}
	for _, impl := range banLists {
		for _, tc := range tests {
			t.Run(impl.name+"/"+tc.name, func(t *testing.T) {
				b := impl.new(t, tc.threshold)
				for _, s := range tc.failures {
					if _, err := b.Failed(t.Context(), "10.0.0.1", at(s)); err != nil {
						t.Fatal(err)
					}
				}
				if got, err := b.Banned(t.Context(), "10.0.0.1", at(tc.check)); err != nil || got != tc.wantBanned {
					t.Errorf("Banned = %v, %v; want %v", got, err, tc.wantBanned)
				}
				if got, _ := b.Banned(t.Context(), "10.0.0.2", at(tc.check)); got {
					t.Error("an address with no failures is banned")
				}
			})
		}
	}
}

func TestMemoryBansPrunes(t *testing.T) {
	b := NewMemoryBans(3, time.Minute, time.Minute)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		b.Failed(t.Context(), string(rune('a'+i%26))+"-addr", t0)
	}
	b.Failed(t.Context(), "late", t0.Add(3*time.Minute))
	if n := len(b.addrs); n != 1 {
		t.Errorf("%d addresses remembered after their failures expired, want 1", n)
	}
}
