package web_test

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
)

// browserish is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each 303 and each Set-Cookie.
type browserish struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string // the session's CSRF token, read from the last page
}

func newClient(t *testing.T, base string, tr http.RoundTripper) *browserish {
	jar, _ := cookiejar.New(nil)
	return &browserish{t: t, base: base, c: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do sends a request and returns the response with its body read.
func (b *browserish) do(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if m := csrfField.FindStringSubmatch(string(raw)); m != nil {
		b.csrf = m[1]
	}
	return resp, string(raw)
}

func (b *browserish) get(path string) (*http.Response, string) { return b.do("GET", path, nil) }

// logIn logs in with token and returns the session cookie as set.
func (b *browserish) logIn(token string) *http.Cookie {
	b.t.Helper()
	b.get("/login")
	resp, body := b.do("POST", "/login", url.Values{"csrf": {b.csrf}, "token": {token}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/imports" {
		b.t.Fatalf("login: %d %s\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	for _, c := range resp.Cookies() {
		if c.Name == "sluice_session" {
			b.get("/keys") // picks up the session's CSRF token
			return c
		}
	}
	b.t.Fatal("login set no session cookie")
	return nil
}

func TestSessionCookie(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme := env.NewAccount("Acme")
	c := newClient(t, env.HTTP, nil).logIn(acme.Token)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Secure || len(c.Value) < 40 {
		t.Fatalf("session cookie over HTTP: %+v", c)
	}

	tlsSrv := httptest.NewTLSServer(env.App.Handler())
	defer tlsSrv.Close()
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // the test server's own certificate
	c = newClient(t, tlsSrv.URL, tr).logIn(acme.Token)
	if !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie over TLS: %+v", c)
	}
}

func TestLoginRefusals(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme := env.NewAccount("Acme")
	b := newClient(t, env.HTTP, nil)

	resp, body := b.do("POST", "/login", url.Values{"token": {acme.Token}})
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "Reload the login page") {
		t.Fatalf("login without the form's token: %d\n%s", resp.StatusCode, body)
	}
	b.get("/login")
	resp, body = b.do("POST", "/login", url.Values{"csrf": {"forged"}, "token": {acme.Token}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login with a forged form token: %d", resp.StatusCode)
	}
	b.get("/login")
	resp, body = b.do("POST", "/login", url.Values{"csrf": {b.csrf}, "token": {"sluice_wrong"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not accepted") || strings.Contains(body, "sluice_wrong") {
		t.Fatalf("wrong token: %d\n%s", resp.StatusCode, body)
	}
	for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example"} {
		b := newClient(t, env.HTTP, nil)
		b.get("/login")
		resp, _ = b.do("POST", "/login", url.Values{"csrf": {b.csrf}, "token": {acme.Token}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/imports" {
			t.Fatalf("next %q redirected to %q", next, loc)
		}
	}
}

// TestFormsNeedCSRF posts every dashboard form without its token, and with
// another session's token: each is refused with 403 and changes nothing.
func TestFormsNeedCSRF(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme, beta := env.NewAccount("Acme"), env.NewAccount("Beta")
	a := newClient(t, env.HTTP, nil)
	a.logIn(acme.Token)
	bc := newClient(t, env.HTTP, nil)
	bc.logIn(beta.Token)
	pub, _ := apptest.NewKeyFile(t)
	var hook struct{ ID int64 }
	acme.API("POST", "/api/v1/webhooks", map[string]string{"url": "https://hooks.example.com/a"}, &hook)
	var seg struct{ ID int64 }
	acme.API("POST", "/api/v1/segments", map[string]any{"name": "all", "filter": map[string]any{"all": []any{}}}, &seg)
	posts := []struct {
		path string
		form url.Values
	}{
		{"/keys", url.Values{"name": {"x"}, "publicKey": {pub}}},
		{fmt.Sprintf("/keys/%d/delete", acme.KeyID), url.Values{}},
		{"/notifications/webhooks", url.Values{"url": {"https://hooks.example.com/b"}}},
		{"/notifications/choose", url.Values{"webhookId": {"0"}}},
		{fmt.Sprintf("/notifications/webhooks/%d/delete", hook.ID), url.Values{}},
		{"/segments", url.Values{"do": {"show"}}},
		{"/segments/count", url.Values{"json": {`{"all":[]}`}}},
		{"/segments/save", url.Values{"name": {"forged"}}},
		{"/segments/export.csv", url.Values{}},
		{fmt.Sprintf("/segments/%d/delete", seg.ID), url.Values{}},
		{"/logout", url.Values{}},
	}
	for _, p := range posts {
		for _, token := range []string{"", "not-the-token", bc.csrf} {
			form := url.Values{}
			for k, v := range p.form {
				form[k] = v
			}
			if token != "" {
				form.Set("csrf", token)
			}
			resp, body := a.do("POST", p.path, form)
			if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "security token") {
				t.Fatalf("POST %s with csrf %q: %d\n%s", p.path, token, resp.StatusCode, body)
			}
		}
	}
	if resp, body := a.get("/keys"); resp.StatusCode != 200 || strings.Count(body, "/delete\"") != 1 {
		t.Fatalf("after forged posts the session or the keys changed: %d\n%s", resp.StatusCode, body)
	}
	var hooks struct {
		Webhooks  []struct{ ID int64 }
		WebhookID *int64
	}
	acme.API("GET", "/api/v1/webhooks", nil, &hooks)
	if len(hooks.Webhooks) != 1 || hooks.WebhookID == nil || *hooks.WebhookID != hook.ID {
		t.Fatalf("after forged posts the webhooks changed: %+v", hooks)
	}
	var segs struct{ Segments []struct{ ID int64 } }
	acme.API("GET", "/api/v1/segments", nil, &segs)
	if len(segs.Segments) != 1 || segs.Segments[0].ID != seg.ID {
		t.Fatalf("after forged posts the saved segments changed: %+v", segs)
	}
	resp, _ := newClient(t, env.HTTP, nil).do("POST", "/keys", url.Values{"publicKey": {pub}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("POST without a session: %d", resp.StatusCode)
	}
}

// TestSessionSeesOnlyItsAccount: Beta's session asks for each of Acme's
// objects by id, through every page and the progress poll.
func TestSessionSeesOnlyItsAccount(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme, beta := env.NewAccount("Acme"), env.NewAccount("Beta")
	acme.Upload("e.csv", []byte("identity,evtName,Amount\nu-acme,Opened,1\n,Opened,2\n"))
	acme.Upload("e.manifest", []byte(`{"type":"event","fileName":"e.csv","clientEmail":"a@example.com"}`))
	imp := acme.ImportByManifest("e.manifest", 10*time.Second)
	var hook struct{ ID int64 }
	acme.API("POST", "/api/v1/webhooks", map[string]string{"url": "https://hooks.example.com/acme"}, &hook)
	b := newClient(t, env.HTTP, nil)
	b.logIn(beta.Token)

	for _, path := range []string{fmt.Sprintf("/imports/%d", imp.ID), fmt.Sprintf("/imports/%d/errors.csv", imp.ID),
		"/profiles?identifier=u-acme", fmt.Sprintf("/keys/%d/delete", acme.KeyID),
		fmt.Sprintf("/notifications/webhooks/%d/delete", hook.ID)} {
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "e.csv") || strings.Contains(body, acme.ID) {
			t.Fatalf("beta GET %s: %d\n%s", path, resp.StatusCode, body)
		}
	}
	resp, body := b.get(fmt.Sprintf("/imports/progress?id=%d&newest=0", imp.ID))
	if resp.StatusCode != 200 || body != "{\"imports\":[],\"newer\":0}\n" {
		t.Fatalf("beta polls acme's import: %d %s", resp.StatusCode, body)
	}
	for _, post := range []struct {
		path string
		form url.Values
	}{
		{fmt.Sprintf("/keys/%d/delete", acme.KeyID), url.Values{"csrf": {b.csrf}}},
		{fmt.Sprintf("/notifications/webhooks/%d/delete", hook.ID), url.Values{"csrf": {b.csrf}}},
		{"/notifications/choose", url.Values{"csrf": {b.csrf}, "webhookId": {fmt.Sprint(hook.ID)}}},
	} {
		if resp, _ := b.do("POST", post.path, post.form); resp.StatusCode != http.StatusNotFound {
			t.Fatalf("beta POST %s: %d", post.path, resp.StatusCode)
		}
	}
	if _, body := b.get(fmt.Sprintf("/notifications?webhook=%d", hook.ID)); strings.Contains(body, "hooks.example.com") {
		t.Fatalf("beta's notifications page shows acme's webhook:\n%s", body)
	}
	if _, body := b.get("/imports"); strings.Contains(body, "e.csv") || !strings.Contains(body, "No imports yet") {
		t.Fatalf("beta's activity log:\n%s", body)
	}

	a := newClient(t, env.HTTP, nil)
	a.logIn(acme.Token)
	if resp, body := a.get(fmt.Sprintf("/imports/%d/errors.csv", imp.ID)); resp.StatusCode != 200 || body != acme.ErrorFile(imp.ID) {
		t.Fatalf("acme's own error file: %d %q", resp.StatusCode, body)
	}
}

func TestLogoutEndsSession(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme := env.NewAccount("Acme")
	a := newClient(t, env.HTTP, nil)
	cookie := a.logIn(acme.Token)
	resp, _ := a.do("POST", "/logout", url.Values{"csrf": {a.csrf}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// Replaying the old cookie (say, from a copy of it) no longer works.
	req, _ := http.NewRequest("GET", env.HTTP+"/keys", nil)
	req.AddCookie(cookie)
	resp, err := newClient(t, env.HTTP, nil).c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next=%2Fkeys" {
		t.Fatalf("old session after logout: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestActivityPages fills more than a page with imports (one SFTP session
// uploads them all) and checks paging, the status filter and the poll.
func TestActivityPages(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme := env.NewAccount("Acme")
	dir := t.TempDir()
	var batch strings.Builder
	for i := range 27 {
		name := fmt.Sprintf("m%02d.manifest", i)
		os.WriteFile(filepath.Join(dir, name), []byte(`{"type":"neither","fileName":"x.csv","clientEmail":"a@example.com"}`), 0o600)
		fmt.Fprintf(&batch, "put %s %s\n", filepath.Join(dir, name), name)
	}
	os.WriteFile(filepath.Join(dir, "wait.manifest"), []byte(`{"type":"event","fileName":"later.csv","clientEmail":"a@example.com"}`), 0o600)
	fmt.Fprintf(&batch, "put %s wait.manifest\n", filepath.Join(dir, "wait.manifest"))
	acme.SFTP(batch.String(), false)
	apptest.Eventually(t, 10*time.Second, "28 imports", func() bool { return len(acme.Imports()) == 28 })
	waiting := acme.Imports()[0]

	a := newClient(t, env.HTTP, nil)
	a.logIn(acme.Token)
	_, first := a.get("/imports")
	older := regexp.MustCompile(`href="(/imports\?before=\d+)">Older`).FindStringSubmatch(first)
	if strings.Count(first, "<tr data-import=") != 25 || older == nil || !strings.Contains(first, "badge-waiting") {
		t.Fatalf("first page: %d rows, older link %v", strings.Count(first, "<tr data-import="), older)
	}
	_, second := a.get(older[1])
	if strings.Count(second, "<tr data-import=") != 3 || strings.Contains(second, "Older imports") || !strings.Contains(second, "Newest") {
		t.Fatalf("second page:\n%s", second)
	}
	_, filtered := a.get("/imports?status=waiting")
	if strings.Count(filtered, "<tr data-import=") != 1 {
		t.Fatalf("status filter: %d rows", strings.Count(filtered, "<tr data-import="))
	}

	resp, body := a.get(fmt.Sprintf("/imports/progress?id=%d&newest=%d", waiting.ID, waiting.ID-3))
	var poll struct {
		Imports []struct {
			ID      int64
			Status  string
			Running bool
		}
		Newer int
	}
	if err := json.Unmarshal([]byte(body), &poll); err != nil || resp.StatusCode != 200 {
		t.Fatalf("poll: %d %s", resp.StatusCode, body)
	}
	if len(poll.Imports) != 1 || poll.Imports[0].Status != "waiting" || !poll.Imports[0].Running || poll.Newer != 3 {
		t.Fatalf("poll: %+v", poll)
	}
}

func TestPagesBasics(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	b := newClient(t, env.HTTP, nil)
	resp, body := b.get("/login")
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") ||
		resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Fatalf("security headers: %v", resp.Header)
	}
	css := regexp.MustCompile(`href="(/static/style\.css\?v=[0-9a-f]+)"`).FindStringSubmatch(body)
	if css == nil {
		t.Fatalf("no versioned stylesheet:\n%s", body)
	}
	resp, _ = b.get(css[1])
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %v", resp.StatusCode, resp.Header)
	}
	resp, body = b.get("/no/such/page")
	if resp.StatusCode != 404 || !strings.Contains(body, "Page not found") {
		t.Fatalf("unknown page: %d", resp.StatusCode)
	}
	if resp, _ = b.get("/"); resp.Header.Get("Location") != "/login" {
		t.Fatalf("/ without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
