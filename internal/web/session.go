package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"sluice/internal/store"
)

// Cookie names. The session cookie holds only a random id; what it means
// (the account, the CSRF token) stays on the server, so a cookie can be
// revoked at logout and never carries data of its own.
const (
	sessionCookie = "sluice_session"
	loginCookie   = "sluice_login" // CSRF token of the login form, before there is a session
	csrfField     = "csrf"
)

// session is one login. It belongs to exactly one account, fixed at login:
// every page reads the store with session.account.ID and nothing else.
type session struct {
	id      string
	account store.Account
	csrf    string
	flash   notice // a one-time message for the next page shown
	expires time.Time
}

// sessions is an in-memory session table. Sessions end at logout, after
// their lifetime, or when the process restarts (users then log in again).
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	ttl time.Duration
	now func() time.Time
}

func newSessions(ttl time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, ttl: ttl, now: now}
}

// randomToken is 256 bits from the system's CSPRNG, URL-safe.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// create starts a fresh session for acct. A new id every login means a
// session id planted before login (fixation) is worth nothing.
func (s *sessions) create(acct store.Account) *session {
	now := s.now()
	ss := &session{id: randomToken(), account: acct, csrf: randomToken(), expires: now.Add(s.ttl)}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, old := range s.m { // drop expired sessions; logins are rare enough for a sweep
		if now.After(old.expires) {
			delete(s.m, id)
		}
	}
	s.m[ss.id] = ss
	return ss
}

// get returns the request's live session, or nil.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[c.Value]
	if ss == nil || s.now().After(ss.expires) {
		delete(s.m, c.Value)
		return nil
	}
	return ss
}

func (s *sessions) delete(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, ss.id)
}

// notice is a one-time message; Code, when set, is a value shown once in
// full for the user to copy (a webhook's secret).
type notice struct {
	Text string
	Code string
}

// setFlash and takeFlash carry a notice across a redirect (post/redirect/get).
func (s *sessions) setFlash(ss *session, n notice) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss.flash = n
}

func (s *sessions) takeFlash(ss *session) notice {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := ss.flash
	ss.flash = notice{}
	return n
}

// sameToken compares tokens in constant time.
func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// cookie builds a cookie with the attributes every sluice cookie has:
// HttpOnly (no script reads it), SameSite=Strict (no other site's page
// sends it), Secure when the dashboard is reached over TLS.
func (d *Dashboard) cookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || d.d.SecureCookies}
}
