package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
	"sluice/internal/store/storetest"
	"sluice/internal/webhooks"
)

// tokens maps a test token to its account.
type tokens map[string]string

func (tk tokens) Authenticate(_ context.Context, token string) (store.Account, error) {
	if id, ok := tk[token]; ok {
		return store.Account{ID: id}, nil
	}
	return store.Account{}, errs.E(errs.Unauthorized, "unknown API token")
}

type apiClient struct {
	t   *testing.T
	url string
}

// call sends a JSON request as the token's account and decodes the answer into out.
func (c apiClient) call(method, path, token, body string, out any) int {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), method, c.url+path, strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			c.t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode
}

func newAPI(t *testing.T) (apiClient, *sqlite.DB) {
	t.Helper()
	db := sqlitetest.Open(t, "", sqlite.Options{})
	storetest.MustAccount(t, db, "A-1")
	storetest.MustAccount(t, db, "B-1")
	api := httpapi.New(httpapi.Deps{Auth: tokens{"tok-a": "A-1", "tok-b": "B-1"}, Store: db, Webhooks: &webhooks.Service{Store: db},
		Logger: slog.New(slog.NewTextHandler(t.Output(), nil))})
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return apiClient{t: t, url: srv.URL}, db
}

type webhookOut struct {
	ID                  int64  `json:"id"`
	URL                 string `json:"url"`
	Secret              string `json:"secret"`
	ImportNotifications bool   `json:"importNotifications"`
	Error               string `json:"error"`
}

type listOut struct {
	Webhooks  []webhookOut `json:"webhooks"`
	WebhookID *int64       `json:"webhookId"`
}

func TestWebhookRoutes(t *testing.T) {
	c, _ := newAPI(t)
	var first, second, theirs webhookOut
	if code := c.call("POST", "/api/v1/webhooks", "tok-a", `{"url": "https://a.example/hook"}`, &first); code != 201 ||
		!strings.HasPrefix(first.Secret, "whsec_") || len(first.Secret) < 30 || !first.ImportNotifications {
		t.Fatalf("first webhook: %d %+v; want 201, a generated secret, and import notifications on", code, first)
	}
	if code := c.call("POST", "/api/v1/webhooks", "tok-a", `{"url": "http://a.example/two", "secret": "0123456789abcdef"}`, &second); code != 201 ||
		second.Secret != "0123456789abcdef" || second.ImportNotifications {
		t.Fatalf("second webhook: %d %+v; want the given secret, notifications still on the first", code, second)
	}
	c.call("POST", "/api/v1/webhooks", "tok-b", `{"url": "https://b.example/hook"}`, &theirs)
	var list listOut
	if code := c.call("GET", "/api/v1/webhooks", "tok-a", "", &list); code != 200 || len(list.Webhooks) != 2 ||
		list.WebhookID == nil || *list.WebhookID != first.ID || list.Webhooks[0].Secret != "" {
		t.Fatalf("list: %d %+v; want two webhooks, the first chosen, no secrets", code, list)
	}
	steps := []struct {
		name, method, path, token, body string
		code                            int
		errHas                          string
		chosen                          int64 // A's chosen webhook afterwards
	}{
		{"no token", "GET", "/api/v1/webhooks", "", "", 401, "missing API token", first.ID},
		{"ftp URL", "POST", "/api/v1/webhooks", "tok-a", `{"url": "ftp://a.example/x"}`, 400, "http:// or https://", first.ID},
		{"relative URL", "POST", "/api/v1/webhooks", "tok-a", `{"url": "/hook"}`, 400, "http:// or https://", first.ID},
		{"no URL", "POST", "/api/v1/webhooks", "tok-a", `{}`, 400, "url is required", first.ID},
		{"short secret", "POST", "/api/v1/webhooks", "tok-a", `{"url": "https://x.example", "secret": "abc"}`, 400, "16 to 256", first.ID},
		{"unknown field", "POST", "/api/v1/webhooks", "tok-a", `{"url": "https://x.example", "sekret": "abc"}`, 400, "sekret", first.ID},
		{"choose the second", "PUT", "/api/v1/notifications", "tok-a", `{"webhookId": ` + itoa(second.ID) + `}`, 200, "", second.ID},
		{"choose another account's", "PUT", "/api/v1/notifications", "tok-a", `{"webhookId": ` + itoa(theirs.ID) + `}`, 404, "no webhook", second.ID},
		{"choose without webhookId", "PUT", "/api/v1/notifications", "tok-a", `{}`, 400, "webhookId is required", second.ID},
		{"choose a string", "PUT", "/api/v1/notifications", "tok-a", `{"webhookId": "x"}`, 400, "whole number", second.ID},
		{"turn off", "PUT", "/api/v1/notifications", "tok-a", `{"webhookId": null}`, 200, "", 0},
		{"choose the first again", "PUT", "/api/v1/notifications", "tok-a", `{"webhookId": ` + itoa(first.ID) + `}`, 200, "", first.ID},
		{"delete another account's", "DELETE", "/api/v1/webhooks/" + itoa(theirs.ID), "tok-a", "", 404, "no webhook", first.ID},
		{"deliveries of another account's", "GET", "/api/v1/webhooks/" + itoa(theirs.ID) + "/deliveries", "tok-a", "", 404, "no webhook", first.ID},
		{"delete the chosen one", "DELETE", "/api/v1/webhooks/" + itoa(first.ID), "tok-a", "", 204, "", 0},
		{"delete it again", "DELETE", "/api/v1/webhooks/" + itoa(first.ID), "tok-a", "", 404, "no webhook", 0},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var out struct {
				Error string `json:"error"`
			}
			if code := c.call(s.method, s.path, s.token, s.body, &out); code != s.code || !strings.Contains(out.Error, s.errHas) {
				t.Fatalf("%d %q; want %d with an error containing %q", code, out.Error, s.code, s.errHas)
			}
			var n struct {
				WebhookID *int64 `json:"webhookId"`
			}
			c.call("GET", "/api/v1/notifications", "tok-a", "", &n)
			if got := valueOr0(n.WebhookID); got != s.chosen {
				t.Fatalf("chosen webhook %d, want %d", got, s.chosen)
			}
		})
	}
}

