package storetest

import (
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

func lease(owner string, until time.Time) store.Lease { return store.Lease{Owner: owner, Until: until} }

func pendingMilestones(t *testing.T, st store.Store) []store.Milestone {
	t.Helper()
	items, err := st.PendingOutbox(ctx(t), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ms []store.Milestone
	for _, it := range items {
		ms = append(ms, it.Milestone)
		if !it.Mail {
			t.Errorf("outbox item %d has mail off, but the import has a client email", it.ID)
		}
	}
	return ms
}

func testImportLifecycle(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	imp := MustImport(t, st, "A-1", "e.manifest", "e.csv", t0)
	if _, err := st.BindData(ctx(t), imp.ID, t0); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("bind without data: %v", err)
	}
	if _, err := st.Claim(ctx(t), lease("w", t0.Add(time.Minute)), t0); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("claim a waiting import: %v", err)
	}
	data := MustUpload(t, st, "A-1", "e.csv", store.KindData, t0)
	bound, err := st.BindData(ctx(t), imp.ID, t0)
	if err != nil || bound.Status != store.StatusQueued || bound.DataUploadID != data.ID || bound.SizeBytes != 10 {
		t.Fatalf("bind: %+v %v", bound, err)
	}
	got, err := st.Claim(ctx(t), lease("w", t0.Add(time.Minute)), t0)
	if err != nil || got.ID != imp.ID || got.Status != store.StatusProcessing || got.Attempts != 1 || got.StartedAt == nil {
		t.Fatalf("claim: %+v %v", got, err)
	}
	err = st.InBatch(ctx(t), func(tx store.BatchTx) error {
		if err := tx.SetErrorHeader(ctx(t), imp.ID, []byte("a,Failure Description\n")); err != nil {
			return err
		}
		if err := tx.InsertErrorRows(ctx(t), imp.ID, []store.ErrorRow{{Row: 2, Line: []byte("x,bad\n")}}); err != nil {
			return err
		}
		return tx.Checkpoint(ctx(t), imp.ID, lease("w", t0.Add(time.Minute)), store.Checkpoint{BytesRead: 9, RowsRead: 2, RowsImported: 1, RowsFailed: 1, ErrorBytes: 28})
	})
	if err != nil {
		t.Fatal(err)
	}
	got.Checkpoint = store.Checkpoint{BytesRead: 9, RowsRead: 2, RowsImported: 1, RowsFailed: 1, ErrorBytes: 28}
	got.Status = store.StatusPartial
	if err := st.Finish(ctx(t), got, "w", t0.Add(time.Second), store.MilestonePartial); err != nil {
		t.Fatal(err)
	}
	final, err := st.Import(ctx(t), "A-1", imp.ID)
	if err != nil || final.Status != store.StatusPartial || final.RowsFailed != 1 || final.FinishedAt == nil ||
		string(final.ErrorHeader) != "a,Failure Description\n" {
		t.Fatalf("final: %+v %v", final, err)
	}
	var lines []string
	st.ErrorRows(ctx(t), imp.ID, func(l []byte) error { lines = append(lines, string(l)); return nil })
	if len(lines) != 1 || lines[0] != "x,bad\n" {
		t.Fatalf("error rows %q", lines)
	}
	if vis, _ := st.VisibleUploads(ctx(t), "A-1"); len(vis) != 0 {
		t.Fatalf("processed uploads still visible: %+v", vis)
	}
	withErrs, err := st.ImportsWithErrors(ctx(t), "A-1")
	if err != nil || len(withErrs) != 1 {
		t.Fatalf("imports with errors: %+v %v", withErrs, err)
	}
	ms := pendingMilestones(t, st)
	if len(ms) != 2 || ms[0] != store.MilestonePickedUp || ms[1] != store.MilestonePartial {
		t.Fatalf("milestones %v", ms)
	}
	if _, err := st.Import(ctx(t), "B-2", imp.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another account's import: %v", err)
	}
}

