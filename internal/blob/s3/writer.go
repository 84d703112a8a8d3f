package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/minio/minio-go/v7"

	"sluice/internal/blob"
)

// Create starts a blob; nothing exists under key until Commit.
func (s *Store) Create(ctx context.Context, key string) (blob.Writer, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, err
	}
	// An empty SpillDir is os.TempDir(), as os.CreateTemp reads it.
	return &writer{s: s, ctx: ctx, name: name, spill: spill{dir: s.o.SpillDir, limit: s.o.MaxSpill}}, nil
}

// writer streams a blob as parts of PartSize bytes. Under mu: [0, next) is
// the stream: parts handed to up (count n, so [0, n×PartSize)) then buf.
// Bytes past next wait in spill.ahead until the stream reaches them; bytes
// rewritten below the parts' end wait in spill.over until Commit.
type writer struct {
	s     *Store
	ctx   context.Context
	name  string
	spill spill

	mu   sync.Mutex
	size int64 // the highest end written
	buf  []byte
	n    int    // parts handed to up
	up   *parts // nil until the first part is full
	err  error  // sticky: the first failure
	done bool
}

var errFinished = errors.New("blob already committed or aborted")

// WriteAt places p at off. Safe for concurrent use.
func (w *writer) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("write blob: negative offset %d", off)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case w.done:
		return 0, errFinished
	case w.err != nil:
		return 0, w.err
	case len(p) == 0:
		return 0, nil // as with a file: an empty write does not extend it
	}
	if err := w.place(p, off); err != nil {
		w.err = fmt.Errorf("write blob %s: %w", w.name, err)
		return 0, w.err
	}
	return len(p), nil
}

func (w *writer) partStart() int64 { return int64(w.n) * w.s.o.PartSize }

// next is the stream's end: the parts handed off, then buf.
func (w *writer) next() int64 { return w.partStart() + int64(len(w.buf)) }

func (w *writer) place(p []byte, off int64) error {
	w.size = max(w.size, off+int64(len(p)))
	if off < w.next() {
		k := min(int64(len(p)), w.next()-off)
		if err := w.rewrite(p[:k], off); err != nil {
			return err
		}
		p, off = p[k:], off+k
	}
	switch {
	case len(p) == 0:
		return nil
	case off > w.next():
		return w.spill.writeAt(p, off, false)
	}
	w.spill.ahead = w.spill.ahead.Cut(blob.Span{Start: off, End: off + int64(len(p))}) // superseded
	if err := w.stream(p); err != nil {
		return err
	}
	return w.pull(false)
}

// rewrite places bytes below next: into buf, or into spill.over when their
// part has been handed off already.
func (w *writer) rewrite(p []byte, off int64) error {
	ps := w.partStart()
	if end := off + int64(len(p)); end > ps {
		from := max(off, ps)
		copy(w.buf[from-ps:], p[from-off:])
		p = p[:from-off]
	}
	if len(p) == 0 {
		return nil
	}
	return w.spill.writeAt(p, off, true)
}

// stream appends p at next, handing off each part that fills.
func (w *writer) stream(p []byte) error {
	ps := int(w.s.o.PartSize)
	for len(p) > 0 {
		if w.buf == nil {
			w.buf = make([]byte, 0, ps)
		}
		k := copy(w.buf[len(w.buf):ps], p)
		w.buf, p = w.buf[:len(w.buf)+k], p[k:]
		if len(w.buf) == ps {
			if err := w.handOff(); err != nil {
				return err
			}
		}
	}
	return nil
}

// handOff sends buf as the next part, starting the multipart upload first.
func (w *writer) handOff() error {
	if w.n >= maxParts {
		return fmt.Errorf("more than %d parts of %d bytes", maxParts, w.s.o.PartSize)
	}
	if w.up == nil {
		up, err := startParts(w.ctx, w.s, w.name)
		if err != nil {
			return err
		}
		w.up = up
	}
	if err := w.up.send(w.n+1, w.buf); err != nil {
		return err
	}
	w.n++
	w.buf = w.up.buffer()
	return nil
}

// pull moves spilled bytes the stream has reached into it. With holes, it
// also streams zeros up to the next spilled span (a sparse file's holes).
func (w *writer) pull(holes bool) error {
	for len(w.spill.ahead) > 0 {
		s := w.spill.ahead[0]
		if s.Start > w.next() {
			if !holes {
				return nil
			}
			if err := w.zeros(s.Start - w.next()); err != nil {
				return err
			}
		}
		if err := w.pullSpan(s.End); err != nil {
			return err
		}
	}
	return nil
}

// pullSpan streams spilled bytes from next to end, a part at a time.
func (w *writer) pullSpan(end int64) error {
	ps := int(w.s.o.PartSize)
	for w.next() < end {
		if w.buf == nil {
			w.buf = make([]byte, 0, ps)
		}
		k := int(min(int64(ps-len(w.buf)), end-w.next()))
		chunk := w.buf[len(w.buf) : len(w.buf)+k]
		if err := w.spill.readAt(chunk, w.next()); err != nil {
			return err
		}
		w.spill.ahead = w.spill.ahead.Cut(blob.Span{Start: w.next(), End: w.next() + int64(k)})
		if err := w.stream(chunk); err != nil { // copies onto itself: same place
			return err
		}
	}
	return nil
}

func (w *writer) zeros(n int64) error {
	z := make([]byte, min(n, 1<<16))
	for n > 0 {
		k := min(n, int64(len(z)))
		if err := w.stream(z[:k]); err != nil {
			return err
		}
		n -= k
	}
	return nil
}

// Commit streams what is left and makes the object visible under its key.
func (w *writer) Commit() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return errFinished
	}
	w.done = true
	defer w.spill.close()
	if w.err == nil {
		w.err = w.complete()
	}
	if w.err != nil {
		w.abortLocked()
		return w.err
	}
	return nil
}

func (w *writer) complete() error {
	if err := w.pull(true); err != nil {
		return err
	}
	if err := w.zeros(w.size - w.next()); err != nil {
		return err
	}
	if w.up == nil {
		return w.putSmall()
	}
	if len(w.buf) > 0 {
		if err := w.up.send(w.n+1, w.buf); err != nil {
			return err
		}
		w.n++
	}
	up := w.up
	w.up = nil
	etag, err := up.finish()
	if err != nil {
		return err
	}
	if len(w.spill.over) > 0 {
		return w.applyRewrites(etag)
	}
	return nil
}

// putSmall stores a blob that never filled a part with one PUT.
func (w *writer) putSmall() error {
	_, err := w.s.core.Client.PutObject(w.ctx, w.s.o.Bucket, w.name, bytes.NewReader(w.buf), int64(len(w.buf)),
		minio.PutObjectOptions{DisableMultipart: true})
	if err != nil {
		return fmt.Errorf("put blob %s: %w", w.name, err)
	}
	return nil
}

// Abort discards the blob; after Commit it does nothing.
func (w *writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	w.done = true
	return errors.Join(w.abortLocked(), w.spill.close())
}

func (w *writer) abortLocked() error {
	w.buf = nil
	if w.up == nil {
		return nil
	}
	up := w.up
	w.up = nil
	return up.abort()
}
