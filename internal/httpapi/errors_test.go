package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
)

// TestErrorsAreJSON checks that every kind of API error answers with a JSON
// body {"error": "<message>"} and a fitting status, including for routes
// that do not exist and for another account's objects.
func TestErrorsAreJSON(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme, beta := env.NewAccount("Acme"), env.NewAccount("Beta")
	acme.Upload("e.csv", []byte("identity,evtName\nu1,Opened\n"))
	acme.Upload("e.manifest", []byte(`{"type":"event","fileName":"e.csv","clientEmail":"a@example.com"}`))
	imp := acme.ImportByManifest("e.manifest", 10*time.Second)
	acme.Upload("bad.manifest", []byte(`{"type":"neither","fileName":"e.csv","clientEmail":"a@example.com"}`))
	failed := acme.ImportByManifest("bad.manifest", 10*time.Second)

	tests := []struct {
		name, token, method, path, body string
		status                          int
		contains                        string
	}{
		{"no token", "", "GET", "/api/v1/imports", "", 401, "missing API token"},
		{"wrong token", "sluice_nope", "GET", "/api/v1/keys", "", 401, ""},
		{"malformed token", "hello", "GET", "/api/v1/keys", "", 401, "API token"},
		{"unknown route", acme.Token, "GET", "/api/v1/nothing", "", 404, "no API route"},
		{"unknown route without token", "", "GET", "/api/v2/imports", "", 404, "no API route"},
		{"wrong method", acme.Token, "POST", "/api/v1/imports", "{}", 405, "allowed: GET"},
		{"bad JSON", acme.Token, "POST", "/api/v1/keys", "{not json", 400, "not the JSON expected"},
		{"unknown field", acme.Token, "POST", "/api/v1/keys", `{"name":"x","key":"y"}`, 400, "unknown field"},
		{"bad key", acme.Token, "POST", "/api/v1/keys", `{"name":"x","publicKey":"ssh-dss AAAA"}`, 400, "accepted"},
		{"bad limit", acme.Token, "GET", "/api/v1/imports?limit=0", "", 400, "limit"},
		{"bad cursor", acme.Token, "GET", "/api/v1/imports?cursor=zzz", "", 400, "cursor"},
		{"bad status", acme.Token, "GET", "/api/v1/imports?status=done", "", 400, "status"},
		{"misspelt filter", acme.Token, "GET", "/api/v1/events?identifier=u1", "", 400,
			`unknown query parameter "identifier" for GET /api/v1/events; accepted: identity, name, from, to, limit, cursor`},
		{"parameter on a route without any", acme.Token, "GET", "/api/v1/keys?limit=5", "", 400,
			`unknown query parameter "limit" for GET /api/v1/keys; it takes none`},
		{"bad time", acme.Token, "GET", "/api/v1/events?from=yesterday", "", 400, "RFC 3339"},
		{"bad id", acme.Token, "GET", "/api/v1/imports/abc", "", 404, "ids are positive"},
		{"missing import", acme.Token, "GET", "/api/v1/imports/999999", "", 404, ""},
		{"no error file", acme.Token, "GET", fmt.Sprintf("/api/v1/imports/%d/errors.csv", failed.ID), "", 404, "no error file"},
		{"other account's import", beta.Token, "GET", fmt.Sprintf("/api/v1/imports/%d", imp.ID), "", 404, ""},
		{"other account's error file", beta.Token, "GET", fmt.Sprintf("/api/v1/imports/%d/errors.csv", imp.ID), "", 404, ""},
		{"other account's key", beta.Token, "DELETE", fmt.Sprintf("/api/v1/keys/%d", acme.KeyID), "", 404, ""},
		{"other account's profile", beta.Token, "GET", "/api/v1/profiles/u1", "", 404, ""},
		{"duplicate key", beta.Token, "POST", "/api/v1/keys", "", 409, "already registered"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if tt.name == "duplicate key" {
				b, _ := json.Marshal(map[string]string{"name": "again", "publicKey": acmeKey(t, env, acme)})
				body = string(b)
			}
			req, _ := http.NewRequest(tt.method, env.HTTP+tt.path, strings.NewReader(body))
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			var out map[string]any
			if err := json.Unmarshal(raw, &out); err != nil {
				t.Fatalf("status %d, body is not JSON: %q", resp.StatusCode, raw)
			}
			msg, _ := out["error"].(string)
			if resp.StatusCode != tt.status || msg == "" || len(out) != 1 || !strings.Contains(msg, tt.contains) {
				t.Fatalf("got %d %s, want %d with an error containing %q", resp.StatusCode, raw, tt.status, tt.contains)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

func acmeKey(t *testing.T, env *apptest.Env, acme *apptest.Account) string {
	var out struct {
		Keys []struct {
			PublicKey string `json:"publicKey"`
		} `json:"keys"`
	}
	if code := acme.API("GET", "/api/v1/keys", nil, &out); code != 200 || len(out.Keys) == 0 {
		t.Fatalf("list keys: %d", code)
	}
	return out.Keys[0].PublicKey
}

// TestOpenAPIServed checks the document is served, without a token, as JSON.
func TestOpenAPIServed(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	resp, err := http.Get(env.HTTP + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 || doc.Paths["/api/v1/imports"] == nil {
		t.Fatalf("GET openapi.json: %d %v %+v", resp.StatusCode, err, doc)
	}
}
