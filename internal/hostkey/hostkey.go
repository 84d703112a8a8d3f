// Package hostkey keeps the SFTP server's SSH host keys: generated once, on
// first start, and loaded unchanged on every start after, so that clients'
// known_hosts entries stay valid.
package hostkey

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// rsaBits is the size of a generated RSA host key (OpenSSH's default).
const rsaBits = 3072

// keyFile names a host key file and how to make a new key for it.
type keyFile struct {
	name     string
	generate func() (crypto.Signer, error)
}

// keyFiles are the host keys, in the order they are offered.
var keyFiles = []keyFile{
	{"ssh_host_ed25519_key", func() (crypto.Signer, error) {
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}},
	{"ssh_host_rsa_key", func() (crypto.Signer, error) {
		return rsa.GenerateKey(rand.Reader, rsaBits)
	}},
}

// LoadOrCreate returns the ed25519 and RSA host keys kept in dir, creating
// dir and any missing key (OpenSSH private key format, mode 0600). A key
// file that exists but cannot be read is an error, never replaced: a new
// host key would make every client refuse the server.
func LoadOrCreate(dir string) ([]ssh.Signer, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create host key folder: %w", err)
	}
	var signers []ssh.Signer
	for _, kf := range keyFiles {
		s, err := loadOrCreate(filepath.Join(dir, kf.name), kf.generate)
		if err != nil {
			return nil, err
		}
		signers = append(signers, s)
	}
	return signers, nil
}

func loadOrCreate(path string, generate func() (crypto.Signer, error)) (ssh.Signer, error) {
	pemBytes, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return create(path, generate)
	}
	if err != nil {
		return nil, fmt.Errorf("read host key: %w", err)
	}
	s, err := ssh.ParsePrivateKey(pemBytes)
	if err != nil {
		return nil, fmt.Errorf("parse host key %s: %w", path, err)
	}
	return s, nil
}

// newKey makes a host key and its PEM encoding.
func newKey(generate func() (crypto.Signer, error)) (crypto.Signer, []byte, error) {
	key, err := generate()
	if err != nil {
		return nil, nil, fmt.Errorf("generate host key: %w", err)
	}
	block, err := ssh.MarshalPrivateKey(key, "sluice host key")
	if err != nil {
		return nil, nil, fmt.Errorf("encode host key: %w", err)
	}
	return key, pem.EncodeToMemory(block), nil
}

func create(path string, generate func() (crypto.Signer, error)) (ssh.Signer, error) {
	key, pemBytes, err := newKey(generate)
	if err != nil {
		return nil, err
	}
	err = writeNew(path, pemBytes)
	if errors.Is(err, fs.ErrExist) {
		return loadOrCreate(path, generate) // another process made it first
	}
	if err != nil {
		return nil, err
	}
	s, err := ssh.NewSignerFromSigner(key)
	if err != nil {
		return nil, fmt.Errorf("host key signer: %w", err)
	}
	return s, nil
}

// writeNew writes a file under a temporary name and links it into place,
// so a crash never leaves a half-written key and two processes starting at
// once cannot both create one (the loser reads the winner's key).
func writeNew(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".hostkey-*")
	if err != nil {
		return fmt.Errorf("write host key: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write host key: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write host key: %w", err)
	}
	if err := errors.Join(tmp.Sync(), tmp.Close()); err != nil {
		return fmt.Errorf("write host key: %w", err)
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("install host key %s: %w", path, err)
	}
	return nil
}

// Fingerprint is how a host key is shown to users.
type Fingerprint struct {
	Type   string // e.g. ssh-ed25519, ssh-rsa
	SHA256 string // SHA256:… as OpenSSH prints it
}

func (f Fingerprint) String() string { return f.Type + " " + f.SHA256 }

// Fingerprints returns the SHA256 fingerprints of host keys, in order.
func Fingerprints(keys []ssh.Signer) []Fingerprint {
	out := make([]Fingerprint, 0, len(keys))
	for _, k := range keys {
		pub := k.PublicKey()
		out = append(out, Fingerprint{Type: pub.Type(), SHA256: ssh.FingerprintSHA256(pub)})
	}
	return out
}
