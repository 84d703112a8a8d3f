package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"sluice/internal/apptest"
	"sluice/internal/httpapi"
)

// badEvents has one good row and three refused ones: no identifier, a
// restricted event name, an amount that is not a number.
const badEvents = `identity,ts,evtName,Amount,Currency
user-1,1700000000,Purchased,199.99,INR
,1700000100,Purchased,49.50,INR
user-3,1700000200,App Launched,1200,USD
user-1,1700000300,Purchased,abc,INR
`

const badEventsManifest = `{"type": "event", "fileName": "events-bad.csv", "clientEmail": "data@example.com",
 "columns": {"Amount": {"dataType": "FLOAT"}}}`

// dash is the browser test's state: the app, two accounts, one tab.
type dash struct {
	t      *testing.T
	env    *apptest.Env
	tab    context.Context
	shots  *shots
	acme   *apptest.Account
	beta   *apptest.Account
	td     string
	laptop *apptest.Account // acme, logging in with the key added in the browser
	hooks  *receiver        // where the webhook added in the browser points
	secret string           // its signing secret, as the page showed it
}

// TestDashboardInBrowser walks through the dashboard in headless Chromium
// as a customer's data engineer would, against the whole app.
func TestDashboardInBrowser(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.WaitTimeout = time.Minute // the test uploads a manifest before its data file
	env := apptest.Start(t, cfg)
	td, _ := filepath.Abs("../app/testdata")
	d := &dash{t: t, env: env, tab: newBrowser(t), shots: newShots(t), td: td,
		acme: env.NewAccount("Acme Retail"), beta: env.NewAccount("Beta Foods")}

	d.logIn()
	d.addKey()
	d.addWebhook()
	d.uploadWithNewKey()
	d.partialImport()
	d.deliveries()
	d.profile()
	d.server()
	d.forgedPost()
	d.deleteKey()
	d.logOut()
	d.otherAccount()
}

func (d *dash) go_(path string, waitSel string) {
	d.t.Helper()
	run(d.t, d.tab, "open "+path, chromedp.Navigate(d.env.HTTP+path), chromedp.WaitVisible(waitSel))
}

func (d *dash) text(sel string) string {
	d.t.Helper()
	return strings.TrimSpace(get(d.t, d.tab, "read "+sel, chromedp.Text(sel)))
}

func (d *dash) location() string {
	d.t.Helper()
	return strings.TrimPrefix(get(d.t, d.tab, "location", chromedp.Location()), d.env.HTTP)
}

func (d *dash) logIn() {
	t := d.t
	d.go_("/imports", "#token") // not logged in: the login form, remembering where we were going
	if loc := d.location(); loc != "/login?next=%2Fimports" {
		t.Fatalf("redirected to %s", loc)
	}
	d.shots.take(t, d.tab, "01-login")
	run(t, d.tab, "wrong token", chromedp.SendKeys("#token", "sluice_notatoken"), chromedp.Click("button.primary"),
		chromedp.WaitVisible("#token-error"))
	d.shots.take(t, d.tab, "02-login-wrong-token")
	run(t, d.tab, "log in", chromedp.SendKeys("#token", d.acme.Token), chromedp.Click("button.primary"),
		chromedp.WaitVisible(hasText("h1", "Activity log")))
	if loc := d.location(); loc != "/imports" {
		t.Fatalf("after login at %s", loc)
	}
	d.keyboard()
}

// keyboard checks that the first Tab reaches the skip link, and that it
// takes the keyboard to the page's content.
func (d *dash) keyboard() {
	t := d.t
	d.go_("/server", "pre.cmd") // a fresh page without autofocus
	run(t, d.tab, "tab to the skip link", chromedp.KeyEvent(kb.Tab))
	if got := get(t, d.tab, "focused", chromedp.Evaluate[string](`document.activeElement.className`)); got != "skip" {
		t.Fatalf("the first Tab focused %q, want the skip link", got)
	}
	run(t, d.tab, "follow the skip link", chromedp.KeyEvent(kb.Enter))
	if got := get(t, d.tab, "focused", chromedp.Evaluate[string](`document.activeElement.id`)); got != "main" {
		t.Fatalf("after the skip link, focus is on %q, want main", got)
	}
}

