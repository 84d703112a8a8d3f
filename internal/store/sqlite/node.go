package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sluice/internal/store"
)

// HostKey returns the stored host key, storing create's when there is none;
// see store.HostKeys. The writer's transaction makes it one step.
func (db *DB) HostKey(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	var pem []byte
	err := db.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT pem FROM host_keys WHERE name = ?`, name).Scan(&pem)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if pem, err = create(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO host_keys (name, pem, created_at) VALUES (?, ?, ?)`, name, pem, ms(db.now()))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("host key %s: %w", name, err)
	}
	return pem, nil
}

// LoginFailed records a failed login; see store.Bans.
func (db *DB) LoginFailed(ctx context.Context, ip string, now time.Time, rule store.BanRule) (time.Time, error) {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := pruneLogins(ctx, tx, now, rule.Window); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (ip, at) VALUES (?, ?)`, ip, ms(now)); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE ip = ?`, ip).Scan(&n); err != nil {
			return fmt.Errorf("count login failures: %w", err)
		}
		if rule.Threshold > 0 && n >= rule.Threshold {
			return banLogin(ctx, tx, ip, now.Add(rule.Duration))
		}
		return nil
	})
	if err != nil {
		return time.Time{}, err
	}
	return db.BannedUntil(ctx, ip)
}

func pruneLogins(ctx context.Context, tx *sql.Tx, now time.Time, window time.Duration) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at <= ?`, ms(now.Add(-window))); err != nil {
		return fmt.Errorf("forget old login failures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_bans WHERE until <= ?`, ms(now)); err != nil {
		return fmt.Errorf("forget ended bans: %w", err)
	}
	return nil
}

func banLogin(ctx context.Context, tx *sql.Tx, ip string, until time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_bans (ip, until) VALUES (?, ?)
		ON CONFLICT (ip) DO UPDATE SET until = excluded.until`, ip, ms(until)); err != nil {
		return fmt.Errorf("ban address: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE ip = ?`, ip); err != nil {
		return fmt.Errorf("reset login failures: %w", err)
	}
	return nil
}

// BannedUntil returns when ip's ban ends; see store.Bans.
func (db *DB) BannedUntil(ctx context.Context, ip string) (time.Time, error) {
	var until int64
	err := db.r.QueryRowContext(ctx, `SELECT until FROM login_bans WHERE ip = ?`, ip).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read ban: %w", err)
	}
	return fromMS(until), nil
}

// ReserveUpload holds quota for an upload in flight; see store.Reservations.
func (db *DB) ReserveUpload(ctx context.Context, r store.UploadReservation, quota int64, now time.Time) (store.UploadReservation, int64, error) {
	var inUse int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		others, err := reservedBytes(ctx, tx, r, now)
		if err != nil {
			return err
		}
		if inUse, err = store.FitQuota(others, r.Bytes, quota); err != nil {
			return err
		}
		return saveReservation(ctx, tx, &r)
	})
	return r, inUse, err
}

// reservedBytes is what counts against the quota besides r: stored and
// locked uploads (less the data file r replaces) and other reservations.
func reservedBytes(ctx context.Context, tx *sql.Tx, r store.UploadReservation, now time.Time) (int64, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM upload_reservations WHERE account_id = ? AND expires_at <= ?`,
		r.AccountID, ms(now)); err != nil {
		return 0, fmt.Errorf("forget expired reservations: %w", err)
	}
	var stored, held int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM uploads
		WHERE account_id = ? AND state IN ('stored', 'locked')
		AND NOT (? = 'data' AND kind = 'data' AND state = 'stored' AND name = ?)`, r.AccountID, r.Kind, r.Name).Scan(&stored)
	if err != nil {
		return 0, fmt.Errorf("sum stored uploads: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(bytes), 0) FROM upload_reservations
		WHERE account_id = ? AND id != ?`, r.AccountID, r.ID).Scan(&held)
	if err != nil {
		return 0, fmt.Errorf("sum reservations: %w", err)
	}
	return stored + held, nil
}

func saveReservation(ctx context.Context, tx *sql.Tx, r *store.UploadReservation) error {
	if r.ID != 0 {
		res, err := tx.ExecContext(ctx, `UPDATE upload_reservations SET bytes = ?, expires_at = ? WHERE id = ?`,
			r.Bytes, ms(r.ExpiresAt), r.ID)
		if err != nil {
			return fmt.Errorf("grow reservation: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		// It expired (its node missed renewals): take a new one.
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO upload_reservations (account_id, name, kind, bytes, node, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, r.AccountID, r.Name, r.Kind, r.Bytes, r.Node, ms(r.ExpiresAt))
	if err != nil {
		return fmt.Errorf("insert reservation: %w", err)
	}
	r.ID, err = res.LastInsertId()
	return err
}

// ReleaseUpload drops a reservation.
func (db *DB) ReleaseUpload(ctx context.Context, id int64) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM upload_reservations WHERE id = ?`, id); err != nil {
			return fmt.Errorf("release reservation: %w", err)
		}
		return nil
	})
}

// RenewUploads moves the expiry of node's reservations.
func (db *DB) RenewUploads(ctx context.Context, node string, expiresAt time.Time) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE upload_reservations SET expires_at = ? WHERE node = ?`, ms(expiresAt), node)
		if err != nil {
			return fmt.Errorf("renew reservations: %w", err)
		}
		return nil
	})
}
