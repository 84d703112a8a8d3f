package app_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	_ "github.com/mattn/go-sqlite3"

	"sluice/internal/apptest"
	"sluice/internal/config"
	"sluice/internal/httpapi"
	"sluice/internal/store"
	"sluice/internal/store/postgres/pgtest"
)

const crashRows = 300_000

func eventsFile(rows int) []byte {
	var b strings.Builder
	b.WriteString("identity,ts,evtName,Amount,Currency,Category,Quantity,PaymentMode\n")
	for i := range rows {
		fmt.Fprintf(&b, "user-%d,%d,Purchased,%d.5,INR,Books,%d,UPI\n", i%5000, 1700000000+i, i%1000, i%7)
	}
	return []byte(b.String())
}

// profilesFile gives 2,000 users 150 $add values each, so that their lists
// overflow the 100-item cap: a row lost, or applied again after its value
// was dropped from the list, changes the list. (Adding a value the list
// still holds changes nothing, so not every repeat shows.)
func profilesFile(rows int) []byte {
	var b strings.Builder
	b.WriteString("identity,Tags,Tags.operation,Seen\n")
	for i := range rows {
		fmt.Fprintf(&b, "user-%d,tag-%d,$add,%d\n", i%2000, i, i)
	}
	return []byte(b.String())
}

// crashStore is where a crash test's server keeps its data, and how the
// test reads it back afterwards.
type crashStore struct {
	environ []string      // environment of the server and CLI processes
	db      config.Config // the server's store (data dir or database URL)
	qty     string        // SQL: an event's Quantity as a number
	ref     config.Config // the reference app's configuration, on the same kind of store
}

func sqliteCrashStore(t *testing.T, proc *apptest.Proc) crashStore {
	return crashStore{db: config.Config{DataDir: proc.DataDir}, qty: `json_extract(props, '$.Quantity')`, ref: apptest.Config(t)}
}

func postgresCrashStore(t *testing.T, proc *apptest.Proc) crashStore {
	url := pgtest.URL(t)
	return crashStore{environ: []string{"SLUICE_DATABASE_URL=" + url}, db: config.Config{DataDir: proc.DataDir, DatabaseURL: url},
		qty: `(props ->> 'Quantity')::bigint`, ref: postgresConfig(t)}
}

// openDB opens a SQLite database file read-only.
func openDB(t *testing.T, path string) *sql.DB { return openSQL(t, "sqlite3", "file:"+path+"?mode=ro") }

// storeDB opens the database of cfg's store, to read what the app wrote.
func storeDB(t *testing.T, cfg config.Config) *sql.DB {
	if cfg.DatabaseURL != "" {
		return openSQL(t, "pgx", cfg.DatabaseURL)
	}
	return openDB(t, filepath.Join(cfg.DataDir, "sluice.db"))
}

