package app_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/cryptpgp/pgptest"
	"sluice/internal/httpapi"
	"sluice/internal/store"
)

// TestEncryptedFailuresOverSFTP (issue 6, acceptance 2): a wrong keyId, a
// file encrypted to another key, a truncated file, a flipped byte and a
// gzip bomb each fail their import with their own message and store no
// rows, with the server's default limits.
func TestEncryptedFailuresOverSFTP(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	g := pgptest.New(t)
	acct := env.NewAccount("Acme")
	k := newPGPKey(t, acct, g)
	other := g.GenKey("Other <o@example.com>", "pw", "future-default", "default")
	plain := pgpEvents(5000)
	enc := g.Encrypt(plain, k.Fingerprint, "--compress-algo", "none")
	flipped := bytes.Clone(enc)
	flipped[len(flipped)*9/10] ^= 0x01
	bomb := gz(append(pgpEvents(10), bytes.Repeat([]byte("user-1,1700000000,Purchased,1.5,INR,1\n"), 1<<20)...)) // 38 MiB of rows, ~1000:1
	cases := []struct {
		name, file, keyID string
		data              []byte
		msg               string
	}{
		{"no keyId", "a.csv.gpg", "-", enc, "Incorrect details in manifest file: keyId is required for encrypted files"},
		{"wrong keyId", "b.csv.gpg", "0b0e7a52-5b7e-4d2c-9a8e-2f6d1c3b4a59", enc,
			`File couldn't be decrypted: the manifest's keyId "0b0e7a52-5b7e-4d2c-9a8e-2f6d1c3b4a59" names no decryption key with id`},
		{"encrypted to another key", "c.csv.gpg", k.ID, g.Encrypt(plain, other), "File couldn't be decrypted: the file is encrypted to another key"},
		{"truncated", "d.csv.gpg", k.ID, enc[:len(enc)-1000], "File couldn't be decrypted: the file is truncated"},
		{"a flipped byte", "e.csv.gpg", k.ID, flipped, "File couldn't be decrypted: the integrity check failed (MDC/AEAD)"},
		{"gzip bomb", "f.csv.gz", "", bomb, "File couldn't be decompressed: it expands more than 200 times"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keyID := c.keyID
			if keyID == "-" {
				keyID = ""
			}
			m := strings.TrimSuffix(c.file, ".gpg") + ".manifest"
			acct.Upload(c.file, c.data)
			acct.Upload(m, pgpManifest(c.file, keyID))
			imp := acct.ImportByManifest(m, time.Minute)
			if imp.Status != store.StatusFailed || !strings.HasPrefix(imp.Error, c.msg) {
				t.Fatalf("status %s, error %q; want failed with %q", imp.Status, imp.Error, c.msg)
			}
			if imp.RowsRead != 0 || imp.RowsImported != 0 || imp.RowsFailed != 0 || imp.ErrorFile != "" {
				t.Fatalf("a failed import stored rows: %+v", imp)
			}
		})
	}
	var evs struct {
		Events []httpapi.EventJSON `json:"events"`
	}
	if code := acct.API("GET", "/api/v1/events", nil, &evs); code != http.StatusOK || len(evs.Events) != 0 {
		t.Fatalf("events after failed imports: %d %d", code, len(evs.Events))
	}
	var p httpapi.ProfileJSON
	if code := acct.API("GET", "/api/v1/profiles/user-1", nil, &p); code != http.StatusNotFound {
		t.Fatalf("a profile was made by a failed import: %d %+v", code, p)
	}
}

// TestPGPKeysAPI: the key routes answer as documented, keep to their
// account, and refuse bad keys with clear 400s.
func TestPGPKeysAPI(t *testing.T) {
	cfg := apptest.Config(t)
	cfg.MaxPGPKeysPerAccount = 2
	env := apptest.Start(t, cfg)
	g := pgptest.New(t)
	acct, evil := env.NewAccount("Acme"), env.NewAccount("Evil")
	k := newPGPKey(t, acct, g)
	if k.Kind != "generated" || len(k.Fingerprint) != 40 || k.CreatedAt.IsZero() || !strings.Contains(k.PublicKey, "PUBLIC KEY BLOCK") {
		t.Fatalf("generated key %+v", k)
	}
	fpr := g.GenKey("Customer <c@example.com>", "pw", "future-default", "default")
	secret := g.ExportSecret(fpr, "pw")
	signOnly := g.ExportSecret(g.GenKey("Signer <s@example.com>", "pw", "ed25519", "sign"), "pw")
	cases := []struct {
		name   string
		as     *apptest.Account
		method string
		path   string
		body   any
		status int
		msg    string
	}{
		{"get", acct, "GET", "/api/v1/pgp-keys/" + k.ID, nil, 200, k.Fingerprint},
		{"get, another account's", evil, "GET", "/api/v1/pgp-keys/" + k.ID, nil, 404, "no decryption key"},
		{"public key, another account's", evil, "GET", "/api/v1/pgp-keys/" + k.ID + "/public.asc", nil, 404, "no decryption key"},
		{"delete, another account's", evil, "DELETE", "/api/v1/pgp-keys/" + k.ID, nil, 404, "no decryption key"},
		{"get, not an id", acct, "GET", "/api/v1/pgp-keys/42", nil, 404, "no decryption key"},
		{"bad armor", acct, "POST", "/api/v1/pgp-keys", map[string]string{"name": "x", "privateKey": "hello"}, 400, "not an ASCII-armored"},
		{"wrong passphrase", acct, "POST", "/api/v1/pgp-keys", map[string]string{"name": "x", "privateKey": secret, "passphrase": "no"}, 400, "wrong passphrase"},
		{"no encryption subkey", acct, "POST", "/api/v1/pgp-keys", map[string]string{"name": "x", "privateKey": signOnly, "passphrase": "pw"}, 400, "no encryption subkey"},
		{"passphrase alone", acct, "POST", "/api/v1/pgp-keys", map[string]string{"name": "x", "passphrase": "pw"}, 400, "without privateKey"},
		{"unknown field", acct, "POST", "/api/v1/pgp-keys", map[string]string{"name": "x", "algo": "dsa"}, 400, "not the JSON expected"},
		{"import", acct, "POST", "/api/v1/pgp-keys", map[string]string{"name": "theirs", "privateKey": secret, "passphrase": "pw"}, 201, fpr},
		{"over the maximum", acct, "POST", "/api/v1/pgp-keys", map[string]string{"name": "third"}, 400, "the most allowed"},
		{"list", acct, "GET", "/api/v1/pgp-keys", nil, 200, `"name":"theirs"`},
		{"list, another account's", evil, "GET", "/api/v1/pgp-keys", nil, 200, `{"keys":[]}`},
		{"delete", acct, "DELETE", "/api/v1/pgp-keys/" + k.ID, nil, 204, ""},
		{"get, deleted", acct, "GET", "/api/v1/pgp-keys/" + k.ID, nil, 404, "no decryption key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var raw []byte
			code := c.as.API(c.method, c.path, c.body, &raw)
			if code != c.status || !strings.Contains(string(raw), c.msg) {
				t.Fatalf("%d %s, want %d with %q", code, raw, c.status, c.msg)
			}
			if body := strings.Split(secret, "\n")[4]; bytes.Contains(raw, []byte(body)) {
				t.Fatalf("the answer holds the private key: %s", raw)
			}
		})
	}
}
