package sftpd

import (
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/ssh"

	"sluice/internal/hostkey"
)

// TestHostKeysSurviveRestart boots the server twice on one key folder and
// checks that clients see the same host keys, RSA signing with SHA-2 only.
func TestHostKeysSurviveRestart(t *testing.T) {
	keyDir := filepath.Join(t.TempDir(), "hostkeys")
	keys, err := hostkey.LoadOrCreate(keyDir)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, func(c *Config) { c.HostKeys = keys })
	a := e.account(t, "ACME-1")
	seen := func(algos ...string) (string, error) {
		var fp string
		cfg := e.clientConfig(a.id, ssh.PublicKeys(a.signer))
		cfg.HostKeyAlgorithms = algos
		cfg.HostKeyCallback = func(_ string, _ net.Addr, k ssh.PublicKey) error {
			fp = ssh.FingerprintSHA256(k)
			return nil
		}
		c, err := ssh.Dial("tcp", e.srv.Addr().String(), cfg)
		if err == nil {
			c.Close()
		}
		return fp, err
	}
	before := map[string]string{}
	for _, algo := range []string{ssh.KeyAlgoED25519, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256} {
		if before[algo], err = seen(algo); err != nil {
			t.Fatalf("host key %s: %v", algo, err)
		}
	}
	if _, err := seen(ssh.KeyAlgoRSA); err == nil {
		t.Error("the RSA host key signed with SHA-1 (ssh-rsa)")
	}
	e.srv.Close()
	again, err := hostkey.LoadOrCreate(keyDir)
	if err != nil {
		t.Fatal(err)
	}
	e.cfg.HostKeys = again
	e.reg = prometheus.NewRegistry()
	e.cfg.Metrics = e.reg
	e.start(t)
	for algo, fp := range before {
		if got, err := seen(algo); err != nil || got != fp {
			t.Errorf("after restart %s host key is %s (%v), was %s", algo, got, err, fp)
		}
	}
}
