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

// BindData attaches the newest stored data upload named by a waiting import.
func (db *DB) BindData(ctx context.Context, importID int64, now time.Time) (store.Import, error) {
	var imp store.Import
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		if imp, err = importTx(ctx, tx, `id = $1 FOR UPDATE`, importID); err != nil {
			return err
		}
		if imp.Status != store.StatusWaiting {
			return errs.E(errs.Conflict, "import %d is %s, not waiting", importID, imp.Status)
		}
		if err := lockName(ctx, tx, imp.AccountID, imp.FileName); err != nil {
			return err
		}
		var upID, size int64
		err = tx.QueryRowContext(ctx, `SELECT id, size FROM uploads WHERE account_id = $1 AND name = $2 AND kind = 'data'
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
		_, err = tx.ExecContext(ctx, `UPDATE imports SET data_upload_id = $1, size_bytes = $2, status = 'queued' WHERE id = $3`,
			upID, size, imp.ID)
		if err != nil {
			return fmt.Errorf("queue import: %w", err)
		}
		return nil
	})
	return imp, err
}

// claimable is the condition that import i may be claimed at $1 (unix ms):
// it is queued, or processing under an expired lease; it is the oldest
// unfinished import of its account; and no other import of the account
// runs under a live lease. The last part matters with several nodes: an
// import whose manifest committed late may be older than one already
// running, and must wait for it rather than run beside it.
const claimable = `(i.status = 'queued' OR (i.status = 'processing' AND i.lease_until < $1))
	AND NOT EXISTS (SELECT 1 FROM imports j WHERE j.account_id = i.account_id
		AND j.status IN ('waiting', 'queued', 'processing') AND j.manifest_upload_id < i.manifest_upload_id)
	AND NOT EXISTS (SELECT 1 FROM imports j WHERE j.account_id = i.account_id AND j.id <> i.id
		AND j.status = 'processing' AND j.lease_until >= $1)`

// claimCandidates is how many runnable imports one Claim tries, oldest first.
const claimCandidates = 16

type candidate struct {
	id      int64
	account string
}

// Claim takes the next runnable import under a lease. Candidates are found
// without locks; each is then tried in its own transaction that locks its
// account's row (claims of one account run one at a time, on any node),
// checks the candidate again with a snapshot taken after that lock, and
// locks the import row with SKIP LOCKED.
func (db *DB) Claim(ctx context.Context, lease store.Lease, now time.Time) (store.Import, error) {
	cands, err := db.candidates(ctx, now)
	if err != nil {
		return store.Import{}, err
	}
	for _, c := range cands {
		imp, err := db.tryClaim(ctx, c, lease, now)
		if !errs.Is(err, errs.NotFound) {
			return imp, err
		}
	}
	return store.Import{}, errs.E(errs.NotFound, "no import to run")
}

func (db *DB) candidates(ctx context.Context, now time.Time) ([]candidate, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT i.id, i.account_id FROM imports i WHERE `+claimable+`
		ORDER BY i.manifest_upload_id LIMIT $2`, ms(now), claimCandidates)
	if err != nil {
		return nil, fmt.Errorf("find imports to claim: %w", err)
	}
	defer rows.Close()
	var out []candidate
	for rows.Next() {
		var c candidate
		if err := rows.Scan(&c.id, &c.account); err != nil {
			return nil, fmt.Errorf("scan import to claim: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// tryClaim claims one candidate, or fails with errs.NotFound if another
// node is claiming in its account or it is no longer claimable.
func (db *DB) tryClaim(ctx context.Context, c candidate, lease store.Lease, now time.Time) (store.Import, error) {
	var imp store.Import
	err := db.write(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED`, c.account).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "account %s is being claimed elsewhere", c.account)
		}
		if err != nil {
			return fmt.Errorf("lock account for claim: %w", err)
		}
		imp, err = sqlrow.ScanImport(tx.QueryRowContext(ctx, `SELECT `+sqlrow.ImportCols+` FROM imports i WHERE i.id = $2 AND `+claimable+`
			FOR UPDATE OF i SKIP LOCKED`, ms(now), c.id))
		if errors.Is(err, sql.ErrNoRows) {
			return errs.E(errs.NotFound, "import %d is no longer claimable", c.id)
		}
		if err != nil {
			return fmt.Errorf("lock import to claim: %w", err)
		}
		return claim(ctx, tx, &imp, lease, now)
	})
	return imp, err
}

func claim(ctx context.Context, tx *sql.Tx, imp *store.Import, lease store.Lease, now time.Time) error {
	first := imp.Status == store.StatusQueued
	if imp.StartedAt == nil {
		t, err := sqlrow.StartTime(ctx, tx, `SELECT MAX(finished_at) FROM imports WHERE account_id = $1`, imp.AccountID, now)
		if err != nil {
			return err
		}
		imp.StartedAt = &t
	}
	imp.Status = store.StatusProcessing
	imp.Attempts++
	_, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'processing', lease_owner = $1, lease_until = $2,
		attempts = $3, started_at = $4 WHERE id = $5`, lease.Owner, ms(lease.Until), imp.Attempts, ms(*imp.StartedAt), imp.ID)
	if err != nil {
		return fmt.Errorf("claim import: %w", err)
	}
	if first {
		return addMilestone(ctx, tx, imp.ID, store.MilestonePickedUp, now)
	}
	return nil
}

// leaseHeld is the condition that $id's lease is held by $owner.
const leaseHeld = `status = 'processing' AND lease_owner = `

// Renew extends a lease, writing a due milestone with it.
func (db *DB) Renew(ctx context.Context, id int64, lease store.Lease, m store.Milestone, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		mailed := sql.NullInt64{Int64: ms(now), Valid: m != ""}
		res, err := tx.ExecContext(ctx, `UPDATE imports SET lease_until = $1, mailed_at = COALESCE($2, mailed_at)
			WHERE id = $3 AND `+leaseHeld+`$4`, ms(lease.Until), mailed, id, lease.Owner)
		if err != nil {
			return fmt.Errorf("renew lease: %w", err)
		}
		if affected(res) == 0 {
			return leaseLost(id)
		}
		return addMilestone(ctx, tx, id, m, now)
	})
}

func leaseLost(id int64) error { return errs.E(errs.Conflict, "lease on import %d lost", id) }

// Finish ends an import: final status, counts, milestone, uploads processed.
func (db *DB) Finish(ctx context.Context, imp store.Import, owner string, now time.Time, m store.Milestone) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE imports SET status = $1, error = $2, finished_at = $3, bytes_read = $4,
			rows_read = $5, rows_imported = $6, rows_failed = $7, error_bytes = $8, lease_owner = '', lease_until = 0
			WHERE id = $9 AND `+leaseHeld+`$10`, imp.Status, imp.Error, ms(now), imp.BytesRead, imp.RowsRead,
			imp.RowsImported, imp.RowsFailed, imp.ErrorBytes, imp.ID, owner)
		if err != nil {
			return fmt.Errorf("finish import: %w", err)
		}
		if affected(res) == 0 {
			return leaseLost(imp.ID)
		}
		return endImport(ctx, tx, imp.ID, m, now)
	})
}

// endImport releases the import's uploads and announces its end.
func endImport(ctx context.Context, tx *sql.Tx, id int64, m store.Milestone, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE uploads SET state = 'processed', state_at = $1 WHERE import_id = $2 AND state = 'locked'`,
		ms(now), id)
	if err != nil {
		return fmt.Errorf("release uploads: %w", err)
	}
	return addMilestone(ctx, tx, id, m, now)
}

// FailWaiting ends a waiting import whose data file never came.
func (db *DB) FailWaiting(ctx context.Context, id int64, reason string, now time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE imports SET status = 'failed', error = $1, finished_at = $2
			WHERE id = $3 AND status = 'waiting'`, reason, ms(now), id)
		if err != nil {
			return fmt.Errorf("fail waiting import: %w", err)
		}
		if affected(res) == 0 {
			return errs.E(errs.Conflict, "import %d is no longer waiting", id)
		}
		return endImport(ctx, tx, id, store.MilestoneFailed, now)
	})
}

// Release hands an import back to the queue at once (its lease expires now).
func (db *DB) Release(ctx context.Context, id int64, owner string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE imports SET lease_owner = '', lease_until = 0
			WHERE id = $1 AND `+leaseHeld+`$2`, id, owner)
		if err != nil {
			return fmt.Errorf("release import: %w", err)
		}
		return nil
	})
}
