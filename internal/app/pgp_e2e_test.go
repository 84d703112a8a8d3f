package app_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/cryptpgp/pgptest"
	"sluice/internal/httpapi"
)

// pgpEvents is an events file whose every 9th row is refused, so that the
// error file is compared too.
func pgpEvents(rows int) []byte {
	var b bytes.Buffer
	b.WriteString("identity,ts,evtName,Amount,Currency,Quantity\n")
	for i := range rows {
		name := "Purchased"
		if i%9 == 4 {
			name = "App Launched" // restricted: refused
		}
		fmt.Fprintf(&b, "user-%d,%d,%s,%d.5,INR,%d\n", i%40, 1700000000+i, name, i%1000, i%7)
	}
	return b.Bytes()
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func pgpManifest(file, keyID string) []byte {
	kid := ""
	if keyID != "" {
		kid = fmt.Sprintf(`, "keyId": %q`, keyID)
	}
	return fmt.Appendf(nil, `{"type": "event", "fileName": %q, "clientEmail": "ops@example.com"%s,
		"columns": {"Amount": {"dataType": "FLOAT"}, "Quantity": {"dataType": "INTEGER"}}}`, file, kid)
}

// newPGPKey generates a key through the API and imports its downloaded
// public key into gpg, as a customer would.
func newPGPKey(t *testing.T, acct *apptest.Account, g *pgptest.GPG) httpapi.PGPKeyJSON {
	t.Helper()
	var k httpapi.PGPKeyJSON
	if code := acct.API("POST", "/api/v1/pgp-keys", map[string]string{"name": "sluice"}, &k); code != http.StatusCreated {
		t.Fatalf("create key: %d %+v", code, k)
	}
	var pub []byte
	if code := acct.API("GET", "/api/v1/pgp-keys/"+k.ID+"/public.asc", nil, &pub); code != http.StatusOK || string(pub) != k.PublicKey {
		t.Fatalf("download public key: %d %q", code, pub)
	}
	g.Import(string(pub))
	return k
}

// importedEvents is what an account's import stored, seen through the API:
// the import's counts, its events and its error file.
func importedEvents(t *testing.T, acct *apptest.Account, imp httpapi.ImportJSON) string {
	t.Helper()
	var evs struct {
		Events []httpapi.EventJSON `json:"events"`
	}
	if code := acct.API("GET", "/api/v1/events?limit=1000", nil, &evs); code != http.StatusOK {
		t.Fatalf("events: %d", code)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s read %d imported %d refused %d\n", imp.Status, imp.RowsRead, imp.RowsImported, imp.RowsFailed)
	for _, e := range evs.Events {
		fmt.Fprintf(&b, "%s %s %v %v\n", e.Name, e.Time.Format(time.RFC3339), e.Identifiers, e.Properties)
	}
	if imp.RowsFailed > 0 {
		b.WriteString(acct.ErrorFile(imp.ID))
	}
	return b.String()
}

// TestEncryptedUploadsOverSFTP (issue 6, acceptance 1): files encrypted by
// the real gpg to a key sluice generated (armored and binary) and to an
// imported key with a passphrase, gzipped, and both, uploaded with
// OpenSSH's sftp, each import the same rows as the plain file.
func TestEncryptedUploadsOverSFTP(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	g := pgptest.New(t)
	plain := pgpEvents(500)
	ref := env.NewAccount("Plain")
	ref.Upload("events.csv", plain)
	ref.Upload("m.manifest", pgpManifest("events.csv", ""))
	want := importedEvents(t, ref, ref.ImportByManifest("m.manifest", time.Minute))
	if !strings.HasPrefix(want, "partial read 500 imported 444 refused 56\n") {
		t.Fatalf("plain import:\n%.300s", want)
	}
	customer := g.GenKey("Customer <data@example.com>", "s3cret pass", "default", "default")
	cases := []struct {
		name, file string
		key        func(t *testing.T, acct *apptest.Account) httpapi.PGPKeyJSON
		data       func(fpr string) []byte
	}{
		{"armored, to a generated key", "events.csv.asc", generated(g), func(fpr string) []byte { return g.Encrypt(plain, fpr, "--armor") }},
		{"binary, to a generated key", "events.csv.gpg", generated(g), func(fpr string) []byte { return g.Encrypt(plain, fpr) }},
		{"binary, to an imported key with a passphrase", "events.csv.pgp", imported(g, customer, "s3cret pass"),
			func(fpr string) []byte { return g.Encrypt(plain, fpr) }},
		{"signed and encrypted to an imported key", "events.csv.asc", imported(g, customer, "s3cret pass"),
			func(fpr string) []byte {
				return g.Encrypt(plain, fpr, "--armor", "--sign", "--local-user", fpr, "--pinentry-mode", "loopback", "--passphrase", "s3cret pass")
			}},
		{"gzip", "events.csv.gz", nil, func(string) []byte { return gz(plain) }},
		{"gzip, then encrypted", "events.csv.gz.gpg", generated(g), func(fpr string) []byte { return g.Encrypt(gz(plain), fpr) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acct := env.NewAccount(c.name)
			var k httpapi.PGPKeyJSON
			if c.key != nil {
				k = c.key(t, acct)
			}
			data := c.data(k.Fingerprint)
			acct.Upload(c.file, data)
			acct.Upload("m.manifest", pgpManifest(c.file, k.ID))
			imp := acct.ImportByManifest("m.manifest", time.Minute)
			if got := importedEvents(t, acct, imp); got != want {
				t.Fatalf("stored (error %q):\n%.600s\nthe plain file stored:\n%.600s", imp.Error, got, want)
			}
			if imp.BytesRead != imp.SizeBytes || imp.SizeBytes != int64(len(data)) {
				t.Fatalf("bytesRead %d, sizeBytes %d, uploaded %d", imp.BytesRead, imp.SizeBytes, len(data))
			}
		})
	}
}

func generated(g *pgptest.GPG) func(t *testing.T, acct *apptest.Account) httpapi.PGPKeyJSON {
	return func(t *testing.T, acct *apptest.Account) httpapi.PGPKeyJSON { return newPGPKey(t, acct, g) }
}

// imported uploads gpg's armored private key with its passphrase.
func imported(g *pgptest.GPG, fpr, passphrase string) func(t *testing.T, acct *apptest.Account) httpapi.PGPKeyJSON {
	return func(t *testing.T, acct *apptest.Account) httpapi.PGPKeyJSON {
		var k httpapi.PGPKeyJSON
		body := map[string]string{"name": "ours", "privateKey": g.ExportSecret(fpr, passphrase), "passphrase": passphrase}
		if code := acct.API("POST", "/api/v1/pgp-keys", body, &k); code != http.StatusCreated || k.Fingerprint != fpr || k.Kind != "imported" {
			t.Fatalf("import key: %d %+v", code, k)
		}
		return k
	}
}
