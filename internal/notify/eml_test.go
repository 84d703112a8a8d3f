package notify_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
)

// TestEMLOutbox: without --smtp-url every mail is a complete, readable
// .eml file in <data-dir>/outbox.
func TestEMLOutbox(t *testing.T) {
	st := newStore(t)
	cfg := fastConfig(t, "")
	n := startNotifier(t, cfg, st, nil)
	refused := []string{"u1,,Event name is mandatory\n"}
	runImport(t, st, "events", store.StatusPartial, refused)
	dir := filepath.Join(cfg.DataDir, "outbox")
	notifytest.WaitFor(t, func() bool { return len(mailFiles(t, dir)) >= 2 }, "two .eml files in %s", dir)
	n.Close()
	names := emlFiles(t, dir)
	if len(names) != 2 {
		t.Fatalf("outbox holds %v, want two mails", names)
	}
	pattern := regexp.MustCompile(`^\d{8}T\d{6}Z-\d{8}-import-\d+-(picked_up|partial)\.eml$`)
	wantEvents := []store.Milestone{store.MilestonePickedUp, store.MilestonePartial}
	for i, name := range names {
		t.Run(name, func(t *testing.T) {
			if !pattern.MatchString(name) {
				t.Fatalf("name %q does not match %s", name, pattern)
			}
			raw, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			m := notifytest.Parse(t, raw)
			if got := m.Header.Get("X-Sluice-Event"); got != string(wantEvents[i]) {
				t.Fatalf("file %d is a %q mail, want %q (files sort by time)", i, got, wantEvents[i])
			}
			if !strings.Contains(m.Text, "events.csv") || !strings.Contains(m.Text, "/imports/") || m.HTML == "" {
				t.Fatalf("body is not the readable mail:\ntext:\n%s\nhtml:\n%s", m.Text, m.HTML)
			}
			if wantEvents[i] == store.MilestonePartial && string(m.Attachments["events.errors.csv"]) != errHeader+refused[0] {
				t.Fatalf("error file attachment %q", m.Attachments)
			}
		})
	}
}

// emlFiles lists the outbox, sorted; hidden temporary files count too, so
// that a half-written mail left behind fails the test.
func emlFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// mailFiles lists the finished mails: not hidden, ending in .eml.
func mailFiles(t *testing.T, dir string) []string {
	var out []string
	for _, n := range emlFiles(t, dir) {
		if !strings.HasPrefix(n, ".") && strings.HasSuffix(n, ".eml") {
			out = append(out, n)
		}
	}
	return out
}
