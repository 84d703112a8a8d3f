package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// AddPGPKey stores a decryption key, enforcing the per-account maximum and
// one copy of a key per account (under the account's row lock, so that
// nodes adding keys at once count right).
func (db *DB) AddPGPKey(ctx context.Context, k store.PGPKey, max int) (store.PGPKey, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := lockAccount(ctx, tx, k.AccountID); err != nil {
			return err
		}
		var n int
		var dup bool
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(bool_or(fingerprint = $2), false)
			FROM pgp_keys WHERE account_id = $1`, k.AccountID, k.Fingerprint).Scan(&n, &dup)
		if err != nil {
			return fmt.Errorf("count pgp keys: %w", err)
		}
		if n >= max {
			return errs.E(errs.TooLarge, "this account already has %d decryption keys, the most allowed; delete one to add another", n)
		}
		if dup {
			return errs.E(errs.Conflict, "this account already has the key %s; each key can be added once", k.Fingerprint)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO pgp_keys (id, account_id, name, kind, fingerprint, public_key, sealed, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, k.ID, k.AccountID, k.Name, string(k.Kind), k.Fingerprint, k.PublicKey,
			nonNil(k.Sealed), ms(k.CreatedAt))
		if isUnique(err) {
			return errs.E(errs.Conflict, "a decryption key with id %q already exists", k.ID)
		}
		if err != nil {
			return fmt.Errorf("insert pgp key: %w", err)
		}
		return nil
	})
	return k, err
}

// ListPGPKeys lists an account's decryption keys, oldest first.
func (db *DB) ListPGPKeys(ctx context.Context, accountID string) ([]store.PGPKey, error) {
	return sqlrow.ScanPGPKeys(db.db.QueryContext(ctx, `SELECT `+sqlrow.PgpKeyCols+` FROM pgp_keys WHERE account_id = $1
		ORDER BY created_at, seq`, accountID))
}

// PGPKey reads one of an account's decryption keys.
func (db *DB) PGPKey(ctx context.Context, accountID, id string) (store.PGPKey, error) {
	k, err := sqlrow.ScanPGPKey(db.db.QueryRowContext(ctx, `SELECT `+sqlrow.PgpKeyCols+` FROM pgp_keys WHERE id = $1 AND account_id = $2`,
		id, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return k, errs.E(errs.NotFound, "no decryption key with id %q in this account", id)
	}
	if err != nil {
		return k, fmt.Errorf("read pgp key: %w", err)
	}
	return k, nil
}

// DeletePGPKey removes one of an account's decryption keys.
func (db *DB) DeletePGPKey(ctx context.Context, accountID, id string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM pgp_keys WHERE id = $1 AND account_id = $2`, id, accountID)
		if err != nil {
			return fmt.Errorf("delete pgp key: %w", err)
		}
		if affected(res) == 0 {
			return errs.E(errs.NotFound, "no decryption key with id %q in this account", id)
		}
		return nil
	})
}
