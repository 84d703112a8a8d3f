// Package web is sluice's dashboard: server-rendered pages for a customer's
// data engineers (keys, activity log, notifications, profiles, segments,
// server). The pages use the same services as the JSON API (keys.Service for
// key rules, the API's segment functions, the store's account-scoped reads),
// so both say the same things. Templates and assets are embedded; nothing is
// fetched from elsewhere at run time.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"sluice/internal/cryptpgp"
	"sluice/internal/httpapi"
	"sluice/internal/keys"
	"sluice/internal/store"
	"sluice/internal/webhooks"
)

// Authenticator turns an API token into its account.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (store.Account, error)
}

// Reader is the account-scoped read side of the store the pages show.
type Reader interface {
	Import(ctx context.Context, accountID string, id int64) (store.Import, error)
	ListImports(ctx context.Context, accountID string, f store.ImportFilter) ([]store.Import, error)
	ErrorRows(ctx context.Context, importID int64, fn func(line []byte) error) error
	ProfileByIdentifier(ctx context.Context, accountID, value string) (store.Profile, error)
	ProfileEvents(ctx context.Context, accountID string, profileID int64, limit int) ([]store.Event, error)
}

// Deps is what the dashboard needs; the app fills it.
type Deps struct {
	Auth     Authenticator
	Keys     *keys.Service
	PGPKeys  *cryptpgp.Service
	Webhooks *webhooks.Service
	Store    Reader
	Segments store.Segments // counts, lists, exports and saves segments; the API's store
	Server   func() httpapi.ServerInfo
	Logger   *slog.Logger
	Now      func() time.Time // nil: time.Now
	// SecureCookies marks cookies Secure even on plain HTTP requests, for a
	// dashboard behind a TLS-terminating proxy (its public URL is https).
	SecureCookies bool
	SessionTTL    time.Duration // 0: 12 hours
}

// Dashboard serves the pages of Routes.
type Dashboard struct {
	d        Deps
	views    *views
	sessions *sessions
	assets   *assets
}

// New parses the embedded templates and builds the dashboard.
func New(d Deps) (*Dashboard, error) {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.SessionTTL == 0 {
		d.SessionTTL = 12 * time.Hour
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	v, err := parseViews(as)
	if err != nil {
		return nil, err
	}
	return &Dashboard{d: d, views: v, assets: as, sessions: newSessions(d.SessionTTL, d.Now)}, nil
}

// Route is one entry of the dashboard's route table. Page routes need a
// logged-in session (and, for POST, the session's CSRF token).
type Route struct {
	Pattern string
	Page    func(w http.ResponseWriter, r *http.Request, c *call)
	Plain   http.HandlerFunc // for routes that work without a session
}

// Routes is the route table: every dashboard path.
func (d *Dashboard) Routes() []Route {
	return []Route{
		{Pattern: "GET /{$}", Plain: d.home},
		{Pattern: "GET /login", Plain: d.loginForm},
		{Pattern: "POST /login", Plain: d.login},
		{Pattern: "POST /logout", Page: d.logout},
		{Pattern: "GET /static/{file}", Plain: d.assets.serve},

		{Pattern: "GET /keys", Page: d.keysPage},
		{Pattern: "POST /keys", Page: d.addKey},
		{Pattern: "GET /keys/{id}/delete", Page: d.confirmDeleteKey},
		{Pattern: "POST /keys/{id}/delete", Page: d.deleteKey},

		{Pattern: "GET /pgp-keys", Page: d.pgpKeysPage},
		{Pattern: "POST /pgp-keys", Page: d.generatePGPKey},
		{Pattern: "POST /pgp-keys/import", Page: d.importPGPKey},
		{Pattern: "GET /pgp-keys/{id}/public.asc", Page: d.publicPGPKey},
		{Pattern: "GET /pgp-keys/{id}/delete", Page: d.confirmDeletePGPKey},
		{Pattern: "POST /pgp-keys/{id}/delete", Page: d.deletePGPKey},

		{Pattern: "GET /imports", Page: d.importsPage},
		{Pattern: "GET /imports/progress", Page: d.importsProgress},
		{Pattern: "GET /imports/{id}", Page: d.importPage},
		{Pattern: "GET /imports/{id}/errors.csv", Page: d.importErrors},

		{Pattern: "GET /notifications", Page: d.notificationsPage},
		{Pattern: "POST /notifications/webhooks", Page: d.addWebhook},
		{Pattern: "POST /notifications/choose", Page: d.chooseWebhook},
		{Pattern: "GET /notifications/webhooks/{id}/delete", Page: d.confirmDeleteWebhook},
		{Pattern: "POST /notifications/webhooks/{id}/delete", Page: d.deleteWebhook},

		{Pattern: "GET /profiles", Page: d.profilesPage},

		{Pattern: "GET /segments", Page: d.segmentsPage},
		{Pattern: "POST /segments", Page: d.submitSegments},
		{Pattern: "POST /segments/count", Page: d.segmentCount},
		{Pattern: "POST /segments/save", Page: d.saveSegment},
		{Pattern: "POST /segments/export.csv", Page: d.exportFilter},
		{Pattern: "GET /segments/{id}", Page: d.savedPage},
		{Pattern: "GET /segments/{id}/export.csv", Page: d.exportSaved},
		{Pattern: "GET /segments/{id}/delete", Page: d.confirmDeleteSegment},
		{Pattern: "POST /segments/{id}/delete", Page: d.deleteSegment},
		{Pattern: "GET /server", Page: d.serverPage},
	}
}

// Register adds every route to mux, plus an HTML 404 for unknown paths
// outside /api/ (which the API answers in JSON).
func (d *Dashboard) Register(mux *http.ServeMux) {
	for _, rt := range d.Routes() {
		var h http.Handler = rt.Plain
		if rt.Page != nil {
			h = d.page(rt.Page)
		}
		mux.Handle(rt.Pattern, securityHeaders(h))
	}
	mux.Handle("/", securityHeaders(http.HandlerFunc(d.notFound)))
}

func (d *Dashboard) home(w http.ResponseWriter, r *http.Request) {
	if d.sessions.get(r) == nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/imports", http.StatusSeeOther)
}

func (d *Dashboard) notFound(w http.ResponseWriter, r *http.Request) {
	d.errorPage(w, r, d.sessions.get(r), http.StatusNotFound, "Page not found",
		"There is no dashboard page at "+r.URL.Path+".")
}

// securityHeaders keeps the pages to their own origin: no inline script or
// style, no framing, and forms that only post back to sluice.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}
