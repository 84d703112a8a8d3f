// Package sshkey checks an import key a user pastes, with the rules of SPEC
// section 1, and says what is accepted when it refuses one.
package sshkey

import (
	"bytes"
	"crypto/rsa"
	"strings"

	"golang.org/x/crypto/ssh"

	"sluice/internal/errs"
)

// Accepted is the sentence every refusal ends with.
const Accepted = "accepted: ssh-ed25519, ecdsa-sha2-nistp256/384/521, or ssh-rsa of 2048 bits or more, in authorized_keys form (the one line of a .pub file)"

// MinRSABits is the smallest RSA key accepted.
const MinRSABits = 2048

// Key is a checked public key.
type Key struct {
	Public      ssh.PublicKey
	Line        string // normalized authorized_keys line: type, base64, comment
	Fingerprint string // SHA256:…
	Comment     string
}

// Parse checks one authorized_keys line.
func Parse(text string) (Key, error) {
	t := strings.TrimSpace(text)
	if t == "" {
		return Key{}, errs.E(errs.Invalid, "the public key is empty; %s", Accepted)
	}
	if strings.Contains(t, "PRIVATE KEY") {
		return Key{}, errs.E(errs.Invalid, "this is a private key, which must never leave your machine; paste the public key instead (the .pub file); %s", Accepted)
	}
	if isDSA(t) {
		return Key{}, dsaErr()
	}
	pub, comment, _, rest, err := ssh.ParseAuthorizedKey([]byte(t))
	if err != nil {
		return Key{}, errs.E(errs.Invalid, "the public key could not be read (%s); %s", shortErr(err), Accepted)
	}
	if len(bytes.TrimSpace(rest)) > 0 {
		return Key{}, errs.E(errs.Invalid, "paste exactly one public key; %s", Accepted)
	}
	if err := checkType(pub); err != nil {
		return Key{}, err
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	if comment != "" {
		line += " " + comment
	}
	return Key{Public: pub, Line: line, Fingerprint: ssh.FingerprintSHA256(pub), Comment: comment}, nil
}

func checkType(pub ssh.PublicKey) error {
	switch pub.Type() {
	case ssh.KeyAlgoED25519, ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521:
		return nil
	case ssh.KeyAlgoRSA:
		bits := rsaBits(pub)
		if bits < MinRSABits {
			return errs.E(errs.Invalid, "RSA keys must have at least %d bits, this one has %d; %s", MinRSABits, bits, Accepted)
		}
		return nil
	case ssh.KeyAlgoDSA:
		return dsaErr()
	default:
		return errs.E(errs.Invalid, "%s keys are not accepted; %s", pub.Type(), Accepted)
	}
}

func rsaBits(pub ssh.PublicKey) int {
	cp, ok := pub.(ssh.CryptoPublicKey)
	if !ok {
		return 0
	}
	k, ok := cp.CryptoPublicKey().(*rsa.PublicKey)
	if !ok {
		return 0
	}
	return k.N.BitLen()
}

func shortErr(err error) string {
	return strings.TrimPrefix(err.Error(), "ssh: ")
}

// isDSA spots an ssh-dss line before parsing: x/crypto/ssh no longer parses
// DSA keys, and its error would not tell the user why.
func isDSA(line string) bool {
	for _, f := range strings.Fields(line) {
		if f == ssh.KeyAlgoDSA {
			return true
		}
		if strings.HasPrefix(f, "AAAA") {
			return false
		}
	}
	return false
}

func dsaErr() error {
	return errs.E(errs.Invalid, "DSA (ssh-dss) keys are not accepted, they are no longer considered secure; %s", Accepted)
}
