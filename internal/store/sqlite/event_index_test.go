package sqlite

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
)

// TestEventsAcrossRuns reads a profile's events when some are in
// event_profiles and some still wait after its watermark, and merges a
// profile whose events wait.
func TestEventsAcrossRuns(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), Options{EventRun: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateAccount(ctx, store.Account{ID: "A-1", Name: "A"}, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	u1 := store.Identifier{Kind: record.IDIdentity, Value: "u1"}
	u2 := store.Identifier{Kind: record.IDIdentity, Value: "u2"}
	var p1, p2 int64
	events := func(pid int64, ts ...int64) []store.Event {
		var out []store.Event
		for _, v := range ts {
			out = append(out, store.Event{AccountID: "A-1", ProfileID: pid, Name: "E", Time: v})
		}
		return out
	}
	batch := func(fn func(tx store.BatchTx) error) {
		t.Helper()
		if err := db.InBatch(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	batch(func(tx store.BatchTx) error {
		ps := []*store.Profile{{AccountID: "A-1", CreatedAt: time.Unix(0, 0)}, {AccountID: "A-1", CreatedAt: time.Unix(0, 0)}}
		if err := tx.CreateProfiles(ctx, ps); err != nil {
			return err
		}
		p1, p2 = ps[0].ID, ps[1].ID
		tx.LinkIdentifiers(ctx, "A-1", p1, []store.Identifier{u1})
		tx.LinkIdentifiers(ctx, "A-1", p2, []store.Identifier{u2})
		return tx.InsertEvents(ctx, events(p1, 1, 2, 3, 4)) // four events: a run
	})
	batch(func(tx store.BatchTx) error { return tx.InsertEvents(ctx, append(events(p1, 10, 0), events(p2, 7)...)) })
	if got := db.upto(t); got != 4 {
		t.Fatalf("watermark %d, want 4: the first batch's events in a run, the second's waiting", got)
	}
	for _, tc := range []struct {
		name  string
		limit int
		want  []int64
	}{
		{"latest three", 3, []int64{10, 4, 3}},
		{"all", 10, []int64{10, 4, 3, 2, 1, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, err := db.ProfileEvents(ctx, "A-1", p1, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got := times(evs); !slices.Equal(got, tc.want) {
				t.Fatalf("event times %v, want %v", got, tc.want)
			}
		})
	}
	evs, err := db.ListEvents(ctx, "A-1", store.EventFilter{Identifier: "u1"})
	if err != nil || !slices.Equal(times(evs), []int64{0, 10, 4, 3, 2, 1}) {
		t.Fatalf("events of u1, latest imported first: %v %v", times(evs), err)
	}
	batch(func(tx store.BatchTx) error { return tx.MergeProfiles(ctx, "A-1", p1, []int64{p2}) })
	if got := db.upto(t); got != 7 {
		t.Fatalf("watermark after the merge %d, want 7: a merge indexes the waiting events", got)
	}
	evs, err = db.ProfileEvents(ctx, "A-1", p1, 10)
	if err != nil || !slices.Equal(times(evs), []int64{10, 7, 4, 3, 2, 1, 0}) {
		t.Fatalf("merged profile's events %v %v", times(evs), err)
	}
	if evs, _ := db.ProfileEvents(ctx, "A-1", p2, 10); len(evs) != 0 {
		t.Fatalf("merged-away profile still has events %v", times(evs))
	}
}

func times(evs []store.Event) []int64 {
	var out []int64
	for _, e := range evs {
		out = append(out, e.Time)
	}
	return out
}

func (db *DB) upto(t *testing.T) int64 {
	t.Helper()
	var v int64
	if err := db.r.QueryRowContext(t.Context(), `SELECT upto FROM event_index`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}
