package cryptpgp_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"sluice/internal/cryptpgp"
)

func TestSecretCreatedOnceWith0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "secret.key")
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	for i := range got {
		wg.Go(func() {
			s, err := cryptpgp.LoadOrCreateSecret(path)
			if err != nil {
				t.Error(err)
			}
			got[i] = s
		})
	}
	wg.Wait()
	for i := range got {
		if len(got[i]) != cryptpgp.SecretSize || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("concurrent first starts saw different secrets: %x vs %x", got[i], got[0])
		}
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v %v", st.Mode(), err)
	}
	if again, err := cryptpgp.LoadOrCreateSecret(path); err != nil || !bytes.Equal(again, got[0]) {
		t.Fatalf("a restart must read the same secret: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".secret-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestSecretRefusesBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret.key")
	os.WriteFile(path, []byte("not hex\n"), 0o600)
	if _, err := cryptpgp.LoadOrCreateSecret(path); err == nil {
		t.Fatal("a damaged secret file must not be replaced or accepted")
	}
}

func TestSealer(t *testing.T) {
	s1, _ := cryptpgp.NewSealer(bytes.Repeat([]byte{1}, 32))
	s2, _ := cryptpgp.NewSealer(bytes.Repeat([]byte{2}, 32))
	plain := []byte("private key packets")
	sealed := s1.Seal(plain, "ACME/k1")
	if bytes.Contains(sealed, plain) || bytes.Equal(sealed, s1.Seal(plain, "ACME/k1")) {
		t.Fatal("sealing must hide the value and use a fresh nonce")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	cases := []struct {
		name    string
		s       *cryptpgp.Sealer
		sealed  []byte
		context string
		ok      bool
	}{
		{"same secret and context", s1, sealed, "ACME/k1", true},
		{"other context", s1, sealed, "EVIL/k1", false},
		{"other secret", s2, sealed, "ACME/k1", false},
		{"altered", s1, tampered, "ACME/k1", false},
		{"too short", s1, sealed[:5], "ACME/k1", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.s.Open(c.sealed, c.context)
			if c.ok != (err == nil) || (c.ok && !bytes.Equal(got, plain)) || (!c.ok && !errors.Is(err, cryptpgp.ErrUnseal)) {
				t.Fatalf("open: %q %v", got, err)
			}
		})
	}
	if _, err := cryptpgp.NewSealer([]byte("short")); err == nil {
		t.Fatal("a short secret must be refused")
	}
}
