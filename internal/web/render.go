package web

import (
	"bytes"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"sluice/internal/httpapi"
	"sluice/internal/store"
)

// views holds one parsed template set per page: the layout, the shared
// partials and the page's own "content".
type views struct {
	pages map[string]*template.Template
}

func parseViews(as *assets) (*views, error) {
	funcs := template.FuncMap{
		"asset": as.url,
		"num":   formatInt,
		"bytes": formatBytes,

		"errorFileName": httpapi.ErrorFileName,
		"kindName":      kindName,
	}
	v := &views{pages: map[string]*template.Template{}}
	// The files under templates/ that are whole pages.
	for _, name := range []string{"login", "error", "keys", "key_delete", "imports", "import", "profiles", "server",
		"notifications", "webhook_delete", "segments", "segment", "segment_delete", "pgp_keys", "pgp_key_delete"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(as.templates,
			"templates/layout.html", "templates/partials.html", "templates/segparts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// fragment renders one template of a page on its own, for a script to put
// into the page.
func (v *views) fragment(page, name string, data any) (string, error) {
	t, ok := v.pages[page]
	if !ok {
		return "", fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", fmt.Errorf("render %s of %s: %w", name, page, err)
	}
	return buf.String(), nil
}

// pageData is what every page template gets; Data is the page's own part.
type pageData struct {
	Title   string
	Nav     string // the nav item to mark as current
	Account *store.Account
	CSRF    string
	Flash   notice
	Fmt     formatter
	Data    any
}

// call is one request of a logged-in user: the session and the account's
// time zone, which every time on the page is shown in.
type call struct {
	s   *session
	fmt formatter
}

func (c *call) account() store.Account { return c.s.account }

// page wraps a handler that needs a session. GET without one goes to the
// login form; any other method without a session, or without the session's
// CSRF token, is refused with 403 and nothing is changed.
func (d *Dashboard) page(h func(http.ResponseWriter, *http.Request, *call)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		s := d.sessions.get(r)
		safe := r.Method == http.MethodGet || r.Method == http.MethodHead
		switch {
		case s == nil && safe:
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		case s == nil:
			d.forbidden(w, r, nil, "Your session has ended, so this form was not accepted. Log in again and repeat what you were doing.")
			return
		case !safe && !d.validCSRF(w, r, s):
			d.forbidden(w, r, s, "This form did not carry the security token of your session, so it may not have come "+
				"from a sluice page. Nothing was changed. Go back, reload the page, and try again.")
			return
		}
		h(w, r, &call{s: s, fmt: newFormatter(s.account.TimeZone)})
	})
}

// validCSRF checks the form's token against the session's. The form body is
// capped so a huge post cannot tie up the server.
func (d *Dashboard) validCSRF(w http.ResponseWriter, r *http.Request, s *session) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return false
	}
	return sameToken(r.PostForm.Get(csrfField), s.csrf)
}

// render writes a page. It renders into a buffer first so that a template
// error becomes a clean 500 instead of half a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, status int, name string, p pageData) {
	t, ok := d.views.pages[name]
	if !ok {
		d.fail(w, r, fmt.Errorf("no page template %q", name))
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		d.fail(w, r, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// show renders a page of a logged-in user, taking the session's flash.
func (d *Dashboard) show(w http.ResponseWriter, r *http.Request, c *call, status int, name, nav, title string, data any) {
	acct := c.account()
	d.render(w, r, status, name, pageData{Title: title, Nav: nav, Account: &acct, CSRF: c.s.csrf,
		Flash: d.sessions.takeFlash(c.s), Fmt: c.fmt, Data: data})
}

type errorData struct {
	Status  int
	Message string
}

// errorPage shows a message in the layout; with a session, the nav stays.
func (d *Dashboard) errorPage(w http.ResponseWriter, r *http.Request, s *session, status int, title, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	p := pageData{Title: title, Fmt: newFormatter(""), Data: errorData{Status: status, Message: msg}}
	if s != nil {
		acct := s.account
		p.Account, p.CSRF = &acct, s.csrf
	}
	d.render(w, r, status, "error", p)
}

func (d *Dashboard) forbidden(w http.ResponseWriter, r *http.Request, s *session, msg string) {
	d.d.Logger.Warn("dashboard form refused", slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Bool("session", s != nil))
	d.errorPage(w, r, s, http.StatusForbidden, "Form refused", msg)
}

// fail logs an unexpected error and shows a generic 500 page without details.
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, err error) {
	d.d.Logger.Error("dashboard request failed", slog.String("method", r.Method), slog.String("path", r.URL.Path),
		slog.Any("err", err))
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintln(w, "Something went wrong on the server. It has been logged; please try again in a moment.")
}

// redirect ends a successful form post: the notice goes on the next page.
func (d *Dashboard) redirect(w http.ResponseWriter, r *http.Request, c *call, to string, n notice) {
	d.sessions.setFlash(c.s, n)
	http.Redirect(w, r, to, http.StatusSeeOther)
}
