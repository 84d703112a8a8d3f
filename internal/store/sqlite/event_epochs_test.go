package sqlite

import (
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
)

// epochFixture is a store with three profiles and a model of their events.
type epochFixture struct {
	t          *testing.T
	db         *DB
	p1, p2, p3 int64
	now        int64
	times      map[int64][]int64 // profile → its events' times
	owner      map[string]int64  // identifier → its profile
}

func newEpochFixture(t *testing.T, o Options) *epochFixture {
	ctx := t.Context()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateAccount(ctx, store.Account{ID: "A-1", Name: "A"}, []byte("hash")); err != nil {
		t.Fatal(err)
	}
	f := &epochFixture{t: t, db: db, times: map[int64][]int64{}}
	f.batch(func(tx store.BatchTx) error {
		ps := []*store.Profile{{AccountID: "A-1"}, {AccountID: "A-1"}, {AccountID: "A-1"}}
		if err := tx.CreateProfiles(ctx, ps); err != nil {
			return err
		}
		f.p1, f.p2, f.p3 = ps[0].ID, ps[1].ID, ps[2].ID
		f.owner = map[string]int64{"u1": f.p1, "u2": f.p2, "u3": f.p3}
		for i, v := range []string{"u1", "u2", "u3"} {
			tx.LinkIdentifiers(ctx, "A-1", ps[i].ID, []store.Identifier{{Kind: record.IDIdentity, Value: v}})
		}
		return nil
	})
	return f
}

func (f *epochFixture) batch(fn func(tx store.BatchTx) error) {
	f.t.Helper()
	if err := f.db.InBatch(f.t.Context(), fn); err != nil {
		f.t.Fatal(err)
	}
}

// events stores n events in one batch, taking turns among profiles.
func (f *epochFixture) events(n int, profiles ...int64) {
	f.t.Helper()
	var evs []store.Event
	for i := range n {
		pid := profiles[i%len(profiles)]
		f.now++
		evs = append(evs, store.Event{AccountID: "A-1", ProfileID: pid, Name: "E", Time: f.now})
		f.times[pid] = append(f.times[pid], f.now)
	}
	f.batch(func(tx store.BatchTx) error { return tx.InsertEvents(f.t.Context(), evs) })
}

// merged notes that profile from was merged into p1.
func (f *epochFixture) merged(from int64) {
	f.times[f.p1] = append(f.times[f.p1], f.times[from]...)
	slices.Sort(f.times[f.p1])
	delete(f.times, from)
	for id, pid := range f.owner {
		if pid == from {
			f.owner[id] = f.p1
		}
	}
}

