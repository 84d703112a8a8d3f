package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"sluice/internal/accounts"
	"sluice/internal/errs"
)

type loginData struct {
	Next      string
	LoginCSRF string
	Error     string
	Notice    string
}

func (d *Dashboard) loginForm(w http.ResponseWriter, r *http.Request) {
	if d.sessions.get(r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	data := loginData{Next: r.URL.Query().Get("next")}
	if r.URL.Query().Get("out") != "" {
		data.Notice = "You have logged out."
	}
	d.showLogin(w, r, http.StatusOK, data)
}

// showLogin renders the form with a fresh login CSRF token. There is no
// session yet to hold it, so it is a double-submit cookie: the form's hidden
// field must match the cookie, which another site can neither read nor set.
func (d *Dashboard) showLogin(w http.ResponseWriter, r *http.Request, status int, data loginData) {
	data.LoginCSRF = randomToken()
	http.SetCookie(w, d.cookie(r, loginCookie, data.LoginCSRF, 3600))
	w.Header().Set("Cache-Control", "no-store")
	d.render(w, r, status, "login", pageData{Title: "Log in", Fmt: newFormatter(""), Data: data})
}

func (d *Dashboard) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil || !d.validLoginCSRF(r) {
		d.forbidden(w, r, nil, "This login form was not accepted because it did not carry the token of the form "+
			"sluice showed you (it may have expired, or come from another site). Reload the login page and try again.")
		return
	}
	next := r.PostForm.Get("next")
	acct, err := d.d.Auth.Authenticate(r.Context(), strings.TrimSpace(r.PostForm.Get("token")))
	if errs.Is(err, errs.Unauthorized) || errs.Is(err, errs.NotFound) {
		d.showLogin(w, r, http.StatusUnauthorized, loginData{Next: next,
			Error: "This token was not accepted. Paste the whole API token; it starts with “" + accounts.TokenPrefix + "”."})
		return
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	s := d.sessions.create(acct)
	d.d.Logger.Info("dashboard login", slog.String("account", acct.ID))
	http.SetCookie(w, d.cookie(r, sessionCookie, s.id, 0))
	http.SetCookie(w, d.cookie(r, loginCookie, "", -1))
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther)
}

func (d *Dashboard) validLoginCSRF(r *http.Request) bool {
	c, err := r.Cookie(loginCookie)
	return err == nil && sameToken(r.PostForm.Get(csrfField), c.Value)
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request, c *call) {
	d.sessions.delete(c.s)
	http.SetCookie(w, d.cookie(r, sessionCookie, "", -1))
	http.Redirect(w, r, "/login?out=1", http.StatusSeeOther)
}

// safeNext keeps a post-login redirect on this site: only a local path.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || u.Host != "" || u.Scheme != "" {
		return "/imports"
	}
	return next
}
