package notify_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sluice/internal/notify"
	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
	"sluice/internal/store/storetest"
)

// hookRequest is one POST a receiver got.
type hookRequest struct {
	Body   []byte
	Header http.Header
}

// receiver is a real HTTP server whose answers a test scripts.
type receiver struct {
	mu     sync.Mutex
	reqs   []hookRequest
	answer func(n int, w http.ResponseWriter, r *http.Request) // n counts from 1
	srv    *httptest.Server
}

func startReceiver(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) *receiver {
	rc := &receiver{answer: answer}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, hookRequest{Body: body, Header: r.Header.Clone()})
		n := len(rc.reqs)
		rc.mu.Unlock()
		rc.answer(n, w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []hookRequest {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]hookRequest(nil), rc.reqs...)
}

// chooseWebhook registers url for the account's import notifications.
func chooseWebhook(t *testing.T, st store.Store, url string) store.Webhook {
	t.Helper()
	w := storetest.MustWebhook(t, st, acct, url)
	if err := st.SetNotificationWebhook(t.Context(), acct, w.ID); err != nil {
		t.Fatal(err)
	}
	return w
}

// settled waits until the webhook's only delivery is no longer pending.
func settled(t *testing.T, st store.Store, w store.Webhook) store.Delivery {
	t.Helper()
	var d store.Delivery
	notifytest.WaitFor(t, func() bool {
		ds, err := st.WebhookDeliveries(t.Context(), acct, w.ID, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 1 {
			d = ds[0]
		}
		return len(ds) == 1 && d.Status != store.DeliveryPending
	}, "webhook %d's delivery to settle", w.ID)
	return d
}

func TestWebhookSignatureVerifies(t *testing.T) {
	st := newStore(t)
	rc := startReceiver(t, func(int, http.ResponseWriter, *http.Request) {})
	w := chooseWebhook(t, st, rc.srv.URL+"/hooks/sluice")
	startNotifier(t, fastConfig(t, ""), st, nil)
	imp := runImport(t, st, "signed", store.StatusSucceeded, nil)
	var reqs []hookRequest
	notifytest.WaitFor(t, func() bool { reqs = rc.requests(); return len(reqs) >= 2 }, "two webhook POSTs")
	mac := hmac.New(sha256.New, []byte(w.Secret))
	for i, want := range []store.Milestone{store.MilestonePickedUp, store.MilestoneSucceeded} {
		r := reqs[i]
		mac.Reset()
		mac.Write(r.Body)
		sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
		if got := r.Header.Get("X-Sluice-Signature"); got != sig || !notify.Verify(w.Secret, r.Body, got) {
			t.Fatalf("POST %d: signature %q, want %q", i+1, got, sig)
		}
		if notify.Verify(w.Secret, append(r.Body, ' '), sig) || notify.Verify("other secret", r.Body, sig) {
			t.Fatal("Verify accepts a changed body or another secret")
		}
		var ev struct {
			ID     string          `json:"id"`
			Event  string          `json:"event"`
			Import map[string]any  `json:"import"`
			SentAt time.Time       `json:"sentAt"`
			Extra  json.RawMessage `json:"extra"`
		}
		if err := json.Unmarshal(r.Body, &ev); err != nil {
			t.Fatalf("body is not JSON: %v\n%s", err, r.Body)
		}
		if ev.Event != string(want) || !strings.HasPrefix(ev.ID, "evt_") || ev.SentAt.IsZero() ||
			ev.Import["id"] != float64(imp.ID) || ev.Import["fileName"] != "signed.csv" {
			t.Fatalf("POST %d body: %s", i+1, r.Body)
		}
		if r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Sluice-Event") != string(want) {
			t.Fatalf("POST %d headers: %v", i+1, r.Header)
		}
	}
	if final := reqs[1]; !strings.Contains(string(final.Body), `"status":"succeeded"`) || !strings.Contains(string(final.Body), `"rowsImported":1000`) {
		t.Fatalf("the succeeded event does not carry the import's record: %s", final.Body)
	}
}

