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

func importTx(ctx context.Context, q querier, where string, args ...any) (store.Import, error) {
	i, err := sqlrow.ScanImport(q.QueryRowContext(ctx, `SELECT `+sqlrow.ImportCols+` FROM imports WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return i, errs.E(errs.NotFound, "no such import")
	}
	if err != nil {
		return i, fmt.Errorf("read import: %w", err)
	}
	return i, nil
}

// CreateImport stores an import for a manifest upload; see store.Imports.
func (db *DB) CreateImport(ctx context.Context, imp store.Import, m store.Milestone) (store.Import, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO imports (account_id, manifest_name, manifest_upload_id, file_name,
			type, status, error, client_email, manifest, received_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			imp.AccountID, imp.ManifestName, imp.ManifestUploadID, imp.FileName, imp.Type, imp.Status, imp.Error,
			imp.ClientEmail, imp.Manifest, ms(imp.ReceivedAt), nullMS(imp.FinishedAt))
		if isUnique(err) {
			return errs.E(errs.Conflict, "manifest upload %d already has an import", imp.ManifestUploadID)
		}
		if err != nil {
			return fmt.Errorf("insert import: %w", err)
		}
		if imp.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		state := store.UploadLocked
		if imp.Status.Ended() {
			state = store.UploadProcessed
		}
		if err := setUploadState(ctx, tx, imp.ManifestUploadID, state, imp.ID, imp.ReceivedAt); err != nil {
			return err
		}
		return addMilestone(ctx, tx, imp.ID, m, imp.ReceivedAt)
	})
	return imp, err
}

func setUploadState(ctx context.Context, tx *sql.Tx, uploadID int64, s store.UploadState, importID int64, at time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE uploads SET state = ?, import_id = ?, state_at = ? WHERE id = ?`, s, importID, ms(at), uploadID)
	if err != nil {
		return fmt.Errorf("set upload state: %w", err)
	}
	return nil
}

// addMilestone writes an outbox item for an import; mail goes along when the
// import has a client email.
func addMilestone(ctx context.Context, tx *sql.Tx, importID int64, m store.Milestone, at time.Time) error {
	if m == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (account_id, import_id, milestone, mail, created_at)
		SELECT account_id, id, ?, client_email <> '', ? FROM imports WHERE id = ?`, m, ms(at), importID)
	if err != nil {
		return fmt.Errorf("write outbox: %w", err)
	}
	return nil
}

// PendingManifests lists manifest uploads not yet turned into imports, in arrival order.
func (db *DB) PendingManifests(ctx context.Context, limit int) ([]store.Upload, error) {
	return sqlrow.ScanUploads(db.r.QueryContext(ctx, `SELECT `+sqlrow.UploadCols+` FROM uploads
		WHERE kind = 'manifest' AND state = 'stored' ORDER BY id LIMIT ?`, limit))
}

// Import reads one of an account's imports.
func (db *DB) Import(ctx context.Context, accountID string, id int64) (store.Import, error) {
	i, err := importTx(ctx, db.r, `id = ? AND account_id = ?`, id, accountID)
	if errs.Is(err, errs.NotFound) {
		return i, errs.E(errs.NotFound, "no import %d in this account", id)
	}
	return i, err
}

// ListImports lists an account's imports, newest first.
func (db *DB) ListImports(ctx context.Context, accountID string, f store.ImportFilter) ([]store.Import, error) {
	p := f.Norm()
	before := p.Before
	if before == 0 {
		before = 1<<63 - 1
	}
	return sqlrow.ScanImports(db.r.QueryContext(ctx, `SELECT `+sqlrow.ImportCols+` FROM imports
		WHERE account_id = ? AND (? = '' OR status = ?) AND id < ? ORDER BY id DESC LIMIT ?`,
		accountID, f.Status, f.Status, before, p.Limit))
}

// WaitingImports lists imports waiting for their data file, oldest first.
func (db *DB) WaitingImports(ctx context.Context) ([]store.Import, error) {
	return sqlrow.ScanImports(db.r.QueryContext(ctx, `SELECT `+sqlrow.ImportCols+` FROM imports WHERE status = 'waiting' ORDER BY manifest_upload_id`))
}

// ImportsWithErrors lists an account's ended imports that have an error file, newest first.
func (db *DB) ImportsWithErrors(ctx context.Context, accountID string) ([]store.Import, error) {
	return sqlrow.ScanImports(db.r.QueryContext(ctx, `SELECT `+sqlrow.ImportCols+` FROM imports
		WHERE account_id = ? AND status IN ('succeeded', 'partial', 'failed') AND length(error_header) > 0
		ORDER BY id DESC`, accountID))
}

// ErrorRows streams an import's error lines in row order.
func (db *DB) ErrorRows(ctx context.Context, importID int64, fn func(line []byte) error) error {
	rows, err := db.r.QueryContext(ctx, `SELECT line FROM import_errors WHERE import_id = ? ORDER BY row`, importID)
	if err != nil {
		return fmt.Errorf("read error rows: %w", err)
	}
	defer rows.Close()
	var line []byte
	for rows.Next() {
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("scan error row: %w", err)
		}
		if err := fn(line); err != nil {
			return err
		}
	}
	return rows.Err()
}
