package notify_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"sluice/internal/config"
	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
	"sluice/internal/store/storetest"
)

// byEvent finds the one mail about an import milestone.
func byEvent(t *testing.T, mails []notifytest.Mail, importID int64, ev store.Milestone) notifytest.Parsed {
	t.Helper()
	var found []notifytest.Parsed
	for _, m := range mails {
		p := notifytest.Parse(t, m.Data)
		if p.Header.Get("X-Sluice-Event") == string(ev) && p.Header.Get("X-Sluice-Import") == strconv.FormatInt(importID, 10) {
			found = append(found, p)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d mails for %s of import %d, want exactly 1", len(found), ev, importID)
	}
	return found[0]
}

func TestMailOverSMTP(t *testing.T) {
	refused := []string{"u1,,Event name is mandatory\n", "null,Buy,\"Atleast one of identity / fbId / gpId / objectId is mandatory\"\n"}
	cases := []struct {
		name        string
		file        string // base name of the data file and manifest
		status      store.Status
		refused     []string
		attachLimit int64
		event       store.Milestone
		subject     string
		text        []string // each must appear in the plain-text body
		attached    bool
	}{
		{name: "succeeded", file: "ok", status: store.StatusSucceeded, event: store.MilestoneSucceeded,
			subject: "[sluice] Import succeeded: ok.csv",
			text:    []string{"The import of ok.csv succeeded: 1,000 rows imported.", "Manifest:   ok.manifest", "Imported:   1,000"}},
		{name: "partial attaches the error file", file: "part", status: store.StatusPartial, refused: refused, event: store.MilestonePartial,
			subject: "[sluice] Import partly succeeded: part.csv (2 rows refused)",
			text:    []string{"The import of part.csv partly succeeded: 998 of 1,000 rows imported, 2 refused.", "attached as part.errors.csv"}, attached: true},
		{name: "failed attaches the error file", file: "bad", status: store.StatusFailed, refused: refused, event: store.MilestoneFailed,
			subject: "[sluice] Import failed: bad.csv",
			text:    []string{"The import of bad.csv failed: File couldn't be read", "Reason:     File couldn't be read"}, attached: true},
		{name: "a large error file is linked", file: "big", status: store.StatusPartial, refused: refused, attachLimit: 64, event: store.MilestonePartial,
			subject: "[sluice] Import partly succeeded: big.csv (2 rows refused)",
			text:    []string{"big.errors.csv", "is too large to attach", "get /errors/big.errors.csv"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore(t)
			sink := notifytest.StartSMTP(t, notifytest.Options{})
			cfg := fastConfig(t, "smtp://"+sink.Addr+"?starttls=none")
			if c.attachLimit > 0 {
				cfg.AttachLimit = config.Size(c.attachLimit)
			}
			startNotifier(t, cfg, st, nil)
			imp := runImport(t, st, c.file, c.status, c.refused)
			mails := sink.WaitMails(t, 2)
			byEvent(t, mails, imp.ID, store.MilestonePickedUp)
			m := byEvent(t, mails, imp.ID, c.event)
			checkMail(t, m, c.subject, imp.ID, c.text)
			want := errHeader + strings.Join(c.refused, "")
			got, ok := m.Attachments[c.file+".errors.csv"]
			if ok != c.attached || (c.attached && string(got) != want) || (!c.attached && len(m.Attachments) > 0) {
				t.Fatalf("attachment %s.errors.csv present=%v, want present=%v with\n%q\nall attachments: %q", c.file, ok, c.attached, want, m.Attachments)
			}
		})
	}
}

func checkMail(t *testing.T, m notifytest.Parsed, subject string, importID int64, text []string) {
	t.Helper()
	if got := m.Header.Get("Subject"); got != subject {
		t.Errorf("subject %q, want %q", got, subject)
	}
	if to := m.Header.Get("To"); to != "<ops@example.com>" && to != "ops@example.com" {
		t.Errorf("To %q", to)
	}
	if id := m.Header.Get("Message-Id"); !strings.HasPrefix(id, "<evt_") || !strings.HasSuffix(id, "@sluice.example.com>") {
		t.Errorf("Message-ID %q: want <evt_…@sluice.example.com>", id)
	}
	link := fmt.Sprintf("https://sluice.example.com/imports/%d", importID)
	for _, want := range append(text, link) {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text body lacks %q:\n%s", want, m.Text)
		}
	}
	if !strings.Contains(m.HTML, `href="`+link+`"`) {
		t.Errorf("HTML body lacks a link to %s:\n%s", link, m.HTML)
	}
}

// webhookCounter is a receiver that answers 204 and counts what it got.
type webhookCounter struct {
	mu     sync.Mutex
	events []string
}

func (wc *webhookCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	wc.mu.Lock()
	wc.events = append(wc.events, r.Header.Get("X-Sluice-Event"))
	wc.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (wc *webhookCounter) count() int {
	wc.mu.Lock()
	defer wc.mu.Unlock()
	return len(wc.events)
}

// TestNoMailForInvalidManifest: SPEC §3 — no mail for invalid JSON or an
// invalid client email (the pipeline leaves ClientEmail empty, so the
// outbox item has mail off), but the webhook fires for each; a manifest
// invalid for another reason is mailed.
func TestNoMailForInvalidManifest(t *testing.T) {
	st := newStore(t)
	sink := notifytest.StartSMTP(t, notifytest.Options{})
	recv := &webhookCounter{}
	hook := httptest.NewServer(recv)
	t.Cleanup(hook.Close)
	w := storetest.MustWebhook(t, st, acct, hook.URL)
	if err := st.SetNotificationWebhook(t.Context(), acct, w.ID); err != nil {
		t.Fatal(err)
	}
	n := startNotifier(t, fastConfig(t, "smtp://"+sink.Addr+"?starttls=none"), st, nil)
	cases := []struct {
		name, manifest, email, reason string
		mailed                        bool
	}{
		{"invalid JSON", "broken.manifest", "", "Incorrect details in manifest file: not valid JSON", false},
		{"invalid client email", "noemail.manifest", "", "Incorrect details in manifest file: clientEmail is not a valid address", false},
		{"type missing", "notype.manifest", "ops@example.com", "Incorrect details in manifest file: type is missing", true},
	}
	ids := map[string]int64{}
	for _, c := range cases {
		ids[c.name] = invalidManifest(t, st, c.manifest, c.email, c.reason).ID
	}
	notifytest.WaitFor(t, func() bool { return recv.count() == len(cases) }, "a webhook for each invalid manifest")
	sink.WaitMails(t, 1)
	n.Close() // settle: every delivery that was made has been recorded
	mails := sink.Received()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := 0
			for _, m := range mails {
				if notifytest.Parse(t, m.Data).Header.Get("X-Sluice-Import") == strconv.FormatInt(ids[c.name], 10) {
					got++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[c.mailed]; got != want {
				t.Fatalf("%d mails, want %d", got, want)
			}
		})
	}
	if pending, err := st.PendingDeliveries(t.Context()); err != nil || pending[store.ChannelEmail] != 0 {
		t.Fatalf("pending mail deliveries %v %v: an invalid manifest's mail is queued", pending, err)
	}
}
