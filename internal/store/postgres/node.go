package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"sluice/internal/store"
)

// lockKey takes a transaction-scoped advisory lock on a name in a space
// ("hostkey", "ban", "quota"), serializing those transactions across nodes.
func lockKey(ctx context.Context, tx *sql.Tx, space, name string) error {
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))`, space, name)
	if err != nil {
		return fmt.Errorf("lock %s %s: %w", space, name, err)
	}
	return nil
}

// HostKey returns the stored host key, storing create's when there is none;
// see store.HostKeys. Nodes starting at once wait on the name's lock, and
// all but the first find its key.
func (db *DB) HostKey(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error) {
	var pem []byte
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := lockKey(ctx, tx, "hostkey", name); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT pem FROM host_keys WHERE name = $1`, name).Scan(&pem)
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if pem, err = create(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO host_keys (name, pem, created_at) VALUES ($1, $2, $3)`, name, pem, ms(db.now()))
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
		if err := lockKey(ctx, tx, "ban", ip); err != nil {
			return err
		}
		if err := pruneLogins(ctx, tx, ip, now, rule.Window); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (ip, at) VALUES ($1, $2)`, ip, ms(now)); err != nil {
			return fmt.Errorf("record login failure: %w", err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE ip = $1`, ip).Scan(&n); err != nil {
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

// pruneLogins forgets old failures and ended bans: the address's own, and
// a few hundred others', so the tables stay small without a sweeper.
func pruneLogins(ctx context.Context, tx *sql.Tx, ip string, now time.Time, window time.Duration) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE ip = $1 AND at <= $2`, ip, ms(now.Add(-window))); err != nil {
		return fmt.Errorf("forget old login failures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE ctid IN (
		SELECT ctid FROM login_failures WHERE at <= $1 LIMIT 500)`, ms(now.Add(-window))); err != nil {
		return fmt.Errorf("forget old login failures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_bans WHERE until <= $1`, ms(now)); err != nil {
		return fmt.Errorf("forget ended bans: %w", err)
	}
	return nil
}

func banLogin(ctx context.Context, tx *sql.Tx, ip string, until time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_bans (ip, until) VALUES ($1, $2)
		ON CONFLICT (ip) DO UPDATE SET until = excluded.until`, ip, ms(until)); err != nil {
		return fmt.Errorf("ban address: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE ip = $1`, ip); err != nil {
		return fmt.Errorf("reset login failures: %w", err)
	}
	return nil
}

// BannedUntil returns when ip's ban ends; see store.Bans.
func (db *DB) BannedUntil(ctx context.Context, ip string) (time.Time, error) {
	var until int64
	err := db.db.QueryRowContext(ctx, `SELECT until FROM login_bans WHERE ip = $1`, ip).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("read ban: %w", err)
	}
	return fromMS(until), nil
}

// ReserveUpload holds quota for an upload in flight; see store.Reservations.
// The account's quota lock serializes reservations of one account across
// nodes, so two cannot both take its last bytes.
func (db *DB) ReserveUpload(ctx context.Context, r store.UploadReservation, quota int64, now time.Time) (store.UploadReservation, int64, error) {
	var inUse int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := lockKey(ctx, tx, "quota", r.AccountID); err != nil {
			return err
		}
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
	if _, err := tx.ExecContext(ctx, `DELETE FROM upload_reservations WHERE account_id = $1 AND expires_at <= $2`,
		r.AccountID, ms(now)); err != nil {
		return 0, fmt.Errorf("forget expired reservations: %w", err)
	}
	var stored, held int64
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(size), 0) FROM uploads
		WHERE account_id = $1 AND state IN ('stored', 'locked')
		AND NOT ($2 = 'data' AND kind = 'data' AND state = 'stored' AND name = $3)`, r.AccountID, string(r.Kind), r.Name).Scan(&stored)
	if err != nil {
		return 0, fmt.Errorf("sum stored uploads: %w", err)
	}
	err = tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(bytes), 0) FROM upload_reservations
		WHERE account_id = $1 AND id <> $2`, r.AccountID, r.ID).Scan(&held)
	if err != nil {
		return 0, fmt.Errorf("sum reservations: %w", err)
	}
	return stored + held, nil
}

func saveReservation(ctx context.Context, tx *sql.Tx, r *store.UploadReservation) error {
	if r.ID != 0 {
		res, err := tx.ExecContext(ctx, `UPDATE upload_reservations SET bytes = $1, expires_at = $2 WHERE id = $3`,
			r.Bytes, ms(r.ExpiresAt), r.ID)
		if err != nil {
			return fmt.Errorf("grow reservation: %w", err)
		}
		if affected(res) > 0 {
			return nil
		}
		// It expired (its node missed renewals): take a new one.
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO upload_reservations (account_id, name, kind, bytes, node, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, r.AccountID, r.Name, string(r.Kind), r.Bytes, r.Node, ms(r.ExpiresAt)).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("insert reservation: %w", err)
	}
	return nil
}

// ReleaseUpload drops a reservation.
func (db *DB) ReleaseUpload(ctx context.Context, id int64) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM upload_reservations WHERE id = $1`, id); err != nil {
		return fmt.Errorf("release reservation: %w", err)
	}
	return nil
}

// RenewUploads moves the expiry of node's reservations.
func (db *DB) RenewUploads(ctx context.Context, node string, expiresAt time.Time) error {
	if _, err := db.db.ExecContext(ctx, `UPDATE upload_reservations SET expires_at = $1 WHERE node = $2`, ms(expiresAt), node); err != nil {
		return fmt.Errorf("renew reservations: %w", err)
	}
	return nil
}
