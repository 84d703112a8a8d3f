package sftpd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"sluice/internal/blob"
	"sluice/internal/errs"
	"sluice/internal/store"
)

// upload is one file being written: an open SFTP handle. Bytes go to a new
// blob under a random key; only a normal close after a complete transfer
// commits it. pkg/sftp never calls Close concurrently with WriteAt.
type upload struct {
	h     *handlers
	t     target
	key   string
	bw    blob.Writer
	c     *coalescer
	limit int64

	mu       sync.Mutex
	hold     *hold // the account quota this upload holds, on every node's count
	reserved int64 // the highest end written (and admitted)
	failed   error // a refused write; the upload is discarded at close
	result   string
	cut      error // the connection dropped with the handle open
}

// startUpload opens a new upload under name (a top-level file name). The
// blob writer gets handleCtx, which lasts as long as the SFTP handle.
func (ss *session) startUpload(ctx, handleCtx context.Context, h *handlers, name string) (*upload, error) {
	t, err := classify(name)
	if err == nil {
		err = ss.admitName(ctx, t)
	}
	if err != nil {
		if errs.CodeOf(err) != errs.Internal || errors.As(err, new(*refusal)) {
			ss.srv.m.upload(resultRefused)
		}
		return nil, err
	}
	if !ss.addUpload(1) {
		ss.srv.m.upload(resultRefused)
		return nil, denied("at most %d files can be uploaded at once on one connection", maxOpenUploads)
	}
	u, err := ss.newUpload(handleCtx, h, t)
	if err != nil {
		ss.addUpload(-1)
		return nil, err
	}
	ss.log.Debug("upload started", slog.String("name", name), slog.String("blob", u.key))
	return u, nil
}

func (ss *session) newUpload(handleCtx context.Context, h *handlers, t target) (*upload, error) {
	key := blob.NewKey(ss.account)
	bw, err := ss.srv.blobs.Create(handleCtx, key)
	if err != nil {
		return nil, fmt.Errorf("start upload of %s: %w", t.name, err)
	}
	return &upload{
		h: h, t: t, key: key, bw: bw, limit: ss.srv.limit(t.kind), hold: ss.srv.newHold(ss.account, t),
		c: newCoalescer(bw, defaultFlushSize, defaultEarlyMax),
	}, nil
}

// admitName refuses at open what the commit would refuse anyway.
func (ss *session) admitName(ctx context.Context, t target) error {
	var used bool
	var err error
	if t.kind == store.KindManifest {
		used, err = ss.srv.st.ManifestNameUsed(ctx, ss.account, t.final)
		if used {
			return denied("manifest name %q was already used; every manifest name is used once, upload it under a new name", t.final)
		}
	} else {
		used, err = ss.srv.st.NameLocked(ctx, ss.account, t.final)
		if used {
			return denied("%q is in use by an import that has not ended; upload it again once that import ends", t.final)
		}
	}
	return err
}

func (s *Server) limit(k store.UploadKind) int64 {
	if k == store.KindManifest {
		return s.cfg.MaxManifestSize
	}
	return s.cfg.MaxDataFileSize
}

func tooLarge(name string, k store.UploadKind, limit int64) error {
	what := "data files"
	if k == store.KindManifest {
		what = "manifests"
	}
	return failure(fmt.Sprintf("%q is larger than the %s limit for %s", name, humanSize(limit), what))
}

// WriteAt checks the limits, then hands the bytes to the coalescer.
func (u *upload) WriteAt(p []byte, off int64) (n int, err error) {
	defer u.h.recoverTo("write", &err)
	if err := u.admit(off + int64(len(p))); err != nil {
		return 0, err
	}
	if n, err = u.c.WriteAt(p, off); err != nil {
		u.h.ss.log.Error("write upload", slog.String("name", u.t.name), slog.Any("err", err))
		return 0, u.fail(resultAborted, failure("the file could not be stored; please try again later"))
	}
	return n, nil
}

