package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"sluice/internal/apptest"
	"sluice/internal/cryptpgp/pgptest"
)

var keyIDCell = regexp.MustCompile(`data-label="keyId"><code>([0-9a-f-]{36})</code>`)

// TestDecryptionKeysPage: make, import, download and delete decryption
// keys from the dashboard, with the API's rules and messages; forms need
// the session's CSRF token, and another account sees none of it.
func TestDecryptionKeysPage(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	g := pgptest.New(t)
	acme, beta := env.NewAccount("Acme"), env.NewAccount("Beta")
	a := newClient(t, env.HTTP, nil)
	a.logIn(acme.Token)
	if resp, body := a.get("/pgp-keys"); resp.StatusCode != 200 || !strings.Contains(body, "No decryption keys yet") ||
		!strings.Contains(body, `href="/pgp-keys" aria-current="page"`) {
		t.Fatalf("empty page: %d\n%s", resp.StatusCode, body)
	}
	fpr := g.GenKey("Customer <c@example.com>", "pw", "future-default", "default")
	secret := g.ExportSecret(fpr, "pw")
	steps := []struct {
		name   string
		path   string
		form   url.Values
		status int
		want   string // in the page after the redirect, or in the error page
	}{
		{"make a key", "/pgp-keys", url.Values{"name": {"nightly export"}}, http.StatusSeeOther, "Decryption key “nightly export” generated"},
		{"make a key without a name", "/pgp-keys", url.Values{"name": {" "}}, http.StatusBadRequest, "give the key a name"},
		{"import, wrong passphrase", "/pgp-keys/import", url.Values{"name": {"theirs"}, "privateKey": {secret}, "passphrase": {"no"}},
			http.StatusBadRequest, "wrong passphrase"},
		{"import", "/pgp-keys/import", url.Values{"privateKey": {secret}, "passphrase": {"pw"}}, http.StatusSeeOther,
			"Decryption key “Customer &lt;c@example.com&gt;” imported"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.form.Set("csrf", a.csrf)
			resp, body := a.do("POST", s.path, s.form)
			if resp.StatusCode != s.status {
				t.Fatalf("POST %s: %d\n%s", s.path, resp.StatusCode, body)
			}
			if resp.StatusCode == http.StatusSeeOther {
				_, body = a.get(resp.Header.Get("Location"))
			}
			if !strings.Contains(body, s.want) || strings.Contains(body, strings.Split(secret, "\n")[4]) {
				t.Fatalf("page after POST %s lacks %q or shows the private key:\n%s", s.path, s.want, body)
			}
		})
	}
	_, page := a.get("/pgp-keys")
	ids := keyIDCell.FindAllStringSubmatch(page, -1)
	if len(ids) != 2 || !strings.Contains(page, fpr) {
		t.Fatalf("the page lists %d keys:\n%s", len(ids), page)
	}
	gen := ids[0][1]
	resp, pub := a.get("/pgp-keys/" + gen + "/public.asc")
	if resp.StatusCode != 200 || !strings.HasPrefix(pub, "-----BEGIN PGP PUBLIC KEY BLOCK-----") ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("public key download: %d %v\n%s", resp.StatusCode, resp.Header, pub)
	}
	g.Import(pub) // what a customer does with it

	b := newClient(t, env.HTTP, nil)
	b.logIn(beta.Token)
	for _, path := range []string{"/pgp-keys/" + gen + "/public.asc", "/pgp-keys/" + gen + "/delete"} {
		if resp, body := b.get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "nightly") {
			t.Fatalf("beta GET %s: %d\n%s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := b.do("POST", "/pgp-keys/"+gen+"/delete", url.Values{"csrf": {b.csrf}}); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("beta deletes acme's key: %d", resp.StatusCode)
	}
	if resp, _ := a.do("POST", "/pgp-keys/"+gen+"/delete", url.Values{"csrf": {b.csrf}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("delete with another session's token: %d", resp.StatusCode)
	}
	if resp, body := a.get("/pgp-keys/" + gen + "/delete"); resp.StatusCode != 200 || !strings.Contains(body, "gone for good") {
		t.Fatalf("confirmation page: %d\n%s", resp.StatusCode, body)
	}
	resp, _ = a.do("POST", "/pgp-keys/"+gen+"/delete", url.Values{"csrf": {a.csrf}})
	if _, body := a.get(resp.Header.Get("Location")); !strings.Contains(body, "“nightly export” deleted") ||
		len(keyIDCell.FindAllString(body, -1)) != 1 {
		t.Fatalf("after delete:\n%s", body)
	}
}
