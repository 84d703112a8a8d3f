package sshkey

import (
	"crypto/dsa"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"sluice/internal/errs"
)

func authorized(t *testing.T, pub any) string {
	t.Helper()
	p, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(p))) + " me@laptop"
}

// dsaLine builds an ssh-dss authorized_keys line by hand: x/crypto/ssh no
// longer marshals DSA keys.
func dsaLine(t *testing.T) string {
	var k dsa.PrivateKey
	if err := dsa.GenerateParameters(&k.Parameters, rand.Reader, dsa.L1024N160); err != nil {
		t.Fatal(err)
	}
	if err := dsa.GenerateKey(&k, rand.Reader); err != nil {
		t.Fatal(err)
	}
	wire := ssh.Marshal(struct {
		Name       string
		P, Q, G, Y *big.Int
	}{ssh.KeyAlgoDSA, k.P, k.Q, k.G, k.Y})
	return "ssh-dss " + base64.StdEncoding.EncodeToString(wire) + " old@box"
}

func TestParse(t *testing.T) {
	ed, _, _ := ed25519.GenerateKey(rand.Reader)
	ec256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ec521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	cases := []struct {
		name    string
		text    string
		wantErr string // substring; "" means accepted
	}{
		{"ed25519", authorized(t, ed), ""},
		{"ecdsa p256", authorized(t, &ec256.PublicKey), ""},
		{"ecdsa p521", authorized(t, &ec521.PublicKey), ""},
		{"rsa 2048", authorized(t, &rsa2048.PublicKey), ""},
		{"surrounding whitespace", "\n  " + authorized(t, ed) + "  \n", ""},
		{"rsa 1024", authorized(t, &rsa1024.PublicKey), "at least 2048 bits, this one has 1024"},
		{"dsa", dsaLine(t), "DSA (ssh-dss) keys are not accepted"},
		{"empty", "  ", "the public key is empty"},
		{"garbage", "hello world", "could not be read"},
		{"truncated base64", authorized(t, ed)[:40], "could not be read"},
		{"private key", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----", "this is a private key"},
		{"two keys", authorized(t, ed) + "\n" + authorized(t, &ec256.PublicKey), "exactly one public key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := Parse(c.text)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !strings.HasPrefix(k.Fingerprint, "SHA256:") || k.Comment != "me@laptop" {
					t.Fatalf("got %+v", k)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted, want error containing %q", c.wantErr)
			}
			if !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "accepted: ssh-ed25519") {
				t.Fatalf("error %q: want %q and the accepted list", err, c.wantErr)
			}
			if errs.CodeOf(err) != errs.Invalid {
				t.Fatalf("code %s, want invalid", errs.CodeOf(err))
			}
		})
	}
}
