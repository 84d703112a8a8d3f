package app_test

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/store"
)

// foldFiles are two profile files of one identifier column. The first
// stores 1,000 heavy users (profiles 1–1,000) and 100,000 light ones; the
// second gives each heavy user 150 $add values, so that their lists
// overflow the 100-item cap (an operation lost, or applied out of order,
// changes which 100 remain), and each light user one change, so that the
// fold at its end rewrites 101 chunks of 1,000 profiles.
func foldFiles() (first, second []byte) {
	var a, b strings.Builder
	a.WriteString("identity,Tags,Tags.operation,Seen\n")
	b.WriteString("identity,Tags,Tags.operation,Seen\n")
	for i := range 1000 {
		fmt.Fprintf(&a, "heavy-%d,start,$add,0\n", i)
	}
	for i := range 100_000 {
		fmt.Fprintf(&a, "light-%d,start,$add,0\n", i)
	}
	for i := range 150_000 {
		fmt.Fprintf(&b, "heavy-%d,tag-%d,$add,%d\n", i%1000, i, i)
		if i%3 == 0 {
			fmt.Fprintf(&b, "light-%d,,,%d\n", i/3, i)
		}
	}
	for i := 50_000; i < 100_000; i++ {
		fmt.Fprintf(&b, "light-%d,,,%d\n", i, i)
	}
	return []byte(a.String()), []byte(b.String())
}

const foldManifest = `{"type": "profile", "fileName": %q, "clientEmail": "ops@example.com", "columns": {"Seen": {"dataType": "LONG"}}}`

// TestCrashDuringFold SIGKILLs sluice (SQLite) while it folds a profile
// import's kept operations into the profiles, once the heavy users' chunk
// has committed; after a restart the fold goes on where it stopped, and
// every profile equals the one of a run without a crash. (Folding a
// profile's whole sequence of operations again would not show: every
// operation sets, adds or removes, so a sequence applied twice ends where
// it ended once. TestFoldGoesOnWhereItStopped checks that a resumed fold
// leaves folded profiles alone.)
func TestCrashDuringFold(t *testing.T) {
	first, second := foldFiles()
	proc := newCrashProc(t)
	acct, _ := startCustomer(t, proc)
	acct.Upload("first.csv", first)
	acct.Upload("first.manifest", []byte(fmt.Sprintf(foldManifest, "first.csv")))
	if imp := acct.ImportByManifest("first.manifest", 3*time.Minute); imp.Status != store.StatusSucceeded {
		t.Fatalf("first import: %+v", imp)
	}
	acct.Upload("second.csv", second)
	acct.Upload("second.manifest", []byte(fmt.Sprintf(foldManifest, "second.csv")))
	db := openDB(t, filepath.Join(proc.DataDir, "sluice.db"))
	done := func() int64 {
		var n int64
		if err := db.QueryRow(`SELECT done_profile FROM profile_folds`).Scan(&n); err != nil && !errors.Is(err, sql.ErrNoRows) {
			t.Fatal(err)
		}
		return n
	}
	deadline := time.Now().Add(3 * time.Minute)
	for done() < 1000 {
		if time.Now().After(deadline) {
			t.Fatal("the fold did not pass the heavy users' chunk within 3 minutes")
		}
		time.Sleep(2 * time.Millisecond) // the fold's chunks take several ms each
	}
	proc.Kill()
	if d := done(); d < 1000 {
		t.Fatalf("killed after the fold ended (done_profile %d): it needs more chunks", d)
	}
	proc.Start()
	if imp := acct.ImportByManifest("second.manifest", 3*time.Minute); imp.Status != store.StatusSucceeded || imp.RowsImported != 250_000 {
		t.Fatalf("second import after restart: %+v", imp)
	}
	proc.Kill()

	ref := apptest.Start(t, apptest.Config(t))
	racct := ref.NewAccount("Ref")
	for _, f := range []struct {
		name string
		data []byte
	}{{"first", first}, {"second", second}} {
		racct.Upload(f.name+".csv", f.data)
		racct.Upload(f.name+".manifest", []byte(fmt.Sprintf(foldManifest, f.name+".csv")))
		if imp := racct.ImportByManifest(f.name+".manifest", 3*time.Minute); imp.Status != store.StatusSucceeded {
			t.Fatalf("reference import of %s: %+v", f.name, imp)
		}
	}
	ref.App.Close()
	got, want := dumpProfiles(t, openDB(t, filepath.Join(proc.DataDir, "sluice.db"))), dumpProfiles(t, openDB(t, filepath.Join(ref.Dir, "sluice.db")))
	if len(got) != 101_000 || len(want) != len(got) {
		t.Fatalf("%d profiles after the crash, %d in the reference", len(got), len(want))
	}
	for ident, props := range want {
		if got[ident] != props {
			t.Fatalf("%s after the crash:\n%s\nreference:\n%s", ident, got[ident], props)
		}
	}
}
