package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// CreateAccount stores a new account with its first token.
func (db *DB) CreateAccount(ctx context.Context, a store.Account, tokenHash []byte) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO accounts (id, name, time_zone, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO NOTHING`, a.ID, a.Name, a.TimeZone, ms(a.CreatedAt))
		if err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		if affected(res) == 0 {
			return errs.E(errs.Conflict, "account %s already exists", a.ID)
		}
		return insertToken(ctx, tx, a.ID, tokenHash, a.CreatedAt)
	})
}

func insertToken(ctx context.Context, tx *sql.Tx, accountID string, hash []byte, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO tokens (hash, account_id, created_at) VALUES ($1, $2, $3)`, hash, accountID, ms(at))
	if err != nil {
		return fmt.Errorf("insert token: %w", err)
	}
	return nil
}

// AddToken gives an account another API token.
func (db *DB) AddToken(ctx context.Context, accountID string, hash []byte, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, accountID); err != nil {
			return err
		}
		return insertToken(ctx, tx, accountID, hash, at)
	})
}

func accountTx(ctx context.Context, q querier, id string) (store.Account, error) {
	a, err := sqlrow.ScanAccount(q.QueryRowContext(ctx, `SELECT `+sqlrow.AccountCols+` FROM accounts a WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.E(errs.NotFound, "no account %q", id)
	}
	if err != nil {
		return a, fmt.Errorf("read account %s: %w", id, err)
	}
	return a, nil
}

// Account reads one account.
func (db *DB) Account(ctx context.Context, id string) (store.Account, error) {
	return accountTx(ctx, db.db, id)
}

// AccountByToken finds the account a token hash belongs to.
func (db *DB) AccountByToken(ctx context.Context, hash []byte) (store.Account, error) {
	a, err := sqlrow.ScanAccount(db.db.QueryRowContext(ctx,
		`SELECT `+sqlrow.AccountCols+` FROM tokens t JOIN accounts a ON a.id = t.account_id WHERE t.hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return a, errs.E(errs.Unauthorized, "unknown API token")
	}
	if err != nil {
		return a, fmt.Errorf("read token: %w", err)
	}
	return a, nil
}

// ListAccounts lists every account, oldest first.
func (db *DB) ListAccounts(ctx context.Context) ([]store.Account, error) {
	return sqlrow.ScanAccounts(db.db.QueryContext(ctx, `SELECT `+sqlrow.AccountCols+` FROM accounts a ORDER BY a.created_at, a.id`))
}
