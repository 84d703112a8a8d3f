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

// usage serialises each account's commits on this node, so that the
// commit-time quota check and the insert see each other. Across nodes the
// quota rests on the store's reservations (quota.go).
type usage struct {
	mu      sync.Mutex
	commits map[string]*sync.Mutex
}

func newUsage() *usage {
	return &usage{commits: map[string]*sync.Mutex{}}
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
