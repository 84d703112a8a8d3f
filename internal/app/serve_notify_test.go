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
)

const okCSV = "identity,ts,evtName\nuser-1,1700000000,Opened\nuser-2,1700000100,Opened\n"

func okManifest(file string) string {
	return `{"type": "event", "fileName": "` + file + `", "clientEmail": "ops@example.com"}`
}

// TestServeWritesEMLOutbox: a fresh `sluice serve` without --smtp-url writes
// readable .eml files to <data-dir>/outbox.
func TestServeWritesEMLOutbox(t *testing.T) {
	bin := buildSluice(t)
	dataDir := t.TempDir()
	s := serve(t, bin, dataDir, "--notify-poll-interval", "20ms")
	id, token := s.firstAccount(t)
	c := newCustomer(t, bin, dataDir, id, token)
	c.upload(t, s, [2]string{"a.csv", okCSV}, [2]string{"a.manifest", okManifest("a.csv")})
	imp := c.ended(t, s, "a.manifest")
	outbox := filepath.Join(dataDir, "outbox")
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
	if !strings.Contains(s.stderr.String(), "mail written to the outbox") {
		t.Fatal("the server did not log the mails it wrote")
	}
}

// TestServeCrashRestartMailOnce: with the SMTP server down an import
// finishes; sluice is killed (SIGKILL) and restarted; the SMTP server comes
// up; each mail arrives exactly once.
func TestServeCrashRestartMailOnce(t *testing.T) {
	bin := buildSluice(t)
	dataDir := t.TempDir()
	addr := notifytest.FreeAddr(t) // the SMTP server is down: nothing listens here
	flags := []string{"--smtp-url", "smtp://" + addr + "?starttls=none", "--notify-poll-interval", "20ms",
		"--notify-retry-min", "30ms", "--notify-retry-max", "150ms", "--smtp-timeout", "1s", "--webhook-timeout", "1s"}
	first := serve(t, bin, dataDir, flags...)
	id, token := first.firstAccount(t)
	c := newCustomer(t, bin, dataDir, id, token)
	c.upload(t, first, [2]string{"a.csv", okCSV}, [2]string{"a.manifest", okManifest("a.csv")})
	imp := c.ended(t, first, "a.manifest")
	st := openDB(t, dataDir)
	waitDeliveries(t, st, id, imp.ID, "the first mail tried and failed", func(d store.Delivery) bool {
		return d.Status == store.DeliveryPending && (d.Milestone != store.MilestonePickedUp || d.Attempts >= 2)
	})
	first.kill(t)
	mail := notifytest.StartSMTP(t, notifytest.Options{Addr: addr})
	second := serve(t, bin, dataDir, flags...)
	waitDeliveries(t, st, id, imp.ID, "both mails delivered", func(d store.Delivery) bool { return d.Status == store.DeliveryDelivered })
	// Kill again and import once more: when the new import's mails are in,
	// the third process has gone past the delivered ones (one address's
	// mails go in order), so a duplicate would have been sent by then.
	second.kill(t)
	third := serve(t, bin, dataDir, flags...)
	c.upload(t, third, [2]string{"b.csv", okCSV}, [2]string{"b.manifest", okManifest("b.csv")})
	later := c.ended(t, third, "b.manifest")
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

// openDB opens the server's SQLite file alongside it (WAL allows both).
func openDB(t *testing.T, dataDir string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(dataDir, "sluice.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
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
