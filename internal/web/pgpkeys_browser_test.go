package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"sluice/internal/apptest"
)

// TestDecryptionKeysInBrowser: in a real browser, log in, make a key with
// the form, see a refused import's message, and take the page's
// screenshots (laptop and phone) with the accessibility check.
func TestDecryptionKeysInBrowser(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acct := env.NewAccount("Acme Retail")
	tab, shots := newBrowser(t), newShots(t)
	run(t, tab, "log in", chromedp.Navigate(env.HTTP+"/login"), chromedp.WaitVisible("#token"),
		chromedp.SendKeys("#token", acct.Token), chromedp.Click("button.primary"), chromedp.WaitVisible(hasText("h1", "Activity log")))
	run(t, tab, "open decryption keys", chromedp.Click(hasText("a", "Decryption keys")), chromedp.WaitVisible("#gen-name"))
	shots.take(t, tab, "pgp-01-empty")
	run(t, tab, "make a key", chromedp.SendKeys("#gen-name", "nightly export"), chromedp.Click(hasText("button", "Make key")),
		chromedp.WaitVisible(hasText("td", "nightly export")))
	if got := get(t, tab, "notice", chromedp.Text(".flash")); !strings.Contains(got, "keyId for manifests") {
		t.Fatalf("notice after making a key: %q", got)
	}
	run(t, tab, "import a broken key", chromedp.SetValue("#imp-key", "not a key"), chromedp.Click(hasText("button", "Import key")),
		chromedp.WaitVisible("#import .error-box"))
	if got := get(t, tab, "import error", chromedp.Text("#import .error-box")); !strings.Contains(got, "not an ASCII-armored OpenPGP key") {
		t.Fatalf("import error: %q", got)
	}
	shots.take(t, tab, "pgp-02-key-and-error")
	shots.phone(t, tab, "pgp-03-phone")
}
