package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"time"

	"sluice/internal/errs"
)

// NewNodeID names a process in the store (import leases, quota
// reservations): the host name plus a random part, unique per process.
func NewNodeID() string {
	host, _ := os.Hostname()
	var b [4]byte
	rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}

// Nodes is what several sluice nodes share besides the job queue: one SSH
// host identity, one login ban list, and the bytes of uploads in flight on
// every node, so that quotas hold across nodes.
type Nodes interface {
	HostKeys
	Bans
	Reservations
}

// HostKeys keeps the SFTP server's host keys, so that every node presents
// the same host identity.
type HostKeys interface {
	// HostKey returns the private key stored under name (OpenSSH PEM). When
	// there is none it calls create and stores its result, in the same
	// transaction: of nodes starting at once, all get the first one stored.
	HostKey(ctx context.Context, name string, create func() ([]byte, error)) ([]byte, error)
}

// BanRule bans an address after Threshold failed logins within Window, for
// Duration.
type BanRule struct {
	Threshold int
	Window    time.Duration
	Duration  time.Duration
}

// Bans is the login ban list of every node.
type Bans interface {
	// LoginFailed records a failed login from ip at now and applies rule. It
	// returns when ip's ban ends (the zero time when it is not banned).
	LoginFailed(ctx context.Context, ip string, now time.Time, rule BanRule) (time.Time, error)
	// BannedUntil returns when ip's ban ends (the zero time when there is
	// none; it may lie in the past).
	BannedUntil(ctx context.Context, ip string) (time.Time, error)
}

// UploadReservation holds quota for an upload in progress (or a temporary
// upload waiting for its rename) on some node.
type UploadReservation struct {
	ID        int64 // 0: a new reservation
	AccountID string
	Name      string     // the final name: a stored data file of that name is what it would replace
	Kind      UploadKind // of the final name
	Bytes     int64
	Node      string    // the node holding it, which renews it
	ExpiresAt time.Time // forgotten after this unless renewed (the node died)
}

// FitQuota is ReserveUpload's rule, the same on every store: want bytes fit
// beside others within quota (0: no quota). inUse is others+want when they
// fit; when not, others, with errs.TooLarge.
func FitQuota(others, want, quota int64) (inUse int64, err error) {
	if quota > 0 && others+want > quota {
		return others, errs.E(errs.TooLarge, "upload does not fit in the quota of %d bytes (%d in use)", quota, others)
	}
	return others + want, nil
}

// Reservations count every node's uploads in flight against account quotas.
type Reservations interface {
	// ReserveUpload sets r (creating it when r.ID is 0) if the account's
	// stored and locked uploads (less the stored data file r would replace)
	// plus every unexpired reservation, r's new size included, stay within
	// quota (0: no quota). It returns r with its ID and the bytes then in
	// use. When r does not fit, the error is errs.TooLarge, r is left as it
	// was, and inUse counts everything but r.
	ReserveUpload(ctx context.Context, r UploadReservation, quota int64, now time.Time) (res UploadReservation, inUse int64, err error)
	// ReleaseUpload drops a reservation; a missing one is not an error.
	ReleaseUpload(ctx context.Context, id int64) error
	// RenewUploads moves the expiry of every reservation node holds.
	RenewUploads(ctx context.Context, node string, expiresAt time.Time) error
}
