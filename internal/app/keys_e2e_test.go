package app_test

import (
	"crypto/dsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"sluice/internal/apptest"
)

func authorizedLine(t *testing.T, pub any) string {
	p, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(p)))
}

// dsaLine builds an ssh-dss line by hand: x/crypto/ssh no longer marshals DSA.
func dsaLine(t *testing.T) string {
	var k dsa.PrivateKey
	dsa.GenerateParameters(&k.Parameters, rand.Reader, dsa.L1024N160)
	dsa.GenerateKey(&k, rand.Reader)
	wire := ssh.Marshal(struct {
		Name       string
		P, Q, G, Y *big.Int
	}{ssh.KeyAlgoDSA, k.P, k.Q, k.G, k.Y})
	return "ssh-dss " + base64.StdEncoding.EncodeToString(wire)
}

// TestKeyRulesOverAPI: refused keys get a 4xx and a message that says what
// is accepted; keys belong to one account.
func TestKeyRulesOverAPI(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	a := env.NewAccount("Acme")
	b := env.NewAccount("Beta")
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	ed, _, _ := ed25519.GenerateKey(rand.Reader)
	edLine := authorizedLine(t, ed)
	if code := a.API("POST", "/api/v1/keys", map[string]string{"name": "ok", "publicKey": edLine}, nil); code != http.StatusCreated {
		t.Fatalf("adding a good key: %d", code)
	}
	cases := []struct {
		name, key, want string
		status          int
	}{
		{"dsa", dsaLine(t), "DSA (ssh-dss) keys are not accepted", 400},
		{"rsa 1024", authorizedLine(t, &rsa1024.PublicKey), "at least 2048 bits", 400},
		{"malformed", "ssh-ed25519 AAAA-not-base64", "could not be read", 400},
		{"duplicate, other account", edLine, "already registered", 409},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out map[string]string
			code := b.API("POST", "/api/v1/keys", map[string]string{"name": "k", "publicKey": c.key}, &out)
			if code != c.status || !strings.Contains(out["error"], c.want) {
				t.Fatalf("%d %q, want %d with %q", code, out["error"], c.status, c.want)
			}
			if c.status == 400 && !strings.Contains(out["error"], "accepted: ssh-ed25519") {
				t.Fatalf("message does not say what is accepted: %q", out["error"])
			}
		})
	}
	var list struct {
		Keys []struct{ ID int64 } `json:"keys"`
	}
	a.API("GET", "/api/v1/keys", nil, &list)
	if code := b.API("DELETE", fmt.Sprintf("/api/v1/keys/%d", list.Keys[0].ID), nil, nil); code != http.StatusNotFound {
		t.Fatalf("deleting another account's key: %d, want 404", code)
	}
	if code := env.Call("", "GET", "/api/v1/keys", nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("no token: %d", code)
	}
	if code := env.Call("sluice_wrong", "GET", "/api/v1/keys", nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("wrong token: %d", code)
	}
}

// TestKeyTakesEffectAtOnce: a key added works on the next login; deleting it
// ends its open session.
func TestKeyTakesEffectAtOnce(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	a := env.NewAccount("Acme")
	pub, path := apptest.NewKeyFile(t)
	other := env.Account(a.ID, a.Token, path)
	if _, err := other.SFTP("ls\n", true); err == nil {
		t.Fatal("logged in with a key that is not registered")
	}
	var k struct{ ID int64 }
	if code := a.API("POST", "/api/v1/keys", map[string]string{"name": "new", "publicKey": pub}, &k); code != http.StatusCreated {
		t.Fatalf("add key: %d", code)
	}
	other.SFTP("ls\n", false) // the next login works

	client := goClient(t, env, a.ID, path)
	if _, err := client.ReadDir("/"); err != nil {
		t.Fatalf("session before delete: %v", err)
	}
	if code := a.API("DELETE", fmt.Sprintf("/api/v1/keys/%d", k.ID), nil, nil); code != http.StatusNoContent {
		t.Fatalf("delete key: %d", code)
	}
	apptest.Eventually(t, 5*time.Second, "the deleted key's session to end", func() bool {
		_, err := client.ReadDir("/")
		return err != nil
	})
}

func goClient(t *testing.T, env *apptest.Env, user, keyPath string) *sftp.Client {
	pem, _ := os.ReadFile(keyPath)
	signer, err := ssh.ParsePrivateKey(pem)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := ssh.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", env.SFTPPort()), &ssh.ClientConfig{
		User: user, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 5 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := sftp.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); conn.Close() })
	return c
}
