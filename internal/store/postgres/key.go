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

// AddKey stores an import key, enforcing the per-account maximum and global
// uniqueness. The checks come before the insert so that a refused key does
// not use up an id (ids stay dense, as in the SQLite store).
func (db *DB) AddKey(ctx context.Context, k store.ImportKey, max int) (store.ImportKey, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := lockAccount(ctx, tx, k.AccountID); err != nil {
			return err
		}
		if err := checkNewKey(ctx, tx, k, max); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO import_keys (account_id, name, public_key, fingerprint, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, k.AccountID, k.Name, k.PublicKey, k.Fingerprint, ms(k.CreatedAt)).Scan(&k.ID)
		if isUnique(err) {
			return keyTakenErr(k.Fingerprint)
		}
		if err != nil {
			return fmt.Errorf("insert key: %w", err)
		}
		return nil
	})
	return k, err
}

func checkNewKey(ctx context.Context, tx *sql.Tx, k store.ImportKey, max int) error {
	var n int
	var taken bool
	err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM import_keys WHERE account_id = $1),
		EXISTS (SELECT 1 FROM import_keys WHERE fingerprint = $2)`, k.AccountID, k.Fingerprint).Scan(&n, &taken)
	if err != nil {
		return fmt.Errorf("count keys: %w", err)
	}
	if taken {
		return keyTakenErr(k.Fingerprint)
	}
	if n >= max {
		return errs.E(errs.TooLarge, "this account already has %d import keys, the most allowed; delete one to add another", n)
	}
	return nil
}

func keyTakenErr(fp string) error {
	return errs.E(errs.Conflict, "this key (%s) is already registered; each key can be registered once, to one account", fp)
}

// ListKeys lists an account's keys, oldest first.
func (db *DB) ListKeys(ctx context.Context, accountID string) ([]store.ImportKey, error) {
	return sqlrow.ScanKeys(db.db.QueryContext(ctx, `SELECT `+sqlrow.KeyCols+` FROM import_keys WHERE account_id = $1 ORDER BY id`, accountID))
}

// KeyByFingerprint finds the key an SSH client offered.
func (db *DB) KeyByFingerprint(ctx context.Context, fp string) (store.ImportKey, error) {
	k, err := sqlrow.ScanKey(db.db.QueryRowContext(ctx, `SELECT `+sqlrow.KeyCols+` FROM import_keys WHERE fingerprint = $1`, fp))
	if errors.Is(err, sql.ErrNoRows) {
		return k, errs.E(errs.NotFound, "no key %s", fp)
	}
	if err != nil {
		return k, fmt.Errorf("read key: %w", err)
	}
	return k, nil
}

// DeleteKey removes one of an account's keys.
func (db *DB) DeleteKey(ctx context.Context, accountID string, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM import_keys WHERE id = $1 AND account_id = $2`, id, accountID)
		if err != nil {
			return fmt.Errorf("delete key: %w", err)
		}
		if affected(res) == 0 {
			return errs.E(errs.NotFound, "no import key %d in this account", id)
		}
		return nil
	})
}

// TouchKey records a successful login with a key.
func (db *DB) TouchKey(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE import_keys SET last_used_at = $1 WHERE id = $2`, ms(at), id); err != nil {
			return fmt.Errorf("touch key: %w", err)
		}
		return nil
	})
}

// LiveKeys returns which of ids still exist.
func (db *DB) LiveKeys(ctx context.Context, ids []int64) (map[int64]bool, error) {
	live := make(map[int64]bool, len(ids))
	if len(ids) == 0 {
		return live, nil
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM import_keys WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("check keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("scan key id: %w", err)
		}
		live[id] = true
	}
	return live, rows.Err()
}
