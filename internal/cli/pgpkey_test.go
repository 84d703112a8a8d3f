package cli_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sluice/internal/cli"
	"sluice/internal/cryptpgp/pgptest"
)

type keyJSON struct {
	ID, Name, Kind, Fingerprint, PublicKey string
}

func TestPGPKeyCommands(t *testing.T) {
	g := pgptest.New(t)
	dir := t.TempDir()
	code, out, errOut := runCLI(t, "", "account", "create", "Acme", "--json", "--data-dir", dir)
	var acct struct{ ID string }
	if code != 0 || json.Unmarshal([]byte(out), &acct) != nil {
		t.Fatalf("account create: %d %s %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "", "pgp-key", "create", "--account", acct.ID, "--name", "nightly", "--json", "--data-dir", dir)
	var gen keyJSON
	if code != 0 || json.Unmarshal([]byte(out), &gen) != nil || gen.Kind != "generated" || gen.Name != "nightly" {
		t.Fatalf("create: %d %s %s", code, out, errOut)
	}
	if st, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("server secret: %v %v", st, err)
	}
	fpr := g.GenKey("Customer <c@example.com>", "pass phrase", "future-default", "default")
	keyFile := writeFile(t, "key.asc", g.ExportSecret(fpr, "pass phrase"))
	passFile := writeFile(t, "pass", "pass phrase\n")
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"public", []string{"pgp-key", "public", "--account", acct.ID, gen.ID}, 0, gen.PublicKey},
		{"import", []string{"pgp-key", "import", "--account", acct.ID, "--passphrase-file", passFile, keyFile}, 0, "imported: Customer <c@example.com> (imported)"},
		{"import, no passphrase", []string{"pgp-key", "import", "--account", acct.ID, keyFile}, 2, "protected by a passphrase"},
		{"list", []string{"pgp-key", "list", "--account", acct.ID}, 0, fpr},
		{"rm", []string{"pgp-key", "rm", "--account", acct.ID, strings.ToUpper(gen.ID)}, 0, "deleted"},
		{"rm again", []string{"pgp-key", "rm", "--account", acct.ID, gen.ID}, 1, "no decryption key"},
		{"unknown account", []string{"pgp-key", "list", "--account", "NOPE-0000"}, 1, "no account"},
		{"no account", []string{"pgp-key", "list"}, 2, "--account is required"},
		{"unknown command", []string{"pgp-key", "export", "--account", acct.ID}, 2, "unknown pgp-key command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "", append(c.args, "--data-dir", dir)...)
			if code != c.code || !strings.Contains(out+errOut, c.out) {
				t.Fatalf("exit %d, output %s%s; want %d with %q", code, out, errOut, c.code, c.out)
			}
		})
	}
	_, out, _ = runCLI(t, "", "pgp-key", "list", "--account", acct.ID, "--json", "--data-dir", dir)
	var list struct{ Keys []keyJSON }
	if json.Unmarshal([]byte(out), &list) != nil || len(list.Keys) != 1 || list.Keys[0].Fingerprint != fpr {
		t.Fatalf("list after rm: %s", out)
	}
}

// TestValidateEncoded: sluice validate reads gzipped and encrypted files,
// with the private key given by --pgp-key, and reports decoding failures
// as the server would, without an error file.
func TestValidateEncoded(t *testing.T) {
	g := pgptest.New(t)
	fpr := g.GenKey("Customer <c@example.com>", "pw", "future-default", "default")
	keyFile := writeFile(t, "key.asc", g.ExportSecret(fpr, "pw"))
	passFile := writeFile(t, "pass", "pw")
	var csv bytes.Buffer
	csv.WriteString("identity,evtName,Amount\n")
	for i := range 100 {
		fmt.Fprintf(&csv, "user-%d,Purchased,%d\n", i, i)
	}
	csv.WriteString(",Purchased,1\n") // refused
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(csv.Bytes())
	w.Close()
	enc := g.Encrypt(csv.Bytes(), fpr)
	manifest := writeFile(t, "m.manifest", `{"type": "event", "fileName": "events.csv.gpg", "keyId": "k", "clientEmail": "ops@example.com"}`)
	cases := []struct {
		name, file string
		data       []byte
		flags      []string
		code       int
		out        string
		errorFile  bool
	}{
		{"gzip", "events.csv.gz", gz.Bytes(), nil, 1, "partial: 101 rows read, 100 would be imported, 1 refused", true},
		{"encrypted", "events.csv.gpg", enc, []string{"--pgp-key", keyFile, "--passphrase-file", passFile}, 1, "partial: 101 rows read", true},
		{"encrypted, named by the manifest", "upload.bin", enc, []string{"--pgp-key", keyFile, "--passphrase-file", passFile}, 1, "partial: 101 rows read", true},
		{"encrypted, no key", "events.csv.gpg", enc, nil, 2, "give its private key with --pgp-key", false},
		{"encrypted, wrong passphrase", "events.csv.gpg", enc, []string{"--pgp-key", keyFile}, 2, "protected by a passphrase", false},
		{"truncated", "events.csv.gpg", enc[:len(enc)-20], []string{"--pgp-key", keyFile, "--passphrase-file", passFile}, 1,
			"failed: File couldn't be decrypted: the file is truncated", false},
		{"not gzip", "events.csv.gz", csv.Bytes(), nil, 1, "failed: File couldn't be decompressed: it is not gzip data", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			data := writeFile(t, c.file, string(c.data))
			args := append(append([]string{"validate", "--manifest", manifest}, c.flags...), data)
			code, out, errOut := runCLI(t, "", args...)
			if code != c.code || !strings.Contains(out+errOut, c.out) {
				t.Fatalf("exit %d, output %s%s; want %d with %q", code, out, errOut, c.code, c.out)
			}
			ef, err := os.ReadFile(cli.ErrorFilePath(data))
			if c.errorFile != (err == nil) || (c.errorFile && !strings.HasSuffix(string(ef), "\n,Purchased,1,Atleast one of identity / fbId / gpId / objectId is mandatory under 1024 chars to identify the user\n")) {
				t.Fatalf("error file %q %v", ef, err)
			}
		})
	}
}
