package sqlite_test

import (
	"testing"
	"time"

	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
	"sluice/internal/store/storetest"
)

// TestConformance runs the store's contract three times: with the default
// event run, a batch's events wait outside event_profiles; with runs of one
// event, every batch indexes its events in an epoch of its own; and with
// those epochs merged in the background whenever the store is idle.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    sqlite.Options
	}{
		{"waiting events", sqlite.Options{CompactIdle: -1}},
		{"indexed events, an epoch a batch", sqlite.Options{EventRun: 1, CompactIdle: -1}},
		{"indexed events, compacted as soon as idle", sqlite.Options{EventRun: 1, EventEpoch: 1000, CompactIdle: time.Millisecond}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				return sqlitetest.Open(t, "", tc.o)
			})
		})
	}
}
