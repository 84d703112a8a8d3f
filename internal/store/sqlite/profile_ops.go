package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/store"
)

// A profile file of 10M rows over 1M users rewrote a random profile per row:
// a page read and, at each commit, a page written, 12.6 KB a row through
// write() and 28k rows/s. Kept as operations instead, a batch appends rows
// to profile_ops; a fold reads them sorted by profile and rewrites each
// touched profile once, walking the profiles table in id order.

func (b *batch) AppendProfileOps(ctx context.Context, accountID string, ops []store.ProfileOps) error {
	return b.execRows(ctx, `INSERT INTO profile_ops (account_id, profile_id, updated_at, ops) VALUES `, ``, 4, len(ops),
		func(i int, dst []any) []any {
			o := &ops[i]
			return append(dst, accountID, o.ProfileID, ms(o.UpdatedAt), o.Ops)
		}, nil)
}

// foldChunk is how many profiles one fold transaction rewrites: the writer
// is held a few tens of milliseconds at a time.
const foldChunk = 5000

// FoldProfileOps folds the account's kept operations in transactions of
// foldChunk profiles. Each records how far the fold got, and checks that no
// other fold moved on meanwhile, so that an interrupted fold goes on where
// it stopped and no operation is applied twice.
func (db *DB) FoldProfileOps(ctx context.Context, accountID string) (int, error) {
	upto, done, err := db.startFold(ctx, accountID)
	if err != nil || upto == 0 {
		return 0, err
	}
	// The readers' snapshot of the operations stays as it is until the fold
	// deletes them at its end: appends after upto are not read.
	conn, err := db.r.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -1024`); err != nil {
		return 0, err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -8192`)
	rows, err := conn.QueryContext(ctx, `SELECT profile_id, updated_at, ops FROM profile_ops
		WHERE account_id = ? AND seq <= ? AND profile_id > ? ORDER BY profile_id, seq`, accountID, upto, done)
	if err != nil {
		return 0, fmt.Errorf("read profile ops: %w", err)
	}
	defer rows.Close()
	n, nprof := 0, 0
	var chunk []foldEntry
	for rows.Next() {
		var e foldEntry
		var updated int64
		if err := rows.Scan(&e.profile, &updated, &e.ops); err != nil {
			return n, fmt.Errorf("scan profile ops: %w", err)
		}
		e.updated = updated
		if len(chunk) == 0 || e.profile != chunk[len(chunk)-1].profile {
			if nprof == foldChunk {
				if done, err = db.foldChunk(ctx, accountID, upto, done, chunk); err != nil {
					return n, err
				}
				n += len(chunk)
				chunk, nprof = chunk[:0], 0
			}
			nprof++
		}
		chunk = append(chunk, e)
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("read profile ops: %w", err)
	}
	rows.Close()
	if len(chunk) > 0 {
		if done, err = db.foldChunk(ctx, accountID, upto, done, chunk); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return n, db.endFold(ctx, accountID, upto, done)
}

type foldEntry struct {
	profile, updated int64
	ops              []byte
}

// startFold returns the fold in progress, or starts one over every kept
// operation of the account; upto is 0 when there are none.
func (db *DB) startFold(ctx context.Context, accountID string) (upto, done int64, err error) {
	err = db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT upto_seq, done_profile FROM profile_folds WHERE account_id = ?`, accountID).Scan(&upto, &done)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		var max sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT max(seq) FROM profile_ops WHERE account_id = ?`, accountID).Scan(&max); err != nil || !max.Valid {
			return err
		}
		upto = max.Int64
		_, err = tx.ExecContext(ctx, `INSERT INTO profile_folds (account_id, upto_seq, done_profile) VALUES (?, ?, 0)`, accountID, upto)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("start profile fold: %w", err)
	}
	return upto, done, nil
}

// foldChunk applies a chunk's operations to its profiles and records the
// last profile as done, in one transaction.
func (db *DB) foldChunk(ctx context.Context, accountID string, upto, done int64, chunk []foldEntry) (int64, error) {
	last := chunk[len(chunk)-1].profile
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := moveFold(ctx, tx, accountID, upto, done, last); err != nil {
			return err
		}
		b := &batch{tx: tx, now: db.now}
		defer b.close()
		ids := make([]int64, 0, foldChunk)
		for i := range chunk {
			if i == 0 || chunk[i].profile != chunk[i-1].profile {
				ids = append(ids, chunk[i].profile)
			}
		}
		loaded, err := b.LoadProfiles(ctx, accountID, ids)
		if err != nil {
			return err
		}
		var ops []record.Op
		for i := range chunk {
			p := loaded[chunk[i].profile]
			if ops, err = record.DecodeOps(ops[:0], chunk[i].ops); err != nil {
				return fmt.Errorf("profile %d: %w", p.ID, err)
			}
			if p.Props == nil {
				p.Props = record.Props{}
			}
			record.ApplyOps(p.Props, ops)
			p.UpdatedAt = fromMS(chunk[i].updated)
		}
		saved := make([]*store.Profile, len(ids))
		for i, id := range ids {
			saved[i] = loaded[id]
		}
		return b.SaveProfiles(ctx, saved)
	})
	if err != nil {
		return done, fmt.Errorf("fold profile ops: %w", err)
	}
	return last, nil
}

// moveFold moves the fold from done to to, if no other fold moved it.
func moveFold(ctx context.Context, tx *sql.Tx, accountID string, upto, done, to int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE profile_folds SET done_profile = ?
		WHERE account_id = ? AND upto_seq = ? AND done_profile = ?`, to, accountID, upto, done)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		if err != nil {
			return err
		}
		return errs.E(errs.Conflict, "profile fold of account %s moved on elsewhere", accountID)
	}
	return nil
}

// endFold deletes the folded operations and the fold.
func (db *DB) endFold(ctx context.Context, accountID string, upto, done int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := moveFold(ctx, tx, accountID, upto, done, done); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM profile_ops WHERE account_id = ? AND seq <= ?`, accountID, upto); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM profile_folds WHERE account_id = ?`, accountID)
		return err
	})
	if err != nil {
		return fmt.Errorf("end profile fold: %w", err)
	}
	return nil
}
