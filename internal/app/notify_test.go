package app_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/config"
	"sluice/internal/notify"
	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
)

const (
	eventsCSV = "identity,ts,evtName,Amount\n" +
		"user-1,1700000000,Purchased,19.99\n" +
		"user-2,1700000100,,5\n" + // refused: no event name
		"user-3,1700000200,Purchased,7.5\n"
	eventsManifest = `{"type": "event", "fileName": "events.csv", "clientEmail": "ops@example.com",
		"columns": {"Amount": {"dataType": "FLOAT"}}}`
)

// fastNotify makes the notifier poll and retry in milliseconds.
func fastNotify(cfg *config.Config, smtpURL string) {
	cfg.SMTPURL = smtpURL
	cfg.NotifyPoll, cfg.RetryMin, cfg.RetryMax = 20*time.Millisecond, 30*time.Millisecond, 150*time.Millisecond
	cfg.SMTPTimeout, cfg.WebhookTimeout = 2*time.Second, 2*time.Second
}

// hookLog is a webhook receiver that keeps every POST and answers 204.
type hookLog struct {
	mu  sync.Mutex
	got []hookPost
	srv *httptest.Server
}

type hookPost struct {
	Body      []byte
	Signature string
	Event     struct {
		ID     string         `json:"id"`
		Event  string         `json:"event"`
		Import map[string]any `json:"import"`
		SentAt time.Time      `json:"sentAt"`
	}
}

func startHookLog(t *testing.T) *hookLog {
	h := &hookLog{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p hookPost
		p.Body, _ = io.ReadAll(r.Body)
		p.Signature = r.Header.Get(notify.SignatureHeader)
		json.Unmarshal(p.Body, &p.Event)
		h.mu.Lock()
		h.got = append(h.got, p)
		h.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookLog) posts() []hookPost {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]hookPost(nil), h.got...)
}

func TestNotificationsEndToEnd(t *testing.T) {
	mail := notifytest.StartSMTP(t, notifytest.Options{})
	cfg := apptest.Config(t)
	fastNotify(&cfg, "smtp://"+mail.Addr+"?starttls=none")
	env := apptest.Start(t, cfg)
	acct := env.NewAccount("Acme")
	hooks := startHookLog(t)
	var hook struct {
		ID     int64  `json:"id"`
		Secret string `json:"secret"`
	}
	if code := acct.API("POST", "/api/v1/webhooks", map[string]string{"url": hooks.srv.URL}, &hook); code != http.StatusCreated {
		t.Fatalf("add webhook: %d", code)
	}
	acct.Upload("events.csv", []byte(eventsCSV))
	acct.Upload("events.manifest", []byte(eventsManifest))
	imp := acct.ImportByManifest("events.manifest", 30*time.Second)
	if imp.Status != store.StatusPartial {
		t.Fatalf("import %+v: want partial", imp)
	}
	t.Run("mails", func(t *testing.T) { checkImportMails(t, env, acct, mail, imp.ID) })
	t.Run("webhooks", func(t *testing.T) { checkImportHooks(t, acct, hooks, hook.ID, hook.Secret, imp.ID) })
	t.Run("invalid manifests", func(t *testing.T) { checkInvalidManifests(t, env, acct, mail, hooks) })
	t.Run("metrics", func(t *testing.T) {
		// The pending gauge is refreshed by the notifier's next poll after the
		// last delivery, so it may lag the deliveries the tests above saw.
		wants := []string{`sluice_notifications_sent_total{channel="email"}`, `sluice_notifications_pending{channel="webhook"} 0`}
		var raw []byte
		apptest.Eventually(t, 10*time.Second, "/metrics to show "+strings.Join(wants, " and "), func() bool {
			env.Call("", "GET", "/metrics", nil, &raw)
			for _, want := range wants {
				if !strings.Contains(string(raw), want) {
					return false
				}
			}
			return true
		})
	})
}

