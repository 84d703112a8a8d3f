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

// TestEventEpochs fills event_profiles in epochs of three entries: a run
// that would take the newest epoch past three starts another (one larger
// than three fills an empty epoch alone), and reads and merges find a
// profile's events in every epoch.
func TestEventEpochs(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), Options{EventRun: 1, EventEpoch: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CreateAccount(ctx, store.Account{ID: "A-1", Name: "A"}, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	var p1, p2 int64
	batch := func(fn func(tx store.BatchTx) error) {
		t.Helper()
		if err := db.InBatch(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	batch(func(tx store.BatchTx) error {
		ps := []*store.Profile{{AccountID: "A-1"}, {AccountID: "A-1"}}
		if err := tx.CreateProfiles(ctx, ps); err != nil {
			return err
		}
		p1, p2 = ps[0].ID, ps[1].ID
		tx.LinkIdentifiers(ctx, "A-1", p1, []store.Identifier{{Kind: record.IDIdentity, Value: "u1"}})
		return tx.LinkIdentifiers(ctx, "A-1", p2, []store.Identifier{{Kind: record.IDIdentity, Value: "u2"}})
	})
	// Each batch is one run: (profile, time) of its events.
	for _, run := range [][][2]int64{
		{{p1, 1}, {p1, 2}},                   // epoch 0: 2
		{{p1, 3}, {p2, 4}},                   // 2+2 > 3: epoch 1
		{{p1, 5}},                            // epoch 1: 3
		{{p2, 6}, {p1, 7}, {p1, 8}, {p2, 9}}, // epoch 2 alone: 4
	} {
		batch(func(tx store.BatchTx) error {
			var evs []store.Event
			for _, e := range run {
				evs = append(evs, store.Event{AccountID: "A-1", ProfileID: e[0], Name: "E", Time: e[1]})
			}
			return tx.InsertEvents(ctx, evs)
		})
	}
	var epochs string
	err = db.r.QueryRowContext(ctx, `SELECT group_concat(e.epoch || ':' || e.entries || '/' ||
		(SELECT count(*) FROM event_profiles p WHERE p.epoch = e.epoch), ' ') FROM (SELECT * FROM event_epochs ORDER BY epoch) e`).Scan(&epochs)
	if err != nil {
		t.Fatal(err)
	}
	if want := "0:2/2 1:3/3 2:4/4"; epochs != want {
		t.Fatalf("epochs (epoch:noted/held) %q, want %q", epochs, want)
	}
	if got := db.upto(t); got != 9 {
		t.Fatalf("watermark %d, want 9: every batch ran", got)
	}
	profileTimes := func(pid int64, limit int, want ...int64) {
		t.Helper()
		evs, err := db.ProfileEvents(ctx, "A-1", pid, limit)
		if err != nil || !slices.Equal(times(evs), want) {
			t.Fatalf("events of profile %d (limit %d): %v %v, want %v", pid, limit, times(evs), err, want)
		}
	}
	profileTimes(p1, 10, 8, 7, 5, 3, 2, 1)
	profileTimes(p1, 3, 8, 7, 5)
	evs, err := db.ListEvents(ctx, "A-1", store.EventFilter{Identifier: "u2"})
	if err != nil || !slices.Equal(times(evs), []int64{9, 6, 4}) {
		t.Fatalf("events of u2, latest imported first: %v %v", times(evs), err)
	}
	batch(func(tx store.BatchTx) error { return tx.MergeProfiles(ctx, "A-1", p1, []int64{p2}) })
	profileTimes(p1, 20, 9, 8, 7, 6, 5, 4, 3, 2, 1)
	profileTimes(p2, 20)
}
