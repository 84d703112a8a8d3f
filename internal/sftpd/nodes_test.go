package sftpd

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/ssh"

	"sluice/internal/store"
)

// node starts another server on e's store and blobs: a second sluice node.
func (e *testEnv) node(t testing.TB, opts ...func(*Config)) *testEnv {
	t.Helper()
	n := *e
	n.reg = prometheus.NewRegistry()
	n.cfg.Metrics, n.cfg.NodeID, n.cfg.Bans = n.reg, "", nil
	for _, o := range opts {
		o(&n.cfg)
	}
	n.start(t)
	return &n
}

func TestQuotaAcrossNodes(t *testing.T) {
	quota := func(c *Config) { c.AccountQuota = 1 << 20 }
	n1 := newEnv(t, quota)
	n2 := n1.node(t, quota)
	a := n1.account(t, "ACME-1")
	c1, _ := n1.client(t, a)
	c2, _ := n2.client(t, a)

	f, err := c1.Create("held.csv") // in flight on node 1
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(randomBytes(700<<10, 1)); err != nil {
		t.Fatal(err)
	}
	err = put(c2, "other.csv", randomBytes(400<<10, 2))
	if err == nil || !strings.Contains(msg(err), "does not fit in this account's quota") {
		t.Fatalf("node 2 upload while node 1 holds 700 KiB: err = %v, want a quota refusal", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := put(c2, "other.csv", randomBytes(300<<10, 3)); err != nil {
		t.Fatalf("node 2 upload that fits beside node 1's stored file: %v", err)
	}
	if err := put(c1, "third.csv", randomBytes(30<<10, 4)); err == nil {
		t.Fatal("node 1 upload past the quota that node 2's file filled was accepted")
	}
}

func TestBansAcrossNodes(t *testing.T) {
	e := newEnv(t)
	shared := func(c *Config) {
		c.Bans = StoreBans{Store: e.st, Rule: store.BanRule{Threshold: 3, Window: time.Minute, Duration: time.Hour}}
	}
	n1, n2 := e.node(t, shared), e.node(t, shared)
	a := e.account(t, "ACME-1")
	stranger, _ := newClientKey(t, n1.dir, "stranger")
	for i := range 3 {
		if c, err := n1.dial(a.id, ssh.PublicKeys(stranger)); err == nil {
			c.Close()
			t.Fatalf("attempt %d with an unknown key logged in", i)
		}
	}
	waitFor(t, "node 2 to see the ban", func() bool {
		banned, err := n2.srv.bans.Banned(t.Context(), "127.0.0.1", time.Now())
		return err == nil && banned
	})
	if c, err := n2.dial(a.id, ssh.PublicKeys(a.signer)); err == nil {
		c.Close()
		t.Fatal("node 2 let in an address banned through node 1")
	}
}
