package store

import (
	"context"
	"time"
)

// ImportKey is an SSH public key that may log in to one account's SFTP folder.
type ImportKey struct {
	ID          int64
	AccountID   string
	Name        string
	PublicKey   string // authorized_keys form, without options
	Fingerprint string // SHA256:…
	CreatedAt   time.Time
	LastUsedAt  *time.Time
}

// Keys keeps import keys.
type Keys interface {
	// AddKey stores k unless the account already has max keys (errs.TooLarge)
	// or the fingerprint is registered to any account (errs.Conflict).
	AddKey(ctx context.Context, k ImportKey, max int) (ImportKey, error)
	ListKeys(ctx context.Context, accountID string) ([]ImportKey, error)
	KeyByFingerprint(ctx context.Context, fingerprint string) (ImportKey, error)
	DeleteKey(ctx context.Context, accountID string, id int64) error
	TouchKey(ctx context.Context, id int64, at time.Time) error
	// LiveKeys returns which of ids still exist.
	LiveKeys(ctx context.Context, ids []int64) (map[int64]bool, error)
}