// addKey adds a key through the form: first a broken one, whose message
// must be the API's, with what was typed kept; then a real one.
func (d *dash) addKey() {
	t := d.t
	const broken = "ssh-ed25519 AAAAthis-is-not-a-key laptop"
	var api struct{ Error string }
	if code := d.acme.API("POST", "/api/v1/keys", map[string]string{"name": "ci-runner-7", "publicKey": broken}, &api); code != http.StatusBadRequest {
		t.Fatalf("API add broken key: %d", code)
	}
	d.go_("/keys", "#key-pub")
	run(t, d.tab, "add broken key", chromedp.SendKeys("#key-name", "ci-runner-7"), chromedp.SetValue("#key-pub", broken),
		chromedp.Click(hasText("button", "Add key")), chromedp.WaitVisible("#key-pub-error"))
	if got := d.text("#key-pub-error"); got != api.Error {
		t.Fatalf("form error %q, API error %q", got, api.Error)
	}
	name := get(t, d.tab, "kept name", chromedp.Value("#key-name"))
	pub := get(t, d.tab, "kept key", chromedp.Value("#key-pub"))
	if name != "ci-runner-7" || pub != broken {
		t.Fatalf("the form lost what was typed: %q %q", name, pub)
	}
	d.shots.take(t, d.tab, "03-keys-error")

	pubLine, priv := apptest.NewKeyFile(t)
	run(t, d.tab, "add key", chromedp.SetValue("#key-pub", pubLine), chromedp.Click(hasText("button", "Add key")),
		chromedp.WaitVisible(".flash"), chromedp.WaitVisible(hasText("td", "ci-runner-7")))
	d.laptop = d.env.Account(d.acme.ID, d.acme.Token, priv)
}

// uploadWithNewKey uploads with the key added in the browser: the manifest
// first, so the import shows as waiting, then the data file; the row turns
// succeeded in place, without a reload.
func (d *dash) uploadWithNewKey() {
	t := d.t
	d.laptop.SFTP(fmt.Sprintf("put %s/profiles.manifest\n", d.td), false)
	// The import is recorded just after the upload ends, by the intake.
	apptest.Eventually(t, 10*time.Second, "the manifest's import to be recorded", func() bool {
		for _, imp := range d.acme.Imports() {
			if imp.ManifestName == "profiles.manifest" {
				return true
			}
		}
		return false
	})
	row := "//tr[.//a[normalize-space()='profiles.csv']]"
	d.go_("/imports", row+"//span[contains(@class,'badge-waiting')]")
	d.shots.take(t, d.tab, "05-activity-waiting")
	get(t, d.tab, "mark page", chromedp.Evaluate[int](`window.sluiceMark = 1`))
	d.laptop.SFTP(fmt.Sprintf("put %s/profiles.csv\n", d.td), false)
	run(t, d.tab, "import succeeds", chromedp.WaitVisible(row+"//span[contains(@class,'badge-succeeded')]"))
	if !get(t, d.tab, "no reload", chromedp.Evaluate[bool](`window.sluiceMark === 1`)) {
		t.Fatal("the page reloaded; the row should have been updated in place")
	}
	if got := d.text(row + "//td[@data-field='rowsImported']"); got != "5" {
		t.Fatalf("rows imported %q", got)
	}
	d.go_("/keys", hasText("td", "ci-runner-7"))
	if used := d.text("//tr[td[normalize-space()='ci-runner-7']]/td[@data-label='Last used']"); used == "Never" {
		t.Fatal("the new key's last use is not shown")
	}
	d.shots.take(t, d.tab, "04-keys")
	d.shots.phone(t, d.tab, "04-keys-phone")
}

// partialImport: a file with refused rows shows as partial; its page has
// every field and the error file, whose download is the API's bytes.
func (d *dash) partialImport() {
	t := d.t
	d.go_("/imports", "#activity")
	d.acme.Upload("events-bad.csv", []byte(badEvents))
	d.acme.Upload("events-bad.manifest", []byte(badEventsManifest))
	d.acme.SFTP(fmt.Sprintf("put %[1]s/events.csv\nput %[1]s/events.manifest\n", d.td), false)
	run(t, d.tab, "new imports notice", chromedp.WaitVisible("#newer"), chromedp.Click("#newer a"),
		chromedp.WaitVisible("//tr[.//a[normalize-space()='events-bad.csv']]"))
	imp := d.acme.ImportByManifest("events-bad.manifest", 10*time.Second)
	d.acme.ImportByManifest("events.manifest", 10*time.Second)
	d.go_("/imports", "//tr[.//a[normalize-space()='events.csv']]//span[contains(@class,'badge-succeeded')]")
	d.shots.take(t, d.tab, "06-activity")
	d.shots.phone(t, d.tab, "06-activity-phone")

	run(t, d.tab, "open partial import", chromedp.Click("//a[normalize-space()='events-bad.csv']"),
		chromedp.WaitVisible(hasText("a", "Download error file")))
	if got := d.text(".badge"); got != "partial" {
		t.Fatalf("status %q", got)
	}
	for _, want := range []string{"events-bad.manifest", "Rows refused", "Received", "Started", "Finished", d.acme.ID} {
		if body := d.text("main"); !strings.Contains(body, want) {
			t.Fatalf("import page lacks %q:\n%s", want, body)
		}
	}
	d.shots.take(t, d.tab, "07-import-partial")

	got := download(t, d.tab, hasText("a", "Download error file"))
	if want := d.acme.ErrorFile(imp.ID); string(got) != want || imp.RowsFailed != 3 {
		t.Fatalf("downloaded error file:\n%s\nAPI's:\n%s", got, want)
	}
}