// TestWebhookRetriesKeepID: a receiver that fails twice (an error status,
// then a dropped connection) and then succeeds gets the same idempotency id
// three times, and the delivery log shows the three attempts.
func TestWebhookRetriesKeepID(t *testing.T) {
	st := newStore(t)
	rc := startReceiver(t, func(n int, w http.ResponseWriter, r *http.Request) {
		switch n {
		case 1:
			http.Error(w, "busy, try later", http.StatusServiceUnavailable)
		case 2:
			conn, _, _ := http.NewResponseController(w).Hijack()
			conn.Close() // a network error: no answer at all
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	w := chooseWebhook(t, st, rc.srv.URL)
	n := startNotifier(t, fastConfig(t, ""), st, nil)
	invalidManifest(t, st, "retry.manifest", "", "Incorrect details in manifest file: not valid JSON")
	d := settled(t, st, w)
	reqs := rc.requests()
	if len(reqs) != 3 {
		t.Fatalf("receiver got %d POSTs, want 3", len(reqs))
	}
	for i, r := range reqs {
		var ev struct{ ID string }
		json.Unmarshal(r.Body, &ev)
		if ev.ID != d.IdempotencyID || r.Header.Get("X-Sluice-Delivery") != d.IdempotencyID {
			t.Fatalf("POST %d carries id %q, want %q every time", i+1, ev.ID, d.IdempotencyID)
		}
	}
	log := d.AttemptLog
	if d.Status != store.DeliveryDelivered || d.Attempts != 3 || len(log) != 3 {
		t.Fatalf("delivery %+v: want delivered after 3 attempts, each logged", d)
	}
	if log[0].StatusCode != 503 || !strings.Contains(log[0].Error, "503") || !strings.Contains(log[0].Error, "busy") ||
		log[1].StatusCode != 0 || log[1].Error == "" || log[2].StatusCode != 204 || log[2].Error != "" {
		t.Fatalf("attempt log %+v", log)
	}
	n.Close()
	for _, m := range []struct {
		name string
		want float64
	}{{"sluice_notifications_sent_total", 1}, {"sluice_notification_attempt_errors_total", 2},
		{"sluice_notifications_failed_total", 0}, {"sluice_notifications_pending", 0}} {
		if got := metricValue(t, n.reg, m.name, "webhook"); got != m.want {
			t.Errorf("%s{channel=webhook} = %v, want %v", m.name, got, m.want)
		}
	}
}

// TestWebhookGivesUp: a receiver that never succeeds is retried until the
// retry period ends, then the delivery fails for good.
func TestWebhookGivesUp(t *testing.T) {
	st := newStore(t)
	rc := startReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	w := chooseWebhook(t, st, rc.srv.URL)
	cfg := fastConfig(t, "")
	cfg.RetryFor = 300 * time.Millisecond
	n := startNotifier(t, cfg, st, nil)
	invalidManifest(t, st, "doomed.manifest", "", "Incorrect details in manifest file: not valid JSON")
	d := settled(t, st, w)
	if d.Status != store.DeliveryFailed || d.Attempts < 3 || len(d.AttemptLog) != d.Attempts || d.LastError != "HTTP 500" {
		t.Fatalf("delivery %+v: want failed after several attempts", d)
	}
	last := d.AttemptLog[len(d.AttemptLog)-1]
	if last.At.Before(d.CreatedAt.Add(cfg.RetryFor)) {
		t.Fatalf("gave up at %v, before the retry period ended at %v", last.At, d.CreatedAt.Add(cfg.RetryFor))
	}
	n.Close()
	if got := metricValue(t, n.reg, "sluice_notifications_failed_total", "webhook"); got != 1 {
		t.Fatalf("failed_total %v, want 1", got)
	}
}

// TestWebhookTimeout: a receiver that never answers costs one bounded attempt.
func TestWebhookTimeout(t *testing.T) {
	st := newStore(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	rc := startReceiver(t, func(_ int, _ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	w := chooseWebhook(t, st, rc.srv.URL)
	cfg := fastConfig(t, "")
	cfg.WebhookTimeout, cfg.RetryFor = 100*time.Millisecond, 50*time.Millisecond
	startNotifier(t, cfg, st, nil)
	invalidManifest(t, st, "slow.manifest", "", "Incorrect details in manifest file: not valid JSON")
	d := settled(t, st, w)
	a := d.AttemptLog[0]
	if a.Error == "" || a.Duration < cfg.WebhookTimeout || a.Duration > cfg.WebhookTimeout+time.Second {
		t.Fatalf("attempt %+v: want a timeout error after about %v", a, cfg.WebhookTimeout)
	}
}

// metricValue reads one series of a gathered metric family.
func metricValue(t *testing.T, reg *prometheus.Registry, name, channel string) float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "channel" && l.GetValue() == channel {
					if m.GetCounter() != nil {
						return m.GetCounter().GetValue()
					}
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no metric %s{channel=%q}", name, channel)
	return 0
}
