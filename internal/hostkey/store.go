package hostkey

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/crypto/ssh"
)

// Store keeps host keys where every node finds them; store.HostKeys.
type Store interface {
	HostKey(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error)
}

// FromStore returns the ed25519 and RSA host keys kept in st, creating the
// missing ones in one step with the store so that nodes starting at once
// agree. A key that st lacks but importDir holds (an install from before
// host keys moved into the store) is imported, so that clients' known_hosts
// entries stay valid.
func FromStore(ctx context.Context, st Store, importDir string) ([]ssh.Signer, error) {
	var signers []ssh.Signer
	for _, kf := range keyFiles {
		pemBytes, err := st.HostKey(ctx, kf.name, func() ([]byte, error) {
			return importOrGenerate(filepath.Join(importDir, kf.name), kf.generate)
		})
		if err != nil {
			return nil, err
		}
		s, err := ssh.ParsePrivateKey(pemBytes)
		if err != nil {
			return nil, fmt.Errorf("parse stored host key %s: %w", kf.name, err)
		}
		signers = append(signers, s)
	}
	return signers, nil
}

// importOrGenerate reads an existing key file, or makes a new key.
func importOrGenerate(path string, generate func() (crypto.Signer, error)) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		if _, err := ssh.ParsePrivateKey(b); err != nil {
			return nil, fmt.Errorf("import host key %s: %w", path, err)
		}
		return b, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read host key %s: %w", path, err)
	}
	_, pemBytes, err := newKey(generate)
	return pemBytes, err
}
