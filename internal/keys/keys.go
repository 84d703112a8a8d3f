// Package keys manages import keys with the rules of SPEC section 1. The
// HTTP API, the dashboard and the CLI all add and delete keys through it.
package keys

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"sluice/internal/errs"
	"sluice/internal/sshkey"
	"sluice/internal/store"
)

// Kicker ends the open SFTP sessions of a deleted key.
type Kicker interface {
	KickKey(keyID int64)
}

// Service adds, lists and deletes import keys.
type Service struct {
	Store  store.Keys
	Max    int
	Kicker Kicker // nil outside the server (the CLI); the server's sweep then ends sessions
	Now    func() time.Time
}

// MaxNameLen bounds a key's display name.
const MaxNameLen = 100

// Add checks and stores a key. An empty name falls back to the key's comment.
func (s *Service) Add(ctx context.Context, accountID, name, publicKey string) (store.ImportKey, error) {
	k, err := sshkey.Parse(publicKey)
	if err != nil {
		return store.ImportKey{}, errs.OnField(FieldPublicKey, err)
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = k.Comment
	}
	if name == "" {
		return store.ImportKey{}, errs.OnField(FieldName, errs.E(errs.Invalid, "give the key a name, e.g. the laptop or job that uses it"))
	}
	if utf8.RuneCountInString(name) > MaxNameLen {
		return store.ImportKey{}, errs.OnField(FieldName, errs.E(errs.Invalid, "a key name has at most %d characters", MaxNameLen))
	}
	added, err := s.Store.AddKey(ctx, store.ImportKey{
		AccountID:   accountID,
		Name:        name,
		PublicKey:   k.Line,
		Fingerprint: k.Fingerprint,
		CreatedAt:   s.Now().UTC(),
	}, s.Max)
	if errs.Is(err, errs.Conflict) {
		err = errs.OnField(FieldPublicKey, err) // the key is registered already
	}
	return added, err
}

// The input fields an Add error can be about, as the API names them.
const (
	FieldName      = "name"
	FieldPublicKey = "publicKey"
)

// FieldOf is the input field an Add error is about, or "" when it is
// about the request as a whole.
func FieldOf(err error) string { return errs.FieldOf(err) }

// List returns an account's keys, oldest first.
func (s *Service) List(ctx context.Context, accountID string) ([]store.ImportKey, error) {
	return s.Store.ListKeys(ctx, accountID)
}

// Delete removes a key and ends its open sessions.
func (s *Service) Delete(ctx context.Context, accountID string, id int64) error {
	if err := s.Store.DeleteKey(ctx, accountID, id); err != nil {
		return err
	}
	if s.Kicker != nil {
		s.Kicker.KickKey(id)
	}
	return nil
}