// epochs is "epoch:noted/held …" in epoch order.
func (f *epochFixture) epochs() string {
	f.t.Helper()
	var s string
	err := f.db.r.QueryRowContext(f.t.Context(), `SELECT group_concat(e.epoch || ':' || e.entries || '/' ||
		(SELECT count(*) FROM event_profiles p WHERE p.epoch = e.epoch), ' ') FROM (SELECT * FROM event_epochs ORDER BY epoch) e`).Scan(&s)
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// checkIndex: event_profiles holds exactly the indexed events' keys.
func (f *epochFixture) checkIndex() {
	f.t.Helper()
	var events, entries, missing int64
	err := f.db.r.QueryRowContext(f.t.Context(), `SELECT
		(SELECT count(*) FROM events WHERE id <= (SELECT upto FROM event_index)),
		(SELECT count(*) FROM event_profiles),
		(SELECT count(*) FROM events e WHERE id <= (SELECT upto FROM event_index) AND NOT EXISTS
			(SELECT 1 FROM event_profiles p WHERE p.profile_id = e.profile_id AND p.ts = e.ts AND p.event_id = e.id))`).
		Scan(&events, &entries, &missing)
	if err != nil || entries != events || missing != 0 {
		f.t.Fatalf("%d indexed events, %d entries, %d events without theirs (%v)", events, entries, missing, err)
	}
}

func (f *epochFixture) compact(want bool) {
	f.t.Helper()
	var merged bool
	err := f.db.write(f.t.Context(), func(tx *sql.Tx) (err error) {
		merged, err = compactEpochs(f.t.Context(), tx, f.db.epochEntries)
		return err
	})
	if err != nil || merged != want {
		f.t.Fatalf("compaction merged %v (%v), want %v", merged, err, want)
	}
}

// checkReads reads every profile's events, all and the latest five, and by identifier.
func (f *epochFixture) checkReads() {
	f.t.Helper()
	for _, pid := range []int64{f.p1, f.p2, f.p3} {
		want := slices.Clone(f.times[pid])
		slices.Reverse(want)
		for _, limit := range []int{1000, 5} {
			evs, err := f.db.ProfileEvents(f.t.Context(), "A-1", pid, limit)
			if w := want[:min(limit, len(want))]; err != nil || !slices.Equal(times(evs), w) {
				f.t.Fatalf("events of profile %d (limit %d): %v %v, want %v", pid, limit, times(evs), err, w)
			}
		}
	}
	for id, pid := range f.owner {
		evs, err := f.db.ListEvents(f.t.Context(), "A-1", store.EventFilter{Identifier: id, Page: store.Page{Limit: 10}})
		if w := min(10, len(f.times[pid])); err != nil || len(evs) != w {
			f.t.Fatalf("events of %s: %d (%v), want %d", id, len(evs), err, w)
		}
	}
}

// TestEventEpochs: each sorted run fills an epoch of its own (the first
// the empty epoch 0), a small pass goes into the newest epoch, and
// compaction merges the oldest small epochs, as many as fit, and never a
// large one. Reads and merges find a profile's events in every epoch.
func TestEventEpochs(t *testing.T) {
	f := newEpochFixture(t, Options{EventRun: 128, EventEpoch: 600, CompactIdle: -1})
	f.events(128, f.p1, f.p2)
	f.events(130, f.p1, f.p2)
	f.events(2, f.p3) // waits: fewer than a run
	f.checkReads()
	f.batch(func(tx store.BatchTx) error { return tx.MergeProfiles(t.Context(), "A-1", f.p1, []int64{f.p3}) })
	f.merged(f.p3)
	f.events(200, f.p1, f.p2)
	if got, want := f.epochs(), "0:128/128 1:132/132 2:200/200"; got != want {
		t.Fatalf("epochs (epoch:noted/held) %q, want %q: runs apart, the merge's pass of two in the newest", got, want)
	}
	f.checkReads()
	f.checkIndex()
	f.compact(true)
	f.compact(false)
	f.events(400, f.p1, f.p2)
	f.events(150, f.p2)
	f.compact(false)
	f.events(160, f.p1)
	f.compact(true)
	if got, want := f.epochs(), "3:460/460 4:400/400 7:310/310"; got != want {
		t.Fatalf("epochs (epoch:noted/held) %q, want %q: small ones merged, the large ones left", got, want)
	}
	f.checkReads()
	f.batch(func(tx store.BatchTx) error { return tx.MergeProfiles(t.Context(), "A-1", f.p1, []int64{f.p2}) })
	f.merged(f.p2)
	f.checkReads()
	f.checkIndex()
}

// TestCompactWhenIdle: once imports stop writing, the compactor merges the
// runs' epochs in the background.
func TestCompactWhenIdle(t *testing.T) {
	f := newEpochFixture(t, Options{EventRun: 1, EventEpoch: 100, CompactIdle: time.Millisecond})
	f.events(2, f.p1)
	f.events(3, f.p1, f.p2)
	f.events(4, f.p2)
	// The compactor may run between the batches too: the last epoch's
	// number depends on when, not its entries.
	deadline := time.Now().Add(10 * time.Second)
	for e := f.epochs(); !strings.HasSuffix(e, ":9/9") || strings.Contains(e, " "); e = f.epochs() {
		if time.Now().After(deadline) {
			t.Fatalf("epochs %q, want one of nine entries", e)
		}
		time.Sleep(5 * time.Millisecond)
	}
	f.checkReads()
	f.checkIndex()
	var cache int
	err := f.db.write(t.Context(), func(tx *sql.Tx) error {
		return tx.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&cache)
	})
	if err != nil || cache != -32*1024 {
		t.Fatalf("the writer's page cache after compaction: %d KiB (%v), want its own 32 MiB back", -cache, err)
	}
}

// TestRunsFromKeptKeys: sorted runs take the keys the writer kept; after a
// rolled-back batch, or events another writer's run indexed, they read the
// events once and then take kept keys again.
func TestRunsFromKeptKeys(t *testing.T) {
	f := newEpochFixture(t, Options{EventRun: 100, CompactIdle: -1})
	used := func(want int64) {
		t.Helper()
		if f.db.keys.used != want {
			t.Fatalf("%d events indexed from kept keys, want %d", f.db.keys.used, want)
		}
	}
	f.events(60, f.p1, f.p2)
	f.events(60, f.p3, f.p1) // a run of 120
	used(120)
	f.events(30, f.p2)
	err := f.db.InBatch(t.Context(), func(tx store.BatchTx) error {
		evs := []store.Event{{AccountID: "A-1", ProfileID: f.p1, Name: "E", Time: 1}}
		if err := tx.InsertEvents(t.Context(), evs); err != nil {
			return err
		}
		return errors.New("refused")
	})
	if err == nil {
		t.Fatal("the failing batch committed")
	}
	f.events(80, f.p1, f.p3) // a run of 110 read from the events: 30 of its keys were dropped
	used(120)
	f.checkIndex()
	f.events(100, f.p2, f.p3)
	used(220)
	// The end of an import indexes what waits; a merge reads its profiles'
	// events back from event_profiles.
	f.events(7, f.p3)
	f.batch(func(tx store.BatchTx) error { return tx.MergeProfiles(t.Context(), "A-1", f.p1, []int64{f.p3}) })
	f.merged(f.p3)
	used(227)
	f.checkIndex()
	f.checkReads()
	// Events a pass indexed by other means (here SQL on the side) leave the
	// keys behind: the next run reads the events, and the keys start again.
	f.events(50, f.p2)
	if err := f.db.write(t.Context(), func(tx *sql.Tx) error {
		x, err := readEventIndex(t.Context(), tx)
		if err != nil {
			return err
		}
		if _, err := runFromEvents(t.Context(), tx, 100, x.upto, x.last); err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO event_epochs (epoch, entries) VALUES (100, ?); UPDATE event_index SET upto = ?`, x.last-x.upto, x.last)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	f.events(100, f.p1) // read from the events: the keys held 50 more
	used(227)
	f.events(100, f.p2)
	used(327)
	f.checkIndex()
	f.checkReads()
}
