package store

import (
	"context"
	"time"
)

// PGPKeyKind says where a decryption key came from.
type PGPKeyKind string

// The kinds of decryption key.
const (
	PGPKeyGenerated PGPKeyKind = "generated" // made by sluice; the private key never leaves it
	PGPKeyImported  PGPKeyKind = "imported"  // uploaded by the customer with its passphrase
)

// PGPKey is an OpenPGP decryption key of one account (SPEC section 8). The
// private key is stored only sealed: encrypted under the server secret.
type PGPKey struct {
	ID          string // UUID, chosen by sluice; the manifest's keyId
	AccountID   string
	Name        string
	Kind        PGPKeyKind
	Fingerprint string // primary key fingerprint, upper-case hex
	PublicKey   string // armored public key, for customers to encrypt to
	Sealed      []byte // the private key, sealed under the server secret
	CreatedAt   time.Time
}

// PGPKeys keeps decryption keys.
type PGPKeys interface {
	// AddPGPKey stores k unless the account already has max keys
	// (errs.TooLarge) or already holds a key with the same fingerprint
	// (errs.Conflict). The same key may be held by two accounts.
	AddPGPKey(ctx context.Context, k PGPKey, max int) (PGPKey, error)
	// ListPGPKeys lists an account's keys, oldest first.
	ListPGPKeys(ctx context.Context, accountID string) ([]PGPKey, error)
	// PGPKey reads one of an account's keys; errs.NotFound for another
	// account's key or none.
	PGPKey(ctx context.Context, accountID, id string) (PGPKey, error)
	// DeletePGPKey removes one of an account's keys; errs.NotFound if none.
	DeletePGPKey(ctx context.Context, accountID, id string) error
}
