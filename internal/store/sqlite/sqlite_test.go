package sqlite_test

import (
	"testing"

	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
	"sluice/internal/store/storetest"
)

// TestConformance runs the store's contract twice: with the default event
// run, a batch's events wait outside event_profiles; with runs of one event
// (and the tests' few events, an eighth of which is none), every batch
// indexes its events.
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name       string
		run, epoch int
	}{
		{"waiting events", 0, 0},
		{"indexed events", 1, 0},
		{"indexed events in epochs of two", 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store {
				db := sqlitetest.Open(t, "", sqlite.Options{EventRun: tc.run, EventEpoch: tc.epoch})
				return db
			})
		})
	}
}
