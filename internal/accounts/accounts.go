// Package accounts creates accounts and their API tokens and turns a token
// back into its account. Tokens are shown once and stored as SHA-256 hashes.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strings"
	"time"
	"unicode"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// TokenPrefix starts every API token, so a leaked one is easy to spot.
const TokenPrefix = "sluice_"

// Service creates and authenticates accounts.
type Service struct {
	Store store.Accounts
	Now   func() time.Time
}

// crockford leaves out I, L, O and U so ids read aloud without confusion.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewID makes an account id like ACME-4W5Z: up to four letters or digits of
// the name, then four random characters.
func NewID(name string) string {
	var prefix []rune
	for _, r := range strings.ToUpper(name) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			prefix = append(prefix, r)
		}
		if len(prefix) == 4 {
			break
		}
	}
	if len(prefix) == 0 {
		prefix = []rune("ACCT")
	}
	var b [4]byte
	rand.Read(b[:])
	suffix := make([]byte, 4)
	for i := range b {
		suffix[i] = crockford[int(b[i])%len(crockford)]
	}
	return string(prefix) + "-" + string(suffix)
}

// NewToken makes a fresh API token and its hash.
func NewToken() (token string, hash []byte) {
	var b [32]byte
	rand.Read(b[:])
	token = TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	return token, HashToken(token)
}

// HashToken is how tokens are stored and looked up.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Create makes an account and returns it with its first token.
func (s *Service) Create(ctx context.Context, name string) (store.Account, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return store.Account{}, "", errs.E(errs.Invalid, "an account needs a display name of 1 to 200 characters")
	}
	for attempt := 0; ; attempt++ {
		a := store.Account{ID: NewID(name), Name: name, CreatedAt: s.Now().UTC()}
		token, hash := NewToken()
		err := s.Store.CreateAccount(ctx, a, hash)
		if errs.Is(err, errs.Conflict) && attempt < 5 {
			continue // id collision: draw another suffix
		}
		if err != nil {
			return store.Account{}, "", fmt.Errorf("create account: %w", err)
		}
		return a, token, nil
	}
}

// NewAccountToken adds a token to an existing account.
func (s *Service) NewAccountToken(ctx context.Context, accountID string) (string, error) {
	token, hash := NewToken()
	if err := s.Store.AddToken(ctx, accountID, hash, s.Now().UTC()); err != nil {
		return "", fmt.Errorf("add token: %w", err)
	}
	return token, nil
}

// Authenticate returns the account a token belongs to, or errs.Unauthorized.
func (s *Service) Authenticate(ctx context.Context, token string) (store.Account, error) {
	if !strings.HasPrefix(token, TokenPrefix) {
		return store.Account{}, errs.E(errs.Unauthorized, "missing or malformed API token; send Authorization: Bearer %s…", TokenPrefix)
	}
	return s.Store.AccountByToken(ctx, HashToken(token))
}
