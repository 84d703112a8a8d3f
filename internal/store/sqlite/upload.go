package sqlite

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

// RecordUpload stores a completed upload; see store.Uploads.
func (db *DB) RecordUpload(ctx context.Context, u store.Upload) (store.Upload, string, error) {
	var replaced string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		if u.Kind == store.KindData {
			replaced, err = replaceData(ctx, tx, u, db.now())
			if err != nil {
				return err
			}
		}
		u.State = store.UploadStored
		res, err := tx.ExecContext(ctx, `INSERT INTO uploads (account_id, name, kind, size, sha256, blob_key, state, created_at, state_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, u.AccountID, u.Name, u.Kind, u.Size, u.SHA256, u.BlobKey, u.State, ms(u.CreatedAt), ms(u.CreatedAt))
		if isUnique(err) {
			return errs.E(errs.Conflict, "manifest name %q was already used; every manifest name is used once, upload it under a new name", u.Name)
		}
		if err != nil {
			return fmt.Errorf("insert upload: %w", err)
		}
		u.ID, err = res.LastInsertId()
		return err
	})
	return u, replaced, err
}

// replaceData retires a stored data file of the same name, or refuses a locked one.
func replaceData(ctx context.Context, tx *sql.Tx, u store.Upload, now time.Time) (string, error) {
	var id int64
	var state, blob string
	err := tx.QueryRowContext(ctx, `SELECT id, state, blob_key FROM uploads
		WHERE account_id = ? AND name = ? AND kind = 'data' AND state IN ('stored', 'locked')
		ORDER BY id DESC LIMIT 1`, u.AccountID, u.Name).Scan(&id, &state, &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("find previous upload: %w", err)
	}
	if state == string(store.UploadLocked) {
		return "", sqlrow.LockedErr(u.Name)
	}
	_, err = tx.ExecContext(ctx, `UPDATE uploads SET state = 'replaced', state_at = ? WHERE id = ?`, ms(now), id)
	if err != nil {
		return "", fmt.Errorf("retire previous upload: %w", err)
	}
	return blob, nil
}

// Upload reads one upload.
func (db *DB) Upload(ctx context.Context, accountID string, id int64) (store.Upload, error) {
	u, err := sqlrow.ScanUpload(db.r.QueryRowContext(ctx, `SELECT `+sqlrow.UploadCols+` FROM uploads WHERE id = ? AND account_id = ?`, id, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return u, errs.E(errs.NotFound, "no upload %d", id)
	}
	if err != nil {
		return u, fmt.Errorf("read upload: %w", err)
	}
	return u, nil
}

// VisibleUploads lists what the SFTP listing of / shows.
func (db *DB) VisibleUploads(ctx context.Context, accountID string) ([]store.Upload, error) {
	return sqlrow.ScanUploads(db.r.QueryContext(ctx, `SELECT `+sqlrow.UploadCols+` FROM uploads
		WHERE account_id = ? AND state IN ('stored', 'locked') ORDER BY name, id`, accountID))
}

// NameLocked reports whether a data file name is held by an unfinished import.
func (db *DB) NameLocked(ctx context.Context, accountID, name string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM uploads
		WHERE account_id = ? AND name = ? AND kind = 'data' AND state = 'locked'`, accountID, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check lock: %w", err)
	}
	return n > 0, nil
}

// ManifestNameUsed reports whether a manifest name was used before.
func (db *DB) ManifestNameUsed(ctx context.Context, accountID, name string) (bool, error) {
	var n int
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM uploads
		WHERE account_id = ? AND name = ? AND kind = 'manifest'`, accountID, name).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("check manifest name: %w", err)
	}
	return n > 0, nil
}

// StoredBytes sums the visible uploads of an account (what counts for its quota).
func (db *DB) StoredBytes(ctx context.Context, accountID string) (int64, error) {
	var n int64
	err := db.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM uploads
		WHERE account_id = ? AND state IN ('stored', 'locked')`, accountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("sum upload sizes: %w", err)
	}
	return n, nil
}

// ExpiredUploads lists processed or replaced uploads whose blobs may go.
func (db *DB) ExpiredUploads(ctx context.Context, before time.Time, limit int) ([]store.Upload, error) {
	return sqlrow.ScanUploads(db.r.QueryContext(ctx, `SELECT `+sqlrow.UploadCols+` FROM uploads
		WHERE state IN ('processed', 'replaced') AND state_at < ? ORDER BY state_at LIMIT ?`, ms(before), limit))
}

// MarkUploadDeleted records that an upload's blob is gone.
func (db *DB) MarkUploadDeleted(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'deleted', state_at = ? WHERE id = ?`, ms(db.now()), id)
		if err != nil {
			return fmt.Errorf("mark upload deleted: %w", err)
		}
		return nil
	})
}