// testClaimOrder: one account's imports run one at a time in manifest
// order; other accounts are not held up.
func testClaimOrder(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustAccount(t, st, "B-1")
	var a []store.Import
	for i, name := range []string{"a1", "a2", "a3"} {
		MustUpload(t, st, "A-1", name+".csv", store.KindData, t0)
		a = append(a, MustImport(t, st, "A-1", name+".manifest", name+".csv", t0.Add(time.Duration(i)*time.Second)))
	}
	MustUpload(t, st, "B-1", "b.csv", store.KindData, t0)
	b := MustImport(t, st, "B-1", "b.manifest", "b.csv", t0)
	for _, imp := range []store.Import{a[2], b, a[1], a[0]} { // bound out of order
		if _, err := st.BindData(ctx(t), imp.ID, t0); err != nil {
			t.Fatal(err)
		}
	}
	until := t0.Add(time.Hour)
	c1, _ := st.Claim(ctx(t), lease("w1", until), t0)
	c2, _ := st.Claim(ctx(t), lease("w2", until), t0)
	if c1.ID != a[0].ID || c2.ID != b.ID {
		t.Fatalf("claimed %d, %d; want %d (A's first) then %d (B's)", c1.ID, c2.ID, a[0].ID, b.ID)
	}
	if _, err := st.Claim(ctx(t), lease("w3", until), t0); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("claimed A's second import while its first runs: %v", err)
	}
	c1.Status = store.StatusSucceeded
	finished := t0.Add(5 * time.Second)
	if err := st.Finish(ctx(t), c1, "w1", finished, store.MilestoneSucceeded); err != nil {
		t.Fatal(err)
	}
	// The claimer read its clock (t0) before the finish was stamped, as a
	// worker does before it waits for the writer: the start still follows
	// the finish.
	c3, err := st.Claim(ctx(t), lease("w1", until), t0)
	if err != nil || c3.ID != a[1].ID {
		t.Fatalf("after A's first: %+v %v", c3, err)
	}
	if !c3.StartedAt.Equal(finished) {
		t.Fatalf("A's second import started at %s, before its first finished at %s", c3.StartedAt, finished)
	}
}

func testLeases(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustUpload(t, st, "A-1", "e.csv", store.KindData, t0)
	imp := MustImport(t, st, "A-1", "e.manifest", "e.csv", t0)
	st.BindData(ctx(t), imp.ID, t0)
	if _, err := st.Claim(ctx(t), lease("old", t0.Add(time.Minute)), t0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Claim(ctx(t), lease("new", t0.Add(2*time.Minute)), t0.Add(30*time.Second)); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("took over a live lease: %v", err)
	}
	if err := st.Renew(ctx(t), imp.ID, lease("old", t0.Add(2*time.Minute)), store.MilestoneProcessing, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(3 * time.Minute)
	taken, err := st.Claim(ctx(t), lease("new", later.Add(time.Minute)), later)
	if err != nil || taken.ID != imp.ID || taken.Attempts != 2 || !taken.MailedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("take over stale lease: %+v %v", taken, err)
	}
	if err := st.Renew(ctx(t), imp.ID, lease("old", later.Add(time.Hour)), "", later); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("renew by the old owner: %v", err)
	}
	err = st.InBatch(ctx(t), func(tx store.BatchTx) error {
		return tx.Checkpoint(ctx(t), imp.ID, lease("old", later.Add(time.Hour)), store.Checkpoint{RowsRead: 5})
	})
	if errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("checkpoint by the old owner: %v", err)
	}
	if err := st.Release(ctx(t), imp.ID, "new"); err != nil {
		t.Fatal(err)
	}
	if again, err := st.Claim(ctx(t), lease("third", later.Add(time.Hour)), later); err != nil || again.ID != imp.ID {
		t.Fatalf("claim after release: %+v %v", again, err)
	}
	ms := pendingMilestones(t, st)
	if len(ms) != 2 || ms[0] != store.MilestonePickedUp || ms[1] != store.MilestoneProcessing {
		t.Fatalf("milestones %v: want one picked-up (not one per claim) and one still-processing", ms)
	}
}
