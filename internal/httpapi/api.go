// Package httpapi is sluice's JSON API: one route table on the standard
// ServeMux, Bearer-token auth scoped to the token's account, and JSON errors.
package httpapi

import (
	"context"
	_ "embed"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"sluice/internal/cryptpgp"
	"sluice/internal/errs"
	"sluice/internal/keys"
	"sluice/internal/store"
	"sluice/internal/webhooks"
)

// Authenticator turns an API token into its account.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (store.Account, error)
}

// ServerInfo is what a customer needs to connect over SFTP.
type ServerInfo struct {
	Host     string    `json:"host"`
	Port     int       `json:"port"`
	HostKeys []HostKey `json:"hostKeys"`
}

// HostKey is one of the server's host keys, as a client's known_hosts sees it.
type HostKey struct {
	Type        string `json:"type"`
	Fingerprint string `json:"fingerprint"`
}

// Deps is what the API needs; the app fills it.
type Deps struct {
	Auth     Authenticator
	Keys     *keys.Service
	PGPKeys  *cryptpgp.Service
	Store    Reader
	Webhooks *webhooks.Service
	Segments store.Segments
	Server   func() ServerInfo
	Metrics  http.Handler
	Logger   *slog.Logger
	Now      func() time.Time // "last N days" of segments counts back from it; nil: time.Now
}

// API serves the routes of Routes.
type API struct {
	d Deps
}

// New builds the API.
func New(d Deps) *API { return &API{d: d} }

// Route is one entry of the route table; Auth routes need a Bearer token.
type Route struct {
	Pattern string // "METHOD /path/{param}"
	Auth    bool
	Handler func(w http.ResponseWriter, r *http.Request, acct store.Account)
	Plain   http.HandlerFunc // for routes without auth
	Params  []string         // the query parameters an Auth route accepts; any other is refused
}

// Routes is the route table: every API route sluice serves.
func (a *API) Routes() []Route {
	return []Route{
		{Pattern: "GET /healthz", Plain: a.healthz},
		{Pattern: "GET /metrics", Plain: a.metrics},
		{Pattern: "GET /api/v1/openapi.json", Plain: a.openapi},
		{Pattern: "GET /api/v1/server", Auth: true, Handler: a.server},
		{Pattern: "GET /api/v1/keys", Auth: true, Handler: a.listKeys},
		{Pattern: "POST /api/v1/keys", Auth: true, Handler: a.addKey},
		{Pattern: "DELETE /api/v1/keys/{id}", Auth: true, Handler: a.deleteKey},
		{Pattern: "GET /api/v1/pgp-keys", Auth: true, Handler: a.listPGPKeys},
		{Pattern: "POST /api/v1/pgp-keys", Auth: true, Handler: a.addPGPKey},
		{Pattern: "GET /api/v1/pgp-keys/{id}", Auth: true, Handler: a.getPGPKey},
		{Pattern: "GET /api/v1/pgp-keys/{id}/public.asc", Auth: true, Handler: a.publicPGPKey},
		{Pattern: "DELETE /api/v1/pgp-keys/{id}", Auth: true, Handler: a.deletePGPKey},
		{Pattern: "GET /api/v1/imports", Auth: true, Handler: a.listImports, Params: []string{"limit", "cursor", "status"}},
		{Pattern: "GET /api/v1/imports/{id}", Auth: true, Handler: a.getImport},
		{Pattern: "GET /api/v1/imports/{id}/errors.csv", Auth: true, Handler: a.importErrors},
		{Pattern: "GET /api/v1/profiles/{identifier}", Auth: true, Handler: a.getProfile},
		{Pattern: "GET /api/v1/events", Auth: true, Handler: a.listEvents, Params: []string{"identity", "name", "from", "to", "limit", "cursor"}},
		{Pattern: "GET /api/v1/webhooks", Auth: true, Handler: a.listWebhooks},
		{Pattern: "POST /api/v1/webhooks", Auth: true, Handler: a.addWebhook},
		{Pattern: "DELETE /api/v1/webhooks/{id}", Auth: true, Handler: a.deleteWebhook},
		{Pattern: "GET /api/v1/webhooks/{id}/deliveries", Auth: true, Handler: a.webhookDeliveries, Params: []string{"limit", "cursor"}},
		{Pattern: "GET /api/v1/notifications", Auth: true, Handler: a.getNotifications},
		{Pattern: "PUT /api/v1/notifications", Auth: true, Handler: a.setNotifications},
		{Pattern: "POST /api/v1/segments/query", Auth: true, Handler: a.querySegment},
		{Pattern: "POST /api/v1/segments/export.csv", Auth: true, Handler: a.exportFilter},
		{Pattern: "GET /api/v1/segments", Auth: true, Handler: a.listSegments},
		{Pattern: "POST /api/v1/segments", Auth: true, Handler: a.createSegment},
		{Pattern: "GET /api/v1/segments/{id}", Auth: true, Handler: a.getSegment},
		{Pattern: "DELETE /api/v1/segments/{id}", Auth: true, Handler: a.deleteSegment},
		{Pattern: "GET /api/v1/segments/{id}/export.csv", Auth: true, Handler: a.exportSaved, Params: []string{"properties"}},
	}
}

