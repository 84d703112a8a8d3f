package app_test

import (
	"maps"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

// The tests in this file run the real binary, `sluice serve`, as a child
// process, so that it can be killed like a crash and started again.

const okCSV = "identity,ts,evtName\nuser-1,1700000000,Opened\nuser-2,1700000100,Opened\n"

func okManifest(file string) string {
	return `{"type": "event", "fileName": "` + file + `", "clientEmail": "ops@example.com"}`
}

// startCustomer starts the process on a fresh data dir and registers a key
// for its first account through the CLI, as an operator would.
func startCustomer(t *testing.T, proc *apptest.Proc) (*apptest.Account, string) {
	t.Helper()
	proc.Start()
	id, token := proc.FirstAccount()
	pub, keyPath := apptest.NewKeyFile(t)
	pubFile := filepath.Join(t.TempDir(), "key.pub")
	if err := os.WriteFile(pubFile, []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	proc.CLI("key", "add", "--account", id, "--name", "ci", pubFile)
	return proc.Env().Account(id, token, keyPath), id
}

// TestServeWritesEMLOutbox: a fresh `sluice serve` without --smtp-url writes
// readable .eml files to <data-dir>/outbox.
func TestServeWritesEMLOutbox(t *testing.T) {
	proc := apptest.NewProc(t, "--notify-poll-interval", "20ms")
	acct, _ := startCustomer(t, proc)
	acct.Upload("a.csv", []byte(okCSV))
	acct.Upload("a.manifest", []byte(okManifest("a.csv")))
	imp := acct.ImportByManifest("a.manifest", 30*time.Second)
	outbox := filepath.Join(proc.DataDir, "outbox")
	var names []string
	apptest.Eventually(t, 10*time.Second, "two .eml files in "+outbox, func() bool {
		entries, _ := os.ReadDir(outbox)
		names = names[:0]
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), ".") { // a mail being written
				names = append(names, e.Name())
			}
		}
		return len(names) >= 2
	})
	sort.Strings(names)
	for i, want := range []string{"picked_up", "succeeded"} {
		if !strings.HasSuffix(names[i], "-import-"+strconv.FormatInt(imp.ID, 10)+"-"+want+".eml") {
			t.Fatalf("outbox %v: file %d is not the %s mail", names, i, want)
		}
		raw, err := os.ReadFile(filepath.Join(outbox, names[i]))
		if err != nil {
			t.Fatal(err)
		}
		m := notifytest.Parse(t, raw)
		if m.Header.Get("To") != "<ops@example.com>" || !strings.Contains(m.Text, "a.csv") || !strings.Contains(m.HTML, "/imports/") {
			t.Fatalf("%s is not a readable mail to ops@example.com:\n%s", names[i], raw)
		}
	}
}

// TestServeCrashRestartMailOnce: with the SMTP server down an import
// finishes; sluice is killed (SIGKILL) and restarted; the SMTP server comes
// up; each mail arrives exactly once.
func TestServeCrashRestartMailOnce(t *testing.T) {
	addr := notifytest.FreeAddr(t) // the SMTP server is down: nothing listens here
	proc := apptest.NewProc(t, "--smtp-url", "smtp://"+addr+"?starttls=none", "--notify-poll-interval", "20ms",
		"--notify-retry-min", "30ms", "--notify-retry-max", "150ms", "--smtp-timeout", "1s", "--webhook-timeout", "1s")
	acct, id := startCustomer(t, proc)
	acct.Upload("a.csv", []byte(okCSV))
	acct.Upload("a.manifest", []byte(okManifest("a.csv")))
	imp := acct.ImportByManifest("a.manifest", 30*time.Second)
	st := openStoreOf(t, proc.DataDir)
	waitDeliveries(t, st, id, imp.ID, "the first mail tried and failed", func(d store.Delivery) bool {
		return d.Status == store.DeliveryPending && (d.Milestone != store.MilestonePickedUp || d.Attempts >= 2)
	})
	proc.Kill()
	mail := notifytest.StartSMTP(t, notifytest.Options{Addr: addr})
	proc.Start()
	waitDeliveries(t, st, id, imp.ID, "both mails delivered", func(d store.Delivery) bool { return d.Status == store.DeliveryDelivered })
	// Kill again and import once more: when the new import's mails are in,
	// the third process has gone past the delivered ones (one address's
	// mails go in order), so a duplicate would have been sent by then.
	proc.Kill()
	proc.Start()
	acct.Upload("b.csv", []byte(okCSV))
	acct.Upload("b.manifest", []byte(okManifest("b.csv")))
	later := acct.ImportByManifest("b.manifest", 30*time.Second)
	waitDeliveries(t, st, id, later.ID, "both mails delivered", func(d store.Delivery) bool { return d.Status == store.DeliveryDelivered })
	count := map[string]int{}
	for _, m := range mail.Received() {
		p := notifytest.Parse(t, m.Data)
		count[p.Header.Get("X-Sluice-Import")+" "+p.Header.Get("X-Sluice-Event")]++
	}
	want := map[string]int{}
	for _, i := range []int64{imp.ID, later.ID} {
		for _, ev := range []store.Milestone{store.MilestonePickedUp, store.MilestoneSucceeded} {
			want[strconv.FormatInt(i, 10)+" "+string(ev)] = 1
		}
	}
	if !maps.Equal(count, want) {
		t.Fatalf("mails received %v, want each exactly once: %v", count, want)
	}
}

// openStoreOf opens the server's SQLite file alongside it (WAL allows both).
func openStoreOf(t *testing.T, dataDir string) *sqlite.DB {
	t.Helper()
	return sqlitetest.Open(t, filepath.Join(dataDir, "sluice.db"), sqlite.Options{})
}

// waitDeliveries waits until the import has two mail deliveries that all satisfy ok.
func waitDeliveries(t *testing.T, st *sqlite.DB, acct string, importID int64, what string, ok func(store.Delivery) bool) {
	t.Helper()
	apptest.Eventually(t, 20*time.Second, what, func() bool {
		ds, err := st.ImportDeliveries(t.Context(), acct, importID)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Channel != store.ChannelEmail || !ok(d) {
				return false
			}
		}
		return len(ds) == 2
	})
}
