package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

// kindOrder ranks identifier kinds as the API shows them: identity first.
const kindOrder = `CASE kind WHEN 'identity' THEN 0 WHEN 'objectId' THEN 1 WHEN 'fbId' THEN 2 ELSE 3 END`

// ProfileByIdentifier finds a profile by any identifier value. If the value
// is an identifier of several kinds, identity wins, then objectId, fbId, gpId.
func (db *DB) ProfileByIdentifier(ctx context.Context, accountID, value string) (store.Profile, error) {
	var id int64
	err := db.db.QueryRowContext(ctx, `SELECT profile_id FROM identifiers WHERE account_id = $1 AND value = $2
		ORDER BY `+kindOrder+` LIMIT 1`, accountID, value).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Profile{}, errs.E(errs.NotFound, "no profile with identifier %q", value)
	}
	if err != nil {
		return store.Profile{}, fmt.Errorf("find profile: %w", err)
	}
	return db.Profile(ctx, accountID, id)
}

// Profile reads a profile with its identifiers.
func (db *DB) Profile(ctx context.Context, accountID string, id int64) (store.Profile, error) {
	p := store.Profile{ID: id, AccountID: accountID}
	var props []byte
	var created, updated int64
	err := db.db.QueryRowContext(ctx, `SELECT props, created_at, updated_at FROM profiles WHERE id = $1 AND account_id = $2`,
		id, accountID).Scan(&props, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, errs.E(errs.NotFound, "no profile %d", id)
	}
	if err != nil {
		return p, fmt.Errorf("read profile: %w", err)
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	if p.Props, err = decodeProps(props); err != nil {
		return p, fmt.Errorf("profile %d: %w", id, err)
	}
	p.Identifiers, err = db.profileIdentifiers(ctx, id)
	return p, err
}

func (db *DB) profileIdentifiers(ctx context.Context, id int64) ([]store.Identifier, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT kind, value FROM identifiers WHERE profile_id = $1
		ORDER BY `+kindOrder+`, value`, id)
	if err != nil {
		return nil, fmt.Errorf("read identifiers: %w", err)
	}
	defer rows.Close()
	var out []store.Identifier
	for rows.Next() {
		var i store.Identifier
		if err := rows.Scan(&i.Kind, &i.Value); err != nil {
			return nil, fmt.Errorf("scan identifier: %w", err)
		}
		out = append(out, i)
	}
	return out, rows.Err()
}

// decodeProps reads a props column (jsonb's text: spaces after ':' and ',').
func decodeProps(b []byte) (record.Props, error) { return record.DecodeProps(b) }

// ScanIdentifiers reads the account's identifiers by the primary key, which
// starts with account_id.
func (db *DB) ScanIdentifiers(ctx context.Context, accountID string, limit int, fn func(store.Identifier, int64)) (bool, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT kind, value, profile_id FROM identifiers WHERE account_id = $1 LIMIT $2`,
		accountID, limit+1)
	if err != nil {
		return false, fmt.Errorf("scan identifiers: %w", err)
	}
	return sqlrow.ScanIdentifiers(rows, limit, fn)
}