func valueOr0(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func TestWebhookDeliveriesRoute(t *testing.T) {
	c, db := newAPI(t)
	w := storetest.MustWebhook(t, db, "A-1", "https://a.example/hook")
	it := storetest.MustOutboxItem(t, db, "A-1", "a.manifest", time.Now())
	now := time.Now().UTC().Truncate(time.Millisecond)
	d := store.Delivery{AccountID: "A-1", ImportID: it.ImportID, Milestone: it.Milestone, Channel: store.ChannelWebhook,
		WebhookID: w.ID, Target: w.URL, IdempotencyID: "evt_TEST", Payload: []byte(`{}`), NextAttemptAt: now, CreatedAt: now}
	if err := db.FanOut(t.Context(), it.ID, []store.Delivery{d}, now); err != nil {
		t.Fatal(err)
	}
	claimed, err := db.ClaimDeliveries(t.Context(), now, now.Add(time.Minute), 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	a := store.DeliveryAttempt{DeliveryID: claimed[0].ID, At: now, StatusCode: 502, Error: "HTTP 502 bad gateway", Duration: 1500 * time.Millisecond}
	if err := db.RecordAttempt(t.Context(), a, store.DeliveryPending, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Deliveries []httpapi.DeliveryJSON `json:"deliveries"`
		Next       *string                `json:"next"`
	}
	if code := c.call("GET", "/api/v1/webhooks/"+itoa(w.ID)+"/deliveries", "tok-a", "", &out); code != 200 || len(out.Deliveries) != 1 || out.Next != nil {
		t.Fatalf("deliveries: %d %+v", code, out)
	}
	got := out.Deliveries[0]
	if got.EventID != "evt_TEST" || got.Event != "import.failed" || got.ImportID != it.ImportID || got.Status != "pending" ||
		got.Attempts != 1 || got.NextAttemptAt == nil || !got.NextAttemptAt.Equal(now.Add(time.Minute)) || got.LastError != "HTTP 502 bad gateway" {
		t.Fatalf("delivery %+v", got)
	}
	if len(got.AttemptLog) != 1 || got.AttemptLog[0].StatusCode != 502 || got.AttemptLog[0].DurationMS != 1500 {
		t.Fatalf("attempt log %+v", got.AttemptLog)
	}
}
