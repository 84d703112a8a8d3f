package hostkey

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestLoadOrCreateKeepsKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	first, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	types := []string{}
	for _, s := range first {
		types = append(types, s.PublicKey().Type())
	}
	if !slices.Equal(types, []string{ssh.KeyAlgoED25519, ssh.KeyAlgoRSA}) {
		t.Fatalf("key types %v, want ed25519 then RSA", types)
	}
	again, err := LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(fingerprintStrings(first), fingerprintStrings(again)) {
		t.Fatalf("host keys changed on restart: %v then %v", Fingerprints(first), Fingerprints(again))
	}
	for _, name := range []string{"ssh_host_ed25519_key", "ssh_host_rsa_key"} {
		st, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", name, st.Mode().Perm())
		}
		body, _ := os.ReadFile(filepath.Join(dir, name))
		if !strings.HasPrefix(string(body), "-----BEGIN OPENSSH PRIVATE KEY-----") {
			t.Errorf("%s is not in OpenSSH format", name)
		}
	}
}

func TestRSAKeySize(t *testing.T) {
	keys, err := LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pub := keys[1].PublicKey().(ssh.CryptoPublicKey).CryptoPublicKey()
	type sizer interface{ Size() int }
	if n := pub.(sizer).Size() * 8; n != rsaBits {
		t.Errorf("RSA host key has %d bits, want %d", n, rsaBits)
	}
}

func TestUnreadableKeyIsNotReplaced(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ssh_host_ed25519_key")
	if err := os.WriteFile(path, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreate(dir); err == nil {
		t.Fatal("LoadOrCreate accepted a corrupt host key")
	}
	body, _ := os.ReadFile(path)
	if string(body) != "not a key" {
		t.Error("the corrupt host key file was overwritten")
	}
}

func TestFingerprints(t *testing.T) {
	keys, err := LoadOrCreate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	fps := Fingerprints(keys)
	if len(fps) != 2 {
		t.Fatalf("%d fingerprints, want 2", len(fps))
	}
	for i, fp := range fps {
		if fp.SHA256 != ssh.FingerprintSHA256(keys[i].PublicKey()) || !strings.HasPrefix(fp.String(), fp.Type+" SHA256:") {
			t.Errorf("fingerprint %d = %v", i, fp)
		}
	}
}

func fingerprintStrings(keys []ssh.Signer) []string {
	var out []string
	for _, f := range Fingerprints(keys) {
		out = append(out, f.String())
	}
	return out
}
