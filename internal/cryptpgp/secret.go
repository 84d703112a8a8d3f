package cryptpgp

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SecretSize is the server secret's length in bytes; the file holds it as
// hex on one line.
const SecretSize = 32

// sealVersion is the first byte of every sealed value, so that the format
// can change without guessing.
const sealVersion = 1

// Sealer encrypts private keys at rest: AES-256-GCM under a key derived from
// the server secret, a random nonce per value, and the key's account and id
// as associated data, so that a sealed key cannot be moved to another row.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer builds a sealer from the server secret.
func NewSealer(secret []byte) (*Sealer, error) {
	if len(secret) != SecretSize {
		return nil, fmt.Errorf("server secret: %d bytes, want %d", len(secret), SecretSize)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte("sluice pgp private key v1"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plain, bound to context (e.g. account and key id).
func (s *Sealer) Seal(plain []byte, context string) []byte {
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	rand.Read(out[1:])
	return s.aead.Seal(out, out[1:], plain, []byte(context))
}

// ErrUnseal means a sealed value does not open: it was sealed under another
// server secret or for another context, or it was altered.
var ErrUnseal = errors.New("the private key cannot be unsealed: it was stored under another server secret (--secret-key-file) or was altered")

// Open decrypts a value sealed for context.
func (s *Sealer) Open(sealed []byte, context string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < 1+n || sealed[0] != sealVersion {
		return nil, ErrUnseal
	}
	plain, err := s.aead.Open(nil, sealed[1:1+n], sealed[1+n:], []byte(context))
	if err != nil {
		return nil, ErrUnseal
	}
	return plain, nil
}

// LoadOrCreateSecret reads the server secret at path, creating it (0600,
// random) if it does not exist. Creation is atomic: a concurrent creator or
// a crash never leaves a partial file under path.
func LoadOrCreateSecret(path string) ([]byte, error) {
	secret, err := readSecret(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return secret, err
	}
	if err := createSecret(path); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	return readSecret(path)
}

func readSecret(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read server secret: %w", err)
	}
	secret, err := hex.DecodeString(string(bytes.TrimSpace(b)))
	if err != nil || len(secret) != SecretSize {
		return nil, fmt.Errorf("server secret %s: want %d random bytes as hex on one line", path, SecretSize)
	}
	return secret, nil
}

func createSecret(path string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create folder of the server secret: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".secret-*")
	if err != nil {
		return fmt.Errorf("create server secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	secret := make([]byte, SecretSize)
	rand.Read(secret)
	_, err = tmp.WriteString(hex.EncodeToString(secret) + "\n")
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write server secret: %w", err)
	}
	// Link fails if path exists: a concurrent first start keeps one secret.
	if err := os.Link(tmp.Name(), path); err != nil {
		return fmt.Errorf("create server secret: %w", err)
	}
	return nil
}