func (d *dash) profile() {
	t := d.t
	d.go_("/profiles", "#identifier")
	run(t, d.tab, "look up", chromedp.SendKeys("#identifier", "user-1"), chromedp.Click(hasText("button", "Look up")),
		chromedp.WaitVisible("tr[data-prop=Playlist] ul.chips li"))
	if got := d.text("tr[data-prop=Playlist] ul.chips"); got != "Rock" {
		t.Fatalf("Playlist %q", got)
	}
	if got := d.text("tr[data-prop=DOB] td"); got != "15 Aug 1990" {
		t.Fatalf("DOB %q", got)
	}
	if got := d.text("main"); !strings.Contains(got, "Purchased") {
		t.Fatalf("no events on the profile page:\n%s", got)
	}
	d.shots.take(t, d.tab, "08-profile")
	d.shots.phone(t, d.tab, "08-profile-phone")
}

func (d *dash) server() {
	t := d.t
	d.go_("/server", "pre.cmd")
	info := d.env.App.ServerInfo()
	if got := d.text("pre.cmd"); got != httpapi.ConnectCommand(info, d.acme.ID) {
		t.Fatalf("command %q", got)
	}
	if body := d.text("main"); !strings.Contains(body, info.HostKeys[0].Fingerprint) {
		t.Fatalf("no host key fingerprint:\n%s", body)
	}
	d.shots.take(t, d.tab, "09-server")
}

// forgedPost: a page elsewhere (same site, other port, so the browser does
// send the session cookie) posts a delete form without the CSRF token.
func (d *dash) forgedPost() {
	t := d.t
	id := d.keyID("ci-runner-7")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><title>Prize</title><form method="post" action="%s/keys/%d/delete">`+
			`<button id="go">Claim your prize</button></form>`, d.env.HTTP, id)
	}))
	defer evil.Close()
	run(t, d.tab, "forged post", chromedp.Navigate(evil.URL), chromedp.Click("#go"),
		chromedp.WaitVisible(hasText("h1", "Form refused")))
	if body := d.text("main"); !strings.Contains(body, "security token") {
		t.Fatalf("refusal page:\n%s", body)
	}
	d.shots.take(t, d.tab, "10-csrf-refused")
	if d.keyID("ci-runner-7") != id {
		t.Fatal("the forged post deleted the key")
	}
}

func (d *dash) keyID(name string) int64 {
	var out struct{ Keys []httpapi.KeyJSON }
	d.acme.API("GET", "/api/v1/keys", nil, &out)
	for _, k := range out.Keys {
		if k.Name == name {
			return k.ID
		}
	}
	return 0
}

// deleteKey deletes the key with its confirmation step; SFTP with it stops.
func (d *dash) deleteKey() {
	t := d.t
	d.go_("/keys", hasText("td", "ci-runner-7"))
	run(t, d.tab, "delete", chromedp.Click("//tr[td[normalize-space()='ci-runner-7']]//a[contains(.,'Delete')]"),
		chromedp.WaitVisible(hasText("h1", "Delete the key")))
	d.shots.take(t, d.tab, "11-key-delete-confirm")
	run(t, d.tab, "confirm", chromedp.Click("button.danger"), chromedp.WaitVisible(hasText("p", "deleted")))
	if d.keyID("ci-runner-7") != 0 {
		t.Fatal("key not deleted")
	}
	if out, err := d.laptop.SFTP("ls\n", true); err == nil {
		t.Fatalf("SFTP still works with the deleted key:\n%s", out)
	}
}

func (d *dash) logOut() {
	t := d.t
	run(t, d.tab, "log out", chromedp.Click(hasText("button", "Log out")), chromedp.WaitVisible(hasText("p", "logged out")))
	d.shots.take(t, d.tab, "12-logged-out")
	d.go_("/keys", "#token") // the session is gone
}

// otherAccount logs in as Beta and tries Acme's import, error file and profile.
func (d *dash) otherAccount() {
	t := d.t
	acmeImport := d.acme.ImportByManifest("events-bad.manifest", time.Second)
	run(t, d.tab, "log in as beta", chromedp.SendKeys("#token", d.beta.Token), chromedp.Click("button.primary"),
		chromedp.WaitVisible(hasText("h1", "Saved keys")))
	if body := d.text("main"); strings.Contains(body, "ci-runner-7") || !strings.Contains(body, d.beta.ID) {
		t.Fatalf("beta's keys page:\n%s", body)
	}
	d.go_("/imports", hasText("p", "No imports yet"))
	d.shots.take(t, d.tab, "13-other-account-empty")
	for _, path := range []string{fmt.Sprintf("/imports/%d", acmeImport.ID), fmt.Sprintf("/imports/%d/errors.csv", acmeImport.ID)} {
		d.go_(path, hasText("h1", "not found"))
		if body := d.text("main"); strings.Contains(body, "events-bad") {
			t.Fatalf("%s shows acme's import:\n%s", path, body)
		}
	}
	d.shots.take(t, d.tab, "14-other-account-import")
	d.go_("/profiles?identifier=user-1", hasText("p", "No profile in this account"))
}