func checkImportMails(t *testing.T, env *apptest.Env, acct *apptest.Account, mail *notifytest.SMTPServer, importID int64) {
	mails := mail.WaitMails(t, 2)
	events := []string{}
	for _, m := range mails[:2] {
		p := notifytest.Parse(t, m.Data)
		events = append(events, p.Header.Get("X-Sluice-Event"))
		if p.Header.Get("X-Sluice-Import") != strconv.FormatInt(importID, 10) || m.To[0] != "ops@example.com" {
			t.Fatalf("mail for import %s to %v", p.Header.Get("X-Sluice-Import"), m.To)
		}
		if p.Header.Get("X-Sluice-Event") != string(store.MilestonePartial) {
			continue
		}
		if got, want := string(p.Attachments["events.errors.csv"]), acct.ErrorFile(importID); got != want || !strings.Contains(got, "user-2") {
			t.Fatalf("attached error file %q, want the API's %q", got, want)
		}
		link := fmt.Sprintf("%simports/%d", env.App.PublicURL(), importID)
		if !strings.Contains(p.Text, link) || !strings.Contains(p.Text, "2 of 3 rows imported, 1 refused") {
			t.Fatalf("partial mail text lacks %s or the counts:\n%s", link, p.Text)
		}
	}
	if strings.Join(events, " ") != "import.picked_up import.partial" {
		t.Fatalf("mails %v, want picked_up then partial", events)
	}
}

func checkImportHooks(t *testing.T, acct *apptest.Account, hooks *hookLog, hookID int64, secret string, importID int64) {
	var posts []hookPost
	apptest.Eventually(t, 10*time.Second, "two webhook POSTs", func() bool { posts = hooks.posts(); return len(posts) >= 2 })
	for i, want := range []string{"import.picked_up", "import.partial"} {
		p := posts[i]
		if p.Event.Event != want || !notify.Verify(secret, p.Body, p.Signature) || p.Event.Import["id"] != float64(importID) {
			t.Fatalf("POST %d: event %q, signature ok %v, import %v; want %s", i+1, p.Event.Event,
				notify.Verify(secret, p.Body, p.Signature), p.Event.Import["id"], want)
		}
	}
	if posts[1].Event.Import["status"] != "partial" || posts[1].Event.Import["rowsFailed"] != float64(1) {
		t.Fatalf("partial event's import: %v", posts[1].Event.Import)
	}
	var out struct {
		Deliveries []struct {
			EventID    string `json:"eventId"`
			Status     string `json:"status"`
			AttemptLog []struct {
				StatusCode int `json:"statusCode"`
			} `json:"attemptLog"`
		} `json:"deliveries"`
	}
	apptest.Eventually(t, 10*time.Second, "both deliveries logged as delivered", func() bool {
		acct.API("GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hookID), nil, &out)
		return len(out.Deliveries) >= 2 && out.Deliveries[0].Status == "delivered" && out.Deliveries[1].Status == "delivered"
	})
	newest := out.Deliveries[0]
	if newest.EventID != posts[1].Event.ID || len(newest.AttemptLog) != 1 || newest.AttemptLog[0].StatusCode != 204 {
		t.Fatalf("delivery log %+v; want the partial event's id and one 204 attempt", newest)
	}
}

// checkInvalidManifests: invalid JSON and an invalid client email fire the
// webhook but send no mail; a manifest invalid otherwise is mailed.
func checkInvalidManifests(t *testing.T, env *apptest.Env, acct *apptest.Account, mail *notifytest.SMTPServer, hooks *hookLog) {
	before := len(hooks.posts())
	cases := []struct {
		manifest, body string
		mailed         bool
	}{
		{"broken.manifest", `{"type": "event", "fileName": `, false},
		{"bademail.manifest", `{"type": "event", "fileName": "x.csv", "clientEmail": "not-an-address"}`, false},
		{"notype.manifest", `{"fileName": "x.csv", "clientEmail": "ops@example.com"}`, true},
	}
	for _, c := range cases {
		acct.Upload(c.manifest, []byte(c.body))
	}
	apptest.Eventually(t, 10*time.Second, "a webhook for each invalid manifest", func() bool { return len(hooks.posts()) >= before+len(cases) })
	for _, c := range cases {
		imp := acct.ImportByManifest(c.manifest, 10*time.Second)
		ds, err := env.App.Store.ImportDeliveries(t.Context(), acct.ID, imp.ID)
		if err != nil {
			t.Fatal(err)
		}
		var channels []string
		for _, d := range ds {
			channels = append(channels, string(d.Channel))
		}
		t.Logf("%s: %s", c.manifest, imp.Error)
		want := map[bool]string{true: "email webhook", false: "webhook"}[c.mailed]
		if strings.Join(channels, " ") != want {
			t.Errorf("%s (%s): notified by %v, want %s", c.manifest, imp.Error, channels, want)
		}
	}
	mail.WaitMails(t, 3)
}
