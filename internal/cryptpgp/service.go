package cryptpgp

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ProtonMail/go-crypto/openpgp"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// MaxNameLen bounds a key's display name.
const MaxNameLen = 100

// Service generates, imports, lists and deletes an account's decryption
// keys, and unseals them for the pipeline. The HTTP API and the CLI both go
// through it.
type Service struct {
	Store     store.PGPKeys
	Sealer    *Sealer
	Max       int       // keys per account
	Algorithm Algorithm // of generated keys
	Now       func() time.Time
}

// Generate makes a key pair for the account; the private key stays sealed
// in the store, the public key is for the customer to encrypt to.
func (s *Service) Generate(ctx context.Context, accountID, name string) (store.PGPKey, error) {
	name, err := checkName(name)
	if err != nil {
		return store.PGPKey{}, err
	}
	if err := s.roomFor(ctx, accountID); err != nil {
		return store.PGPKey{}, err
	}
	now := s.Now().UTC().Truncate(time.Second)
	e, err := Generate(fmt.Sprintf("sluice %s: %s", accountID, name), s.Algorithm, now)
	if err != nil {
		return store.PGPKey{}, err
	}
	return s.add(ctx, accountID, name, store.PGPKeyGenerated, e, now)
}

// Import unlocks an armored private key with its passphrase and stores it
// sealed; the passphrase is not kept. An empty name falls back to the key's
// user id.
func (s *Service) Import(ctx context.Context, accountID, name, armored, passphrase string) (store.PGPKey, error) {
	e, err := ParsePrivate(armored, passphrase)
	if err != nil {
		return store.PGPKey{}, err
	}
	if strings.TrimSpace(name) == "" {
		if id := e.PrimaryIdentity(); id != nil {
			name = id.Name
		}
	}
	if name, err = checkName(name); err != nil {
		return store.PGPKey{}, err
	}
	if err := s.roomFor(ctx, accountID); err != nil {
		return store.PGPKey{}, err
	}
	return s.add(ctx, accountID, name, store.PGPKeyImported, e, s.Now().UTC().Truncate(time.Second))
}

func checkName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errs.E(errs.Invalid, "give the key a name, e.g. the system whose files it decrypts")
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return "", errs.E(errs.Invalid, "a key name has at most %d characters", MaxNameLen)
	}
	return name, nil
}

// roomFor refuses early, before a costly key generation, when the account
// is full; the store checks again when adding.
func (s *Service) roomFor(ctx context.Context, accountID string) error {
	ks, err := s.Store.ListPGPKeys(ctx, accountID)
	if err != nil {
		return err
	}
	if len(ks) >= s.Max {
		return tooMany(len(ks))
	}
	return nil
}

func tooMany(n int) error {
	return errs.E(errs.Invalid, "this account already has %d decryption keys, the most allowed; delete one to add another", n)
}

func (s *Service) add(ctx context.Context, accountID, name string, kind store.PGPKeyKind, e *openpgp.Entity, now time.Time) (store.PGPKey, error) {
	pub, err := ArmoredPublic(e)
	if err != nil {
		return store.PGPKey{}, err
	}
	priv, err := marshalPrivate(e)
	if err != nil {
		return store.PGPKey{}, err
	}
	id := NewUUID()
	k, err := s.Store.AddPGPKey(ctx, store.PGPKey{
		ID: id, AccountID: accountID, Name: name, Kind: kind, Fingerprint: Fingerprint(e),
		PublicKey: pub, Sealed: s.Sealer.Seal(priv, sealContext(accountID, id)), CreatedAt: now,
	}, s.Max)
	if errs.Is(err, errs.TooLarge) {
		return k, tooMany(s.Max)
	}
	return k, err
}

func sealContext(accountID, id string) string { return accountID + "/" + id }

// List returns an account's keys, oldest first.
func (s *Service) List(ctx context.Context, accountID string) ([]store.PGPKey, error) {
	return s.Store.ListPGPKeys(ctx, accountID)
}

// Get returns one of an account's keys.
func (s *Service) Get(ctx context.Context, accountID, id string) (store.PGPKey, error) {
	id = strings.ToLower(id)
	if !IsUUID(id) {
		return store.PGPKey{}, notFound(id)
	}
	return s.Store.PGPKey(ctx, accountID, id)
}

// Delete removes one of an account's keys. Imports already queued with its
// id then fail: "no decryption key with id … in this account".
func (s *Service) Delete(ctx context.Context, accountID, id string) error {
	id = strings.ToLower(id)
	if !IsUUID(id) {
		return notFound(id)
	}
	return s.Store.DeletePGPKey(ctx, accountID, id)
}

func notFound(id string) error {
	return errs.E(errs.NotFound, "no decryption key with id %q in this account", id)
}

// DecryptionKey unseals one of an account's keys for decrypting. It fails
// with errs.NotFound if there is none, and wraps ErrUnseal if the server
// secret is not the one the key was stored under.
func (s *Service) DecryptionKey(ctx context.Context, accountID, id string) (*Key, error) {
	k, err := s.Get(ctx, accountID, id)
	if err != nil {
		return nil, err
	}
	priv, err := s.Sealer.Open(k.Sealed, sealContext(accountID, k.ID))
	if err != nil {
		return nil, fmt.Errorf("decryption key %q: %w", id, err)
	}
	e, err := unmarshalPrivate(priv)
	if err != nil {
		return nil, fmt.Errorf("decryption key %q: %w", id, err)
	}
	return NewKey(fmt.Sprintf("decryption key %q", id), e), nil
}

// NewUUID returns a random (version 4) UUID.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// IsUUID reports whether s has the form of a UUID (any version, any case).
func IsUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !strings.ContainsRune("0123456789abcdefABCDEF", c):
			return false
		}
	}
	return true
}
