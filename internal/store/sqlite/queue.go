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

// BindData attaches the newest stored data upload named by a waiting import.
func (db *DB) BindData(ctx context.Context, importID int64, now time.Time) (store.Import, error) {
	var imp store.Import
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		imp, err = importTx(ctx, tx, `id = ?`, importID)
		if err != nil {
			return err
		}
		if imp.Status != store.StatusWaiting {
			return errs.E(errs.Conflict, "import %d is %s, not waiting", importID, imp.Status)
		}
		var upID, size int64
		err = tx.QueryRowContext(ctx, `SELECT id, size FROM uploads WHERE account_id = ? AND name = ? AND kind = 'data'
			AND state = 'stored' ORDER BY id DESC LIMIT 1`, imp.AccountID, imp.FileName).Scan(&upID, &size)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no data file %s", imp.FileName)
		}
		if err != nil {
			return fmt.Errorf("find data upload: %w", err)
		}
		if err := setUploadState(ctx, tx, upID, store.UploadLocked, imp.ID, now); err != nil {
			return err
		}
		imp.DataUploadID, imp.SizeBytes, imp.Status = upID, size, store.StatusQueued
		_, err = tx.ExecContext(ctx, `UPDATE imports SET data_upload_id = ?, size_bytes = ?, status = 'queued' WHERE id = ?`,
			upID, size, imp.ID)
		return err
	})
	return imp, err
}

// claimQuery picks the runnable import that arrived first: queued, or
// processing under an expired lease, and the oldest unfinished one of its
// account, so an account's imports run one at a time in manifest order.
const claimQuery = `SELECT i.id FROM imports i
	WHERE (i.status = 'queued' OR (i.status = 'processing' AND i.lease_until < ?))
	AND i.manifest_upload_id = (SELECT MIN(j.manifest_upload_id) FROM imports j
		WHERE j.account_id = i.account_id AND j.status IN ('waiting', 'queued', 'processing'))
	ORDER BY i.manifest_upload_id LIMIT 1`

// Claim takes the next runnable import under a lease.
func (db *DB) Claim(ctx context.Context, lease store.Lease, now time.Time) (store.Import, error) {
	var imp store.Import
	err := db.write(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, claimQuery, ms(now)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "no import to run")
		}
		if err != nil {
			return fmt.Errorf("find import to claim: %w", err)
		}
		if imp, err = importTx(ctx, tx, `id = ?`, id); err != nil {
			return err
		}
		return claim(ctx, tx, &imp, lease, now)
	})
	return imp, err
}

func claim(ctx context.Context, tx *sql.Tx, imp *store.Import, lease store.Lease, now time.Time) error {
	first := imp.Status == store.StatusQueued
	if imp.StartedAt == nil {
		t, err := sqlrow.StartTime(ctx, tx, `SELECT MAX(finished_at) FROM imports WHERE account_id = ?`, imp.AccountID, now)
		if err != nil {
			return err
		}
		imp.StartedAt = &t
	}
	imp.Status = store.StatusProcessing
	imp.Attempts++
	_, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'processing', lease_owner = ?, lease_until = ?,
		attempts = ?, started_at = ? WHERE id = ?`, lease.Owner, ms(lease.Until), imp.Attempts, ms(*imp.StartedAt), imp.ID)
	if err != nil {
		return fmt.Errorf("claim import: %w", err)
	}
	if first {
		return addMilestone(ctx, tx, imp.ID, store.MilestonePickedUp, now)
	}
	return nil
}

// Renew extends a lease, writing a due milestone with it.
func (db *DB) Renew(ctx context.Context, id int64, lease store.Lease, m store.Milestone, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := holdLease(ctx, tx, id, lease.Owner); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE imports SET lease_until = ? WHERE id = ?`, ms(lease.Until), id); err != nil {
			return fmt.Errorf("renew lease: %w", err)
		}
		if m == "" {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE imports SET mailed_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return fmt.Errorf("record milestone time: %w", err)
		}
		return addMilestone(ctx, tx, id, m, now)
	})
}

// holdLease fails with errs.Conflict unless owner holds the import's lease.
func holdLease(ctx context.Context, tx *sql.Tx, id int64, owner string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM imports WHERE id = ? AND status = 'processing' AND lease_owner = ?`,
		id, owner).Scan(&n)
	if err != nil {
		return fmt.Errorf("check lease: %w", err)
	}
	if n == 0 {
		return errs.E(errs.Conflict, "lease on import %d lost", id)
	}
	return nil
}

// Finish ends an import: final status, counts, milestone, uploads processed.
func (db *DB) Finish(ctx context.Context, imp store.Import, owner string, now time.Time, m store.Milestone) error {
	defer db.importWrote()
	return db.writeConn(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		if err := holdLease(ctx, tx, imp.ID, owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE imports SET status = ?, error = ?, finished_at = ?, bytes_read = ?,
			rows_read = ?, rows_imported = ?, rows_failed = ?, error_bytes = ?, lease_owner = '', lease_until = 0
			WHERE id = ?`, imp.Status, imp.Error, ms(now), imp.BytesRead, imp.RowsRead, imp.RowsImported,
			imp.RowsFailed, imp.ErrorBytes, imp.ID)
		if err != nil {
			return fmt.Errorf("finish import: %w", err)
		}
		// An import ends with its events found by profile through the index.
		b := db.newBatch(conn, tx)
		defer b.close()
		if err := b.indexEvents(ctx, 1); err != nil {
			return err
		}
		return endImport(ctx, tx, imp.ID, m, now)
	})
}

// endImport releases the import's uploads and announces its end.
func endImport(ctx context.Context, tx *sql.Tx, id int64, m store.Milestone, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'processed', state_at = ? WHERE import_id = ? AND state = 'locked'`,
		ms(now), id)
	if err != nil {
		return fmt.Errorf("release uploads: %w", err)
	}
	return addMilestone(ctx, tx, id, m, now)
}

// FailWaiting ends a waiting import whose data file never came.
func (db *DB) FailWaiting(ctx context.Context, id int64, reason string, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'failed', error = ?, finished_at = ?
			WHERE id = ? AND status = 'waiting'`, reason, ms(now), id)
		if err != nil {
			return fmt.Errorf("fail waiting import: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "import %d is no longer waiting", id)
		}
		return endImport(ctx, tx, id, store.MilestoneFailed, now)
	})
}

// Release hands an import back to the queue at once (its lease expires now).
func (db *DB) Release(ctx context.Context, id int64, owner string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE imports SET lease_owner = '', lease_until = 0
			WHERE id = ? AND lease_owner = ? AND status = 'processing'`, id, owner)
		if err != nil {
			return fmt.Errorf("release import: %w", err)
		}
		return nil
	})
}