// admit counts bytes past the highest end so far against the file size
// limit and the account quota.
func (u *upload) admit(end int64) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.failed != nil || end <= u.reserved {
		return u.failed
	}
	if end > u.limit {
		return u.failLocked(resultTooLarge, tooLarge(u.t.name, u.t.kind, u.limit))
	}
	ss := u.h.ss
	inUse, err := u.hold.cover(end, u.limit)
	switch {
	case errs.Is(err, errs.TooLarge):
		return u.failLocked(resultTooLarge, failure(fmt.Sprintf(
			"%q does not fit in this account's quota of %s (%s in use by waiting files and other uploads)",
			u.t.name, humanSize(ss.srv.cfg.AccountQuota), humanSize(inUse))))
	case err != nil:
		ss.log.Error("reserve quota", slog.String("name", u.t.name), slog.Any("err", err))
		return u.failLocked(resultAborted, failure("the file could not be stored; please try again later"))
	}
	u.reserved = end
	return nil
}

func (u *upload) fail(result string, err error) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.failLocked(result, err)
}

func (u *upload) failLocked(result string, err error) error {
	if u.failed == nil {
		u.failed, u.result = err, result
	}
	return u.failed
}

// TransferError is pkg/sftp telling that the connection ended with this
// handle open: the Close that follows is not the client's.
func (u *upload) TransferError(err error) {
	u.mu.Lock()
	u.cut = err
	u.mu.Unlock()
}

// Close commits a complete upload, or discards it.
func (u *upload) Close() (err error) {
	defer u.h.finish("close upload", &err)
	defer u.h.ss.addUpload(-1)
	w, ferr := u.c.finish()
	u.mu.Lock()
	cut, failed, result := u.cut, u.failed, u.result
	u.mu.Unlock()
	switch {
	case cut != nil:
		u.discard(resultAborted, "connection dropped during upload")
		return nil // nobody is left to tell
	case failed != nil:
		u.discard(result, failed.Error())
		return failed
	case ferr != nil:
		u.h.ss.log.Error("finish upload", slog.String("name", u.t.name), slog.Any("err", ferr))
		u.discard(resultAborted, "write failed")
		return failure("the file could not be stored; please try again later")
	case !w.Complete:
		u.discard(resultAborted, "incomplete")
		return failure(fmt.Sprintf("%q arrived with gaps (not every byte was written); upload the whole file again", u.t.name))
	}
	return u.commit(w)
}

func (u *upload) discard(result, why string) {
	ss := u.h.ss
	if err := u.bw.Abort(); err != nil {
		ss.log.Error("discard upload", slog.String("blob", u.key), slog.Any("err", err))
	}
	u.hold.release()
	ss.srv.m.upload(result)
	ss.log.Info("upload discarded", slog.String("name", u.t.name), slog.String("why", why))
}

// commit makes the blob durable, then records it (or, for a temporary
// name, keeps it pending until renamed).
func (u *upload) commit(w written) error {
	ss := u.h.ss
	ctx, cancel := ss.srv.opCtx()
	defer cancel()
	start := time.Now()
	if err := u.bw.Commit(); err != nil {
		u.hold.release()
		ss.srv.m.upload(resultAborted)
		return fmt.Errorf("commit upload %s: %w", u.t.name, err)
	}
	sha, err := ss.blobSHA256(ctx, u.key, w.SHA256)
	ss.log.Debug("upload stored", slog.String("name", u.t.name), slog.Duration("took", time.Since(start)),
		slog.Bool("rehashed", w.SHA256 == ""))
	if err == nil && u.t.temp {
		ss.keepPending(&pendingFile{t: u.t, key: u.key, size: w.Size, sha: sha, at: ss.srv.cfg.Now(), hold: u.hold})
		return nil
	}
	if err == nil {
		err = ss.record(ctx, u.t, u.key, w.Size, sha)
	}
	u.hold.release()
	if err != nil {
		ss.srv.m.upload(resultOf(err))
		ss.deleteBlob(u.key)
	}
	return err
}

// blobSHA256 is the stream's hash, or the stored blob's when the stream
// went out of order beyond the coalescer's window.
func (ss *session) blobSHA256(ctx context.Context, key, streamed string) (string, error) {
	if streamed != "" {
		return streamed, nil
	}
	r, err := ss.srv.blobs.Open(ctx, key)
	if err != nil {
		return "", fmt.Errorf("hash upload: %w", err)
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", fmt.Errorf("hash upload: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// deleteBlob removes a blob that is no longer wanted. It runs on during
// shutdown, so that a closing server leaves no orphaned blobs.
func (ss *session) deleteBlob(key string) {
	ctx, cancel := ss.srv.cleanupCtx()
	defer cancel()
	if err := ss.srv.blobs.Delete(ctx, key); err != nil {
		ss.log.Error("delete blob", slog.String("blob", key), slog.Any("err", err))
	}
}
