package postgres_test

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/postgres/pgtest"
	"sluice/internal/store/storetest"
)

// openNodes opens n stores on one database: each has its own connection
// pool, as sluice nodes on different machines would.
func openNodes(t *testing.T, n int) []*postgres.DB {
	url := pgtest.URL(t)
	nodes := make([]*postgres.DB, n)
	for i := range nodes {
		db, err := postgres.Open(t.Context(), url, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		nodes[i] = db
	}
	return nodes
}

// queueImport records a data file and a manifest and makes a queued import.
func queueImport(t *testing.T, st store.Store, acct, name string) store.Import {
	t.Helper()
	storetest.MustUpload(t, st, acct, name+".csv", store.KindData, time.Now())
	imp := storetest.MustImport(t, st, acct, name+".manifest", name+".csv", time.Now())
	imp, err := st.BindData(t.Context(), imp.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return imp
}

// runLog checks, as workers report, that no account ever has two imports
// running and that each account's imports start in manifest order.
type runLog struct {
	mu      sync.Mutex
	running map[string]int64   // account → import running now
	want    map[string][]int64 // account → imports still to start, in order
	errs    []string
}

func (l *runLog) start(imp store.Import) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r := l.running[imp.AccountID]; r != 0 {
		l.errs = append(l.errs, fmt.Sprintf("import %d of %s claimed while %d runs", imp.ID, imp.AccountID, r))
	}
	if w := l.want[imp.AccountID]; len(w) == 0 || w[0] != imp.ID {
		l.errs = append(l.errs, fmt.Sprintf("import %d of %s claimed; next in order is %v", imp.ID, imp.AccountID, w))
	} else {
		l.want[imp.AccountID] = w[1:]
	}
	l.running[imp.AccountID] = imp.ID
}

func (l *runLog) end(imp store.Import) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.running, imp.AccountID)
}

// work claims and runs imports until ctx ends: a batch with a checkpoint,
// then Finish, as the pipeline does.
func work(ctx context.Context, st store.Store, owner string, log *runLog, done chan<- int64) {
	poll := time.NewTicker(2 * time.Millisecond)
	defer poll.Stop()
	for ctx.Err() == nil {
		now := time.Now()
		imp, err := st.Claim(ctx, store.Lease{Owner: owner, Until: now.Add(time.Minute)}, now)
		if err != nil {
			<-poll.C // nothing runnable (or ctx ended): poll again; the test's deadline bounds the loop
			continue
		}
		log.start(imp)
		err = st.InBatch(ctx, func(tx store.BatchTx) error {
			return tx.Checkpoint(ctx, imp.ID, store.Lease{Owner: owner, Until: now.Add(time.Minute)}, store.Checkpoint{RowsRead: 1})
		})
		log.end(imp)
		imp.Status = store.StatusSucceeded
		if err == nil {
			err = st.Finish(ctx, imp, owner, time.Now(), store.MilestoneSucceeded)
		}
		if err != nil {
			return
		}
		done <- imp.ID
	}
}

// TestClaimsAcrossNodes: workers of three nodes race for the imports of
// several accounts; an account never has two imports running, and its
// imports start in manifest order.
func TestClaimsAcrossNodes(t *testing.T) {
	nodes := openNodes(t, 3)
	log := &runLog{running: map[string]int64{}, want: map[string][]int64{}}
	const accounts, perAccount = 5, 6
	for a := range accounts {
		acct := fmt.Sprintf("ACCT-%d", a)
		storetest.MustAccount(t, nodes[0], acct)
		for i := range perAccount {
			imp := queueImport(t, nodes[i%len(nodes)], acct, fmt.Sprintf("f%d", i))
			log.want[acct] = append(log.want[acct], imp.ID)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	done := make(chan int64)
	var wg sync.WaitGroup
	for n, st := range nodes {
		for w := range 3 {
			wg.Go(func() { work(ctx, st, fmt.Sprintf("node%d/w%d", n, w), log, done) })
		}
	}
	for range accounts * perAccount {
		select {
		case <-done:
		case <-ctx.Done():
			t.Fatalf("imports did not all finish; still to start: %v", log.want)
		}
	}
	cancel()
	go func() { wg.Wait(); close(done) }()
	for range done {
	}
	for _, e := range log.errs {
		t.Error(e)
	}
}

// TestOlderImportWaitsForRunningOne: with several nodes, an import whose
// manifest committed late can be older than one that already runs; it must
// wait for that one to end, not run beside it.
func TestOlderImportWaitsForRunningOne(t *testing.T) {
	nodes := openNodes(t, 2)
	a, b := nodes[0], nodes[1]
	ctx, now := t.Context(), time.Now()
	storetest.MustAccount(t, a, "A-1")
	m1 := storetest.MustUpload(t, a, "A-1", "first.manifest", store.KindManifest, now)
	storetest.MustUpload(t, a, "A-1", "second.csv", store.KindData, now)
	second := storetest.MustImport(t, b, "A-1", "second.manifest", "second.csv", now)
	if _, err := b.BindData(ctx, second.ID, now); err != nil {
		t.Fatal(err)
	}
	lease := store.Lease{Owner: "b", Until: now.Add(time.Minute)}
	if got, err := b.Claim(ctx, lease, now); err != nil || got.ID != second.ID {
		t.Fatalf("claim the only import: %+v %v", got, err)
	}
	storetest.MustUpload(t, a, "A-1", "first.csv", store.KindData, now)
	first, err := a.CreateImport(ctx, store.Import{AccountID: "A-1", ManifestName: "first.manifest", ManifestUploadID: m1.ID,
		FileName: "first.csv", Type: "event", Status: store.StatusWaiting, Manifest: []byte(`{}`), ReceivedAt: now}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.BindData(ctx, first.ID, now); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Claim(ctx, store.Lease{Owner: "a", Until: now.Add(time.Minute)}, now); !errs.Is(err, errs.NotFound) {
		t.Fatalf("claimed %+v (%v) while import %d of the account runs", got, err, second.ID)
	}
	second.Status = store.StatusSucceeded
	if err := b.Finish(ctx, second, "b", now, store.MilestoneSucceeded); err != nil {
		t.Fatal(err)
	}
	if got, err := a.Claim(ctx, store.Lease{Owner: "a", Until: now.Add(time.Minute)}, now); err != nil || got.ID != first.ID {
		t.Fatalf("after the running import ended: %+v %v", got, err)
	}
}

// TestClaimSkipsAccountBeingClaimed: a claim holds its account's row lock
// until it commits; another node's claim skips that account meanwhile, so
// two claims of one account never decide on stale snapshots side by side.
func TestClaimSkipsAccountBeingClaimed(t *testing.T) {
	url := pgtest.URL(t)
	st, err := postgres.Open(t.Context(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	storetest.MustAccount(t, st, "A-1")
	imp := queueImport(t, st, "A-1", "f")
	other, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	tx, err := other.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`SELECT 1 FROM accounts WHERE id = 'A-1' FOR NO KEY UPDATE`); err != nil {
		t.Fatal(err)
	}
	lease := store.Lease{Owner: "w", Until: time.Now().Add(time.Minute)}
	if got, err := st.Claim(t.Context(), lease, time.Now()); !errs.Is(err, errs.NotFound) {
		t.Fatalf("claimed %+v (%v) while another claim holds the account", got, err)
	}
	tx.Rollback()
	if got, err := st.Claim(t.Context(), lease, time.Now()); err != nil || got.ID != imp.ID {
		t.Fatalf("claim after the other ended: %+v %v", got, err)
	}
}