// Register adds every route to mux, plus JSON answers for /api/ paths that
// no route serves: 405 when the path exists for other methods, else 404.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.Routes() {
		if rt.Auth {
			mux.Handle(rt.Pattern, a.recovered(a.authed(onlyParams(rt, rt.Handler))))
		} else {
			mux.Handle(rt.Pattern, a.recovered(rt.Plain))
		}
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if allowed := otherMethods(mux, r); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": fmt.Sprintf(
				"%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, strings.Join(allowed, ", "))})
			return
		}
		writeError(w, r, errs.E(errs.NotFound, "no API route %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path), a.d.Logger)
	})
}

// otherMethods lists the methods that some route serves at r's path.
func otherMethods(mux *http.ServeMux, r *http.Request) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := mux.Handler(probe); m != r.Method && pattern != "" && pattern != "/api/" && pattern != "/" {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// recovered turns a panic in a handler into a logged JSON 500, so that even
// a bug answers in the API's error shape instead of a dropped connection.
func (a *API) recovered(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				writeError(w, r, fmt.Errorf("panic: %v", v), a.d.Logger)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

func (a *API) authed(h func(http.ResponseWriter, *http.Request, store.Account)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="sluice"`)
			writeError(w, r, errs.E(errs.Unauthorized, "missing API token; send the header Authorization: Bearer <token>"), a.d.Logger)
			return
		}
		acct, err := a.d.Auth.Authenticate(r.Context(), token)
		if err != nil {
			if errs.CodeOf(err) == errs.Unauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="sluice", error="invalid_token"`)
			}
			writeError(w, r, err, a.d.Logger)
			return
		}
		h(w, r, acct)
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

func (a *API) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (a *API) metrics(w http.ResponseWriter, r *http.Request) {
	a.d.Metrics.ServeHTTP(w, r)
}

func (a *API) server(w http.ResponseWriter, r *http.Request, acct store.Account) {
	info := a.d.Server()
	writeJSON(w, http.StatusOK, struct {
		ServerInfo
		Account string `json:"account"`
		Command string `json:"command"`
	}{info, acct.ID, ConnectCommand(info, acct.ID)})
}

// ConnectCommand is the sftp command line a customer runs.
func ConnectCommand(info ServerInfo, account string) string {
	return "sftp -i <private key> -P " + itoa(info.Port) + " " + account + "@" + info.Host
}

// openapiJSON documents every route of Routes; a test keeps the two in step.
//
//go:embed openapi.json
var openapiJSON []byte

func (a *API) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*") // public, so API tools in a browser may load it
	w.Write(openapiJSON)
}
