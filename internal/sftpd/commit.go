package sftpd

import (
	"context"
	"log/slog"
	"sync"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// record stores a committed blob as the upload t.final and announces it.
// Commits of one account are serialised so the quota check and the insert
// see each other.
func (ss *session) record(ctx context.Context, t target, key string, size int64, sha string) error {
	mu := ss.srv.usage.commitLock(ss.account)
	mu.Lock()
	rec, replaced, err := ss.recordLocked(ctx, t, key, size, sha)
	mu.Unlock()
	if err != nil {
		return err
	}
	if replaced != "" {
		ss.deleteBlob(replaced)
	}
	ss.srv.m.upload(resultCompleted)
	ss.srv.m.bytes.Add(float64(size))
	ss.log.Info("upload completed", slog.String("name", rec.Name), slog.Int64("upload", rec.ID),
		slog.Int64("size", size), slog.String("sha256", sha))
	if ss.srv.sub != nil {
		ss.srv.sub.UploadCompleted(ctx, rec)
	}
	return nil
}

func (ss *session) recordLocked(ctx context.Context, t target, key string, size int64, sha string) (store.Upload, string, error) {
	if q := ss.srv.cfg.AccountQuota; q > 0 {
		used, err := ss.storedBytes(ctx, t)
		if err != nil {
			return store.Upload{}, "", err
		}
		if used+size > q {
			return store.Upload{}, "", errs.E(errs.TooLarge, "%q does not fit in this account's quota of %s (%s in use by waiting files)",
				t.final, humanSize(q), humanSize(used))
		}
	}
	return ss.srv.st.RecordUpload(ctx, store.Upload{
		AccountID: ss.account, Name: t.final, Kind: t.kind, Size: size,
		SHA256: sha, BlobKey: key, CreatedAt: ss.srv.cfg.Now(),
	})
}

// resultOf is the metrics result of a failed commit.
func resultOf(err error) string {
	switch {
	case errs.Is(err, errs.Conflict):
		return resultRefused
	case errs.Is(err, errs.TooLarge):
		return resultTooLarge
	}
	return resultAborted
}

// storedBytes sums the account's visible uploads, less the stored data
// file that uploading t would replace: what counts against the quota.
func (ss *session) storedBytes(ctx context.Context, t target) (int64, error) {
	if ss.srv.cfg.AccountQuota <= 0 {
		return 0, nil
	}
	ups, err := ss.srv.st.VisibleUploads(ctx, ss.account)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, u := range ups {
		replaced := t.kind == store.KindData && u.Kind == store.KindData && u.Name == t.final && u.State == store.UploadStored
		if !replaced {
			n += u.Size
		}
	}
	return n, nil
}

// usage counts each account's bytes in flight (open uploads and pending
// temporary files) for the quota, and serialises its commits. It is per
// process: with several nodes, the commit-time check still holds the quota
// for stored files, the in-flight part is per node.
type usage struct {
	mu       sync.Mutex
	inflight map[string]int64
	commits  map[string]*sync.Mutex
}

func newUsage() *usage {
	return &usage{inflight: map[string]int64{}, commits: map[string]*sync.Mutex{}}
}

// reserve counts n more bytes for account if base (stored bytes) plus all
// in flight stays within quota (0: no quota). It returns the bytes in use.
func (u *usage) reserve(account string, n, base, quota int64) (int64, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	inUse := base + u.inflight[account]
	if quota > 0 && inUse+n > quota {
		return inUse, false
	}
	u.inflight[account] += n
	return inUse + n, true
}

func (u *usage) release(account string, n int64) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.inflight[account] -= n; u.inflight[account] <= 0 {
		delete(u.inflight, account)
	}
}

func (u *usage) commitLock(account string) *sync.Mutex {
	u.mu.Lock()
	defer u.mu.Unlock()
	mu := u.commits[account]
	if mu == nil {
		mu = &sync.Mutex{}
		u.commits[account] = mu
	}
	return mu
}
