package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// AddKey stores an import key, enforcing the per-account maximum and global uniqueness.
func (db *DB) AddKey(ctx context.Context, k store.ImportKey, max int) (store.ImportKey, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := accountTx(ctx, tx, k.AccountID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM import_keys WHERE account_id = ?`, k.AccountID).Scan(&n); err != nil {
			return fmt.Errorf("count keys: %w", err)
		}
		if n >= max {
			return errs.E(errs.TooLarge, "this account already has %d import keys, the most allowed; delete one to add another", n)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO import_keys (account_id, name, public_key, fingerprint, created_at)
			VALUES (?, ?, ?, ?, ?)`, k.AccountID, k.Name, k.PublicKey, k.Fingerprint, ms(k.CreatedAt))
		if isUnique(err) {
			return errs.E(errs.Conflict, "this key (%s) is already registered; each key can be registered once, to one account", k.Fingerprint)
		}
		if err != nil {
			return fmt.Errorf("insert key: %w", err)
		}
		k.ID, err = res.LastInsertId()
		return err
	})
	return k, err
}

// ListKeys lists an account's keys, oldest first.
func (db *DB) ListKeys(ctx context.Context, accountID string) ([]store.ImportKey, error) {
	return sqlrow.ScanKeys(db.r.QueryContext(ctx, `SELECT `+sqlrow.KeyCols+` FROM import_keys WHERE account_id = ? ORDER BY id`, accountID))
}

// KeyByFingerprint finds the key an SSH client offered.
func (db *DB) KeyByFingerprint(ctx context.Context, fp string) (store.ImportKey, error) {
	k, err := sqlrow.ScanKey(db.r.QueryRowContext(ctx, `SELECT `+sqlrow.KeyCols+` FROM import_keys WHERE fingerprint = ?`, fp))
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
		res, err := tx.ExecContext(ctx, `DELETE FROM import_keys WHERE id = ? AND account_id = ?`, id, accountID)
		if err != nil {
			return fmt.Errorf("delete key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "no import key %d in this account", id)
		}
		return nil
	})
}

// TouchKey records a successful login with a key.
func (db *DB) TouchKey(ctx context.Context, id int64, at time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE import_keys SET last_used_at = ? WHERE id = ?`, ms(at), id)
		if err != nil {
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
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	q := `SELECT id FROM import_keys WHERE id IN (?` + strings.Repeat(",?", len(ids)-1) + `)`
	rows, err := db.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("check keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		live[id] = true
	}
	return live, rows.Err()
}
