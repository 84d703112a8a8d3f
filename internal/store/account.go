package store

import (
	"context"
	"time"
)

// Account is a customer of sluice; its ID is also its SFTP user name.
type Account struct {
	ID        string
	Name      string
	TimeZone  string // IANA name; empty means UTC
	CreatedAt time.Time
}

// Accounts keeps accounts and their API tokens (stored as SHA-256 hashes).
type Accounts interface {
	// CreateAccount stores a new account with its first token.
	CreateAccount(ctx context.Context, a Account, tokenHash []byte) error
	Account(ctx context.Context, id string) (Account, error)
	AccountByToken(ctx context.Context, tokenHash []byte) (Account, error)
	AddToken(ctx context.Context, accountID string, tokenHash []byte, at time.Time) error
	ListAccounts(ctx context.Context) ([]Account, error)
}
