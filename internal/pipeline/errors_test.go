package pipeline_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"sluice/internal/pipeline"
	"sluice/internal/store"
)

const evHeader = "identity,evtName,Amount,Phone,Email"

// manifestFor is a valid event manifest for events.csv with Amount as INTEGER.
func manifestFor(typ string) string {
	return fmt.Sprintf(`{"type": %q, "fileName": "data.csv", "clientEmail": "ops@example.com",
		"columns": {"Amount": {"dataType": "INTEGER"}}}`, typ)
}

// TestManifestProblems: each invalid manifest of SPEC section 3 fails its
// import with its reason, and mails only when the table says so.
func TestManifestProblems(t *testing.T) {
	cases := []struct {
		name     string
		manifest string
		reason   string
		mail     bool
	}{
		{"not JSON", `{"type": "event",`, "Incorrect details in manifest file: ", false},
		{"clientEmail missing", `{"type": "event", "fileName": "data.csv"}`, "clientEmail", false},
		{"clientEmail invalid", `{"type": "event", "fileName": "data.csv", "clientEmail": "not-an-address"}`, "clientEmail", false},
		{"type missing", `{"fileName": "data.csv", "clientEmail": "ops@example.com"}`, "type", true},
		{"type unknown", `{"type": "user", "fileName": "data.csv", "clientEmail": "ops@example.com"}`, "type", true},
		{"fileName missing", `{"type": "event", "clientEmail": "ops@example.com"}`, "fileName", true},
		{"fileName not a data file", `{"type": "event", "fileName": "data.xlsx", "clientEmail": "ops@example.com"}`, "fileName", true},
		{"unknown dataType", `{"type": "event", "fileName": "data.csv", "clientEmail": "ops@example.com",
			"columns": {"Amount": {"dataType": "NUMBER"}}}`, "NUMBER", true},
		{"DATE without dateFormat", `{"type": "event", "fileName": "data.csv", "clientEmail": "ops@example.com",
			"columns": {"When": {"dataType": "DATE"}}}`, "dateFormat", true},
		{"unknown dateFormat", `{"type": "event", "fileName": "data.csv", "clientEmail": "ops@example.com",
			"columns": {"When": {"dataType": "DATE", "dateFormat": "yyyy-MM-dd"}}}`, "dateFormat", true},
	}
	h := newHarness(t, nil)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acct := fmt.Sprintf("M-%d", i)
			h.account(acct)
			h.upload(acct, "data.csv", evHeader+"\nu1,E,1,,\n")
			h.upload(acct, "m.manifest", c.manifest)
			imp := h.ended(acct, "m.manifest")
			if imp.Status != store.StatusFailed || !strings.HasPrefix(imp.Error, "Incorrect details in manifest file: ") ||
				!strings.Contains(imp.Error, c.reason) {
				t.Fatalf("status %s, error %q; want failed with a reason mentioning %q", imp.Status, imp.Error, c.reason)
			}
			assertMilestone(t, h, imp.ID, store.MilestoneFailed, c.mail)
		})
	}
}

func assertMilestone(t *testing.T, h *harness, importID int64, m store.Milestone, mail bool) {
	t.Helper()
	for _, it := range h.outbox() {
		if it.ImportID == importID && it.Milestone == m {
			if it.Mail != mail {
				t.Fatalf("milestone %s: mail %v, want %v", m, it.Mail, mail)
			}
			return
		}
	}
	t.Fatalf("no %s milestone for import %d in %+v", m, importID, h.outbox())
}

func TestNoDataFileFound(t *testing.T) {
	h := newHarness(t, func(c *pipeline.Config) { c.WaitTimeout = 300 * time.Millisecond })
	h.account("A-1")
	h.upload("A-1", "m.manifest", manifestFor("event"))
	imp := h.ended("A-1", "m.manifest")
	if imp.Status != store.StatusFailed || imp.Error != "No data file found" {
		t.Fatalf("%s %q", imp.Status, imp.Error)
	}
	assertMilestone(t, h, imp.ID, store.MilestoneFailed, true)
}

// TestDataFileAfterManifest: a manifest whose data file arrives later waits.
func TestDataFileAfterManifest(t *testing.T) {
	h := newHarness(t, nil)
	h.account("A-1")
	h.upload("A-1", "m.manifest", manifestFor("event"))
	deadline := time.Now().Add(5 * time.Second)
	for {
		imps, _ := h.st.ListImports(t.Context(), "A-1", store.ImportFilter{})
		if len(imps) == 1 && imps[0].Status == store.StatusWaiting {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("import not waiting: %+v", imps)
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.upload("A-1", "data.csv", evHeader+"\nu1,E,1,,\n")
	if imp := h.ended("A-1", "m.manifest"); imp.Status != store.StatusSucceeded || imp.RowsImported != 1 {
		t.Fatalf("%+v", imp)
	}
}

func TestUnreadableFiles(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"empty", "", "File couldn't be read: the file is empty; the first row must be the header"},
		{"duplicate header", "identity,evtName,identity\nu1,E,u2\n", `File couldn't be read: the header names column "identity" twice (columns 1 and 3); column names must be unique`},
		{"empty header name", "identity,,evtName\nu1,x,E\n", "File couldn't be read: column 2 of the header has no name; every column needs a unique name"},
		{"header with open quote", "identity,\"evtName\n", "File couldn't be read: the header row is malformed: Row has a quoted field that is never closed"},
	}
	h := newHarness(t, nil)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acct := fmt.Sprintf("U-%d", i)
			h.account(acct)
			h.upload(acct, "data.csv", c.data)
			h.upload(acct, "m.manifest", manifestFor("event"))
			imp := h.ended(acct, "m.manifest")
			if imp.Status != store.StatusFailed || imp.Error != c.want || len(imp.ErrorHeader) != 0 {
				t.Fatalf("status %s, error %q, error header %q; want failed %q", imp.Status, imp.Error, imp.ErrorHeader, c.want)
			}
			assertMilestone(t, h, imp.ID, store.MilestoneFailed, true)
		})
	}
}
