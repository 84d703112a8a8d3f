package cryptpgp_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"sluice/internal/cryptpgp"
	"sluice/internal/cryptpgp/pgptest"
	"sluice/internal/errs"
)

// TestImportGPGKey: a key made and exported by gpg with a passphrase is
// imported, and decrypts what gpg encrypted and signed with it.
func TestImportGPGKey(t *testing.T) {
	g := pgptest.New(t)
	fpr := g.GenKey("Customer <data@example.com>", "correct horse", "default", "default")
	e, err := cryptpgp.ParsePrivate(g.ExportSecret(fpr, "correct horse"), "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	key := cryptpgp.NewKey("imported", e)
	if key.Fingerprint != fpr {
		t.Fatalf("fingerprint %s, gpg says %s", key.Fingerprint, fpr)
	}
	data := g.Encrypt(plainCSV, fpr, "--sign", "--local-user", fpr, "--pinentry-mode", "loopback", "--passphrase", "correct horse")
	if got, err := decryptAll(data, false, key); err != nil || !bytes.Equal(got, plainCSV) {
		t.Fatalf("decrypt a file signed by the key itself: %v", err)
	}
}

func TestParsePrivateRefusals(t *testing.T) {
	g := pgptest.New(t)
	fpr := g.GenKey("Customer <data@example.com>", "pw", "future-default", "default")
	signOnly := g.GenKey("Signer <s@example.com>", "pw", "ed25519", "sign")
	secret := g.ExportSecret(fpr, "pw")
	pub := string(g.Run(nil, "--armor", "--export", fpr))
	cases := []struct {
		name, key, passphrase, msg string
	}{
		{"wrong passphrase", secret, "wrong", "wrong passphrase"},
		{"no passphrase", secret, "", "protected by a passphrase"},
		{"public key", pub, "pw", "is a public key"},
		{"not armored", "hello", "pw", "not an ASCII-armored OpenPGP key"},
		{"damaged armor", damage(secret), "pw", "could not be read"},
		{"a message, not a key", string(g.Encrypt(plainCSV, fpr, "--armor")), "pw", "not a PGP PRIVATE KEY BLOCK"},
		{"two keys", string(g.Run(nil, "--pinentry-mode", "loopback", "--passphrase", "pw", "--armor", "--export-secret-keys")), "pw", "holds 2 keys"},
		{"no encryption subkey", g.ExportSecret(signOnly, "pw"), "pw", "no encryption subkey"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := cryptpgp.ParsePrivate(c.key, c.passphrase)
			if errs.CodeOf(err) != errs.Invalid || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want invalid with %q", err, c.msg)
			}
		})
	}
}

// TestGenerate: generated keys carry the name, have an encryption subkey,
// and export a public key without private parts.
func TestGenerate(t *testing.T) {
	for _, algo := range []cryptpgp.Algorithm{cryptpgp.Curve25519, cryptpgp.RSA3072} {
		t.Run(string(algo), func(t *testing.T) {
			e, err := cryptpgp.Generate("sluice ACME-1: prod (exports) <x>", algo, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if got := cryptpgp.NewKey("k", e); len(got.Fingerprint) != 40 || len(got.Subkeys) != 1 {
				t.Fatalf("key %+v", got)
			}
			pub, err := cryptpgp.ArmoredPublic(e)
			if err != nil || !strings.HasPrefix(pub, "-----BEGIN PGP PUBLIC KEY BLOCK-----") {
				t.Fatalf("public key %q %v", pub, err)
			}
			if _, err := cryptpgp.ParsePrivate(pub, ""); err == nil || !strings.Contains(err.Error(), "public key") {
				t.Fatalf("the public key must hold no private part: %v", err)
			}
			for id := range e.Identities {
				if strings.ContainsAny(id, "()<>") || !strings.Contains(id, "ACME-1: prod") {
					t.Fatalf("user id %q", id)
				}
			}
		})
	}
}

func TestParseAlgorithm(t *testing.T) {
	for in, want := range map[string]cryptpgp.Algorithm{"curve25519": cryptpgp.Curve25519, " RSA3072 ": cryptpgp.RSA3072, "dsa": ""} {
		got, err := cryptpgp.ParseAlgorithm(in)
		if got != want || (want == "") != (err != nil) {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
}

// damage replaces a line in the middle of an armored block with garbage.
func damage(armored string) string {
	lines := strings.Split(armored, "\n")
	lines[len(lines)/2] = "@@@@"
	return strings.Join(lines, "\n")
}
