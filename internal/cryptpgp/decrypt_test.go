package cryptpgp_test

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"sluice/internal/cryptpgp"
	"sluice/internal/cryptpgp/pgptest"
)

var plainCSV = []byte(strings.Repeat("identity,evtName,Amount\nuser-1,Purchased,12\nuser-2,Viewed,3\n", 200))

// sluiceKey generates a key the way sluice does and imports its public part
// into g, as a customer would.
func sluiceKey(t *testing.T, g *pgptest.GPG, algo cryptpgp.Algorithm) *cryptpgp.Key {
	t.Helper()
	e, err := cryptpgp.Generate("sluice test key", algo, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := cryptpgp.ArmoredPublic(e)
	if err != nil {
		t.Fatal(err)
	}
	g.Import(pub)
	return cryptpgp.NewKey(`decryption key "test"`, e)
}

func decryptAll(data []byte, armored bool, key *cryptpgp.Key) ([]byte, error) {
	r, err := cryptpgp.Decrypt(bytes.NewReader(data), armored, key)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func flip(b []byte, at int) []byte {
	out := bytes.Clone(b)
	out[at] ^= 0x20
	return out
}

// flipArmored changes one base64 character in the middle of the armored body.
func flipArmored(b []byte) []byte {
	out := bytes.Clone(b)
	for i := len(out) / 2; i < len(out); i++ {
		if c := out[i]; c >= 'a' && c <= 'y' {
			out[i] = c + 1
			return out
		}
	}
	panic("no base64 letter to flip")
}

func TestDecryptGPGFiles(t *testing.T) {
	g := pgptest.New(t)
	key := sluiceKey(t, g, cryptpgp.Curve25519)
	fpr := key.Fingerprint
	signer := g.GenKey("Signer <signer@example.com>", "signer-pass", "future-default", "default")
	other := g.GenKey("Other <other@example.com>", "other-pass", "future-default", "default")
	armored := g.Encrypt(plainCSV, fpr, "--armor")
	binary := g.Encrypt(plainCSV, fpr)
	uncompressed := g.Encrypt(plainCSV, fpr, "--compress-algo", "none")
	cases := []struct {
		name    string
		data    []byte
		armored bool
		want    cryptpgp.Problem // 0: decrypts to plainCSV
		msg     string
	}{
		{"armored", armored, true, 0, ""},
		{"binary", binary, false, 0, ""},
		{"binary, not compressed", uncompressed, false, 0, ""},
		{"signed by an unknown key and encrypted", g.Encrypt(plainCSV, fpr, "--sign", "--local-user", signer,
			"--pinentry-mode", "loopback", "--passphrase", "signer-pass"), false, 0, ""},
		{"binary, truncated", binary[:len(binary)/2], false, cryptpgp.Truncated, "truncated"},
		{"binary, last byte missing", binary[:len(binary)-1], false, cryptpgp.Truncated, "truncated"},
		{"armored, truncated", armored[:len(armored)/2], true, cryptpgp.Truncated, "truncated"},
		{"binary, a flipped byte", flip(binary, len(binary)*2/3), false, cryptpgp.Integrity, "integrity check failed"},
		{"not compressed, a flipped byte", flip(uncompressed, len(uncompressed)*2/3), false, cryptpgp.Integrity, "integrity check failed"},
		{"armored, a flipped character", flipArmored(armored), true, cryptpgp.Integrity, "integrity check failed"},
		{"encrypted to another key", g.Encrypt(plainCSV, other), false, cryptpgp.WrongKey, "encrypted to another key"},
		{"a flipped byte in the encrypted session key", flip(binary, 40), false, cryptpgp.Integrity, "session key does not decrypt"},
		{"encrypted with a passphrase", g.Run(plainCSV, "--symmetric", "--pinentry-mode", "loopback", "--passphrase", "pw"),
			false, cryptpgp.Passphrase, "passphrase"},
		{"signed, not encrypted", g.Run(plainCSV, "--sign", "--local-user", signer, "--pinentry-mode", "loopback",
			"--passphrase", "signer-pass"), false, cryptpgp.NotEncrypted, "not encrypted"},
		{"plain CSV named .gpg", plainCSV, false, cryptpgp.NotOpenPGP, "not an OpenPGP message"},
		{"plain CSV named .asc", plainCSV, true, cryptpgp.NotOpenPGP, "not ASCII-armored"},
		{"binary named .asc", binary, true, cryptpgp.NotOpenPGP, "not ASCII-armored"},
		{"empty", nil, false, cryptpgp.NotOpenPGP, "empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decryptAll(c.data, c.armored, key)
			if c.want == 0 {
				if err != nil || !bytes.Equal(got, plainCSV) {
					t.Fatalf("decrypt: %v; %d bytes, want %d", err, len(got), len(plainCSV))
				}
				return
			}
			var e *cryptpgp.Error
			if !errors.As(err, &e) || e.Problem != c.want || !strings.Contains(e.Msg, c.msg) {
				t.Fatalf("error %#v (%v), want problem %d with %q", e, err, c.want, c.msg)
			}
		})
	}
}

// TestDecryptNamesTheKeys: a file for another key names the keys it was
// encrypted to and the key that was tried.
func TestDecryptNamesTheKeys(t *testing.T) {
	g := pgptest.New(t)
	key := sluiceKey(t, g, cryptpgp.Curve25519)
	other := g.GenKey("Other <other@example.com>", "pw", "future-default", "default")
	subkeys := string(g.Run(nil, "--with-colons", "--list-keys", other))
	_, err := decryptAll(g.Encrypt(plainCSV, other), false, key)
	if err == nil {
		t.Fatal("decrypted a file for another key")
	}
	for _, want := range []string{key.Fingerprint, key.Subkeys[0], `decryption key "test"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q does not name %s", err, want)
		}
	}
	sub := strings.Split(strings.Split(subkeys, "\nsub:")[1], ":")[3] // the other key's encryption subkey id
	if !strings.Contains(err.Error(), sub) {
		t.Errorf("message %q does not name the subkey the file was encrypted to (%s)", err, sub)
	}
}

// TestDecryptRSA: an RSA-3072 key made by sluice decrypts what gpg
// encrypted to it.
func TestDecryptRSA(t *testing.T) {
	g := pgptest.New(t)
	key := sluiceKey(t, g, cryptpgp.RSA3072)
	got, err := decryptAll(g.Encrypt(plainCSV, key.Fingerprint, "--armor"), true, key)
	if err != nil || !bytes.Equal(got, plainCSV) {
		t.Fatalf("decrypt: %v", err)
	}
}

// TestDecryptSourceErrors: an error of the source itself comes back as it
// is, not as a decryption problem.
func TestDecryptSourceErrors(t *testing.T) {
	g := pgptest.New(t)
	key := sluiceKey(t, g, cryptpgp.Curve25519)
	data := g.Encrypt(bytes.Repeat(plainCSV, 50), key.Fingerprint, "--compress-algo", "none")
	boom := errors.New("disk on fire")
	for _, armored := range []bool{false, true} {
		src := data
		if armored {
			src = g.Encrypt(bytes.Repeat(plainCSV, 50), key.Fingerprint, "--armor")
		}
		r, err := cryptpgp.Decrypt(io.MultiReader(bytes.NewReader(src[:len(src)/2]), errReader{boom}), armored, key)
		if err == nil {
			_, err = io.ReadAll(r)
		}
		if !errors.Is(err, boom) {
			t.Errorf("armored %v: %v, want the source's error", armored, err)
		}
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
