// Package pgptest drives the real gpg command-line tool (Debian's gnupg)
// for tests: a throwaway GNUPGHOME, keys made and exported by gpg, and files
// encrypted by it.
package pgptest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// GPG is gpg with its own temporary home.
type GPG struct {
	T    testing.TB
	Home string
}

// New makes a gpg home for one test; without gpg the test is skipped, or
// fails under CI, which must install gnupg.
func New(t testing.TB) *GPG {
	t.Helper()
	if _, err := exec.LookPath("gpg"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("gpg not found: .ci/run installs gnupg: %v", err)
		}
		t.Skipf("gpg not found: %v", err)
	}
	// A short home keeps gpg-agent's socket path within the 108-byte limit.
	home, err := os.MkdirTemp("", "gpg-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(home, 0o700)
	// The fewest S2K iterations: gpg-agent otherwise calibrates them to
	// 100 ms of CPU per key operation, which a busy machine stretches to
	// seconds.
	if err := os.WriteFile(filepath.Join(home, "gpg-agent.conf"), []byte("s2k-count 65536\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	g := &GPG{T: t, Home: home}
	t.Cleanup(func() {
		cmd := exec.Command("gpgconf", "--kill", "all")
		cmd.Env = g.env()
		cmd.Run()
		os.RemoveAll(home)
	})
	return g
}

func (g *GPG) env() []string {
	return append(os.Environ(), "GNUPGHOME="+g.Home, "LC_ALL=C")
}

// Run runs gpg in batch mode with stdin and returns its standard output.
func (g *GPG) Run(stdin []byte, args ...string) []byte {
	g.T.Helper()
	args = append([]string{"--batch", "--yes", "--trust-model", "always", "--no-tty"}, args...)
	cmd := exec.Command("gpg", args...)
	cmd.Env = g.env()
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		g.T.Fatalf("gpg %s: %v\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.Bytes()
}

// Import adds an armored key to the keyring.
func (g *GPG) Import(armored string) {
	g.T.Helper()
	g.Run([]byte(armored), "--import")
}

// GenKey makes a key protected by passphrase and returns its fingerprint.
// algo is as for gpg --quick-gen-key: "default" (RSA-3072 in gpg 2.2, slow
// to make), "future-default" (ed25519 with a cv25519 subkey, fast), or e.g.
// "ed25519" with usage "sign" for a key without an encryption subkey.
func (g *GPG) GenKey(uid, passphrase, algo, usage string) string {
	g.T.Helper()
	g.Run(nil, "--pinentry-mode", "loopback", "--passphrase", passphrase, "--quick-gen-key", uid, algo, usage, "never")
	return g.Fingerprint(uid)
}

// Fingerprint is the fingerprint of the key with this user id.
func (g *GPG) Fingerprint(uid string) string {
	g.T.Helper()
	out := g.Run(nil, "--with-colons", "--fingerprint", uid)
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Split(line, ":"); f[0] == "fpr" && len(f) > 9 {
			return f[9]
		}
	}
	g.T.Fatalf("no fingerprint for %q in:\n%s", uid, out)
	return ""
}

// ExportSecret is the armored private key, still under its passphrase.
func (g *GPG) ExportSecret(fpr, passphrase string) string {
	g.T.Helper()
	return string(g.Run(nil, "--pinentry-mode", "loopback", "--passphrase", passphrase, "--armor", "--export-secret-keys", fpr))
}

// Encrypt encrypts plain to the recipient with extra gpg options (e.g.
// --armor, --sign, --compress-algo none) and returns the file gpg wrote.
func (g *GPG) Encrypt(plain []byte, recipient string, opts ...string) []byte {
	g.T.Helper()
	dir := g.T.TempDir()
	in, out := filepath.Join(dir, "in.csv"), filepath.Join(dir, "out")
	if err := os.WriteFile(in, plain, 0o600); err != nil {
		g.T.Fatal(err)
	}
	args := append(append([]string{"--encrypt", "--recipient", recipient, "--output", out}, opts...), in)
	g.Run(nil, args...)
	b, err := os.ReadFile(out)
	if err != nil {
		g.T.Fatal(err)
	}
	return b
}