func openSQL(t *testing.T, driver, dsn string) *sql.DB {
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// eachCrashStore runs fn on a server process with each store.
func eachCrashStore(t *testing.T, fn func(t *testing.T, proc *apptest.Proc, cs crashStore)) {
	for name, mk := range map[string]func(*testing.T, *apptest.Proc) crashStore{
		"sqlite": sqliteCrashStore, "postgres": postgresCrashStore,
	} {
		t.Run(name, func(t *testing.T) {
			proc := newCrashProc(t)
			cs := mk(t, proc)
			proc.Environ = cs.environ
			fn(t, proc, cs)
		})
	}
}

// newCrashProc is the server the crash tests kill. A transaction holds the
// writer for at most a quarter of the lease, so with a short lease the import
// passes checkpoints long before its end, to be killed between.
func newCrashProc(t *testing.T) *apptest.Proc {
	return apptest.NewProc(t, "--batch-rows", "5000", "--lease", "2s")
}

// killMidImport starts sluice as a child process, uploads data with its
// manifest, SIGKILLs the process while the import is processing (after at
// least one checkpoint), restarts it and returns the finished import.
func killMidImport(t *testing.T, proc *apptest.Proc, data []byte, manifest string) httpapi.ImportJSON {
	acct, _ := startCustomer(t, proc) // the key is added while the server runs
	return uploadKillResume(t, proc, acct, "data.csv", data, []byte(manifest))
}

// uploadKillResume uploads file and its manifest as m.manifest, SIGKILLs
// the process once the import has passed a checkpoint, restarts it, waits
// for the import to end and stops the process again.
func uploadKillResume(t *testing.T, proc *apptest.Proc, acct *apptest.Account, file string, data, manifest []byte) httpapi.ImportJSON {
	t.Helper()
	acct.Upload(file, data)
	acct.Upload("m.manifest", manifest)
	apptest.Eventually(t, 60*time.Second, "the import to pass a checkpoint", func() bool {
		imps := acct.Imports()
		if len(imps) == 1 && imps[0].Status.Ended() {
			t.Fatalf("the import ended before it could be killed: make the file larger: %+v", imps[0])
		}
		return len(imps) == 1 && imps[0].Status == store.StatusProcessing && imps[0].RowsRead > 0
	})
	proc.Kill()
	proc.Start()
	imp := acct.ImportByManifest("m.manifest", 3*time.Minute)
	proc.Kill()
	return imp
}

func TestCrashResumesEventsExactlyOnce(t *testing.T) { eachCrashStore(t, testCrashEvents) }

func testCrashEvents(t *testing.T, proc *apptest.Proc, cs crashStore) {
	imp := killMidImport(t, proc, eventsFile(crashRows),
		`{"type": "event", "fileName": "data.csv", "clientEmail": "ops@example.com", "columns": {"Quantity": {"dataType": "INTEGER"}}}`)
	if imp.Status != store.StatusSucceeded || imp.RowsRead != crashRows || imp.RowsImported != crashRows {
		t.Fatalf("import after restart: %+v", imp)
	}
	var n, distinct, qty int64
	err := storeDB(t, cs.db).QueryRow(`SELECT COUNT(*), COUNT(DISTINCT row), SUM(`+cs.qty+`) FROM events`).Scan(&n, &distinct, &qty)
	if err != nil {
		t.Fatal(err)
	}
	var wantQty int64
	for i := range crashRows {
		wantQty += int64(i % 7)
	}
	if n != crashRows || distinct != crashRows || qty != wantQty {
		t.Fatalf("%d events, %d distinct rows, Quantity sum %d; want %d, %d, %d", n, distinct, qty, crashRows, crashRows, wantQty)
	}
}

func TestCrashResumesProfilesExactlyOnce(t *testing.T) { eachCrashStore(t, testCrashProfiles) }

func testCrashProfiles(t *testing.T, proc *apptest.Proc, cs crashStore) {
	data := profilesFile(crashRows)
	manifest := `{"type": "profile", "fileName": "data.csv", "clientEmail": "ops@example.com", "columns": {"Seen": {"dataType": "LONG"}}}`
	imp := killMidImport(t, proc, data, manifest)
	if imp.Status != store.StatusSucceeded || imp.RowsImported != crashRows {
		t.Fatalf("import after restart: %+v", imp)
	}
	// The same file imported once, without a crash, is the reference.
	env := apptest.Start(t, cs.ref)
	ref := env.NewAccount("Ref")
	ref.Upload("data.csv", data)
	ref.Upload("m.manifest", []byte(manifest))
	if r := ref.ImportByManifest("m.manifest", 3*time.Minute); r.Status != store.StatusSucceeded {
		t.Fatalf("reference import: %+v", r)
	}
	env.App.Close()
	got, want := dumpProfiles(t, storeDB(t, cs.db)), dumpProfiles(t, storeDB(t, cs.ref))
	if len(got) != 2000 || len(got) != len(want) {
		t.Fatalf("%d profiles after the crash, %d in the reference", len(got), len(want))
	}
	for ident, props := range want {
		if got[ident] != props {
			t.Fatalf("%s after the crash:\n%s\nreference:\n%s", ident, got[ident], props)
		}
	}
}

func dumpProfiles(t *testing.T, db *sql.DB) map[string]string {
	rows, err := db.Query(`SELECT i.value, p.props FROM profiles p JOIN identifiers i ON i.profile_id = p.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, props string
		rows.Scan(&id, &props)
		out[id] = props
	}
	return out
}
