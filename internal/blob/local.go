package blob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"sluice/internal/errs"
)

// Local keeps blobs as files under a root folder; writes go to a temporary
// file in the same file system and are renamed into place on Commit.
type Local struct {
	root *os.Root
	dir  string
}

const tmpDir = ".tmp"

// NewLocal opens (creating if needed) a local blob store at dir.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(filepath.Join(dir, tmpDir), 0o700); err != nil {
		return nil, fmt.Errorf("create blob folder: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open blob folder: %w", err)
	}
	return &Local{root: root, dir: dir}, nil
}

// Close releases the root folder.
func (l *Local) Close() error { return l.root.Close() }

// CheckKey refuses keys that are empty, not a clean relative slash path, or
// in the temporary area. Every Store applies it.
func CheckKey(key string) error {
	if key == "" || strings.HasPrefix(key, tmpDir) || !fs.ValidPath(key) {
		return fmt.Errorf("invalid blob key %q", key)
	}
	return nil
}

// Create starts a blob in a temporary file.
func (l *Local) Create(_ context.Context, key string) (Writer, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	var rnd [12]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(tmpDir, hex.EncodeToString(rnd[:]))
	f, err := l.root.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create blob: %w", err)
	}
	return &localWriter{l: l, f: f, tmp: tmp, key: key}, nil
}

type localWriter struct {
	l       *Local
	f       *os.File
	tmp     string
	key     string
	done    bool
	pending atomic.Int64 // bytes written since writeback was last started
}

// writebackEvery is how much is written between early writeback requests.
const writebackEvery = 8 << 20

func (w *localWriter) WriteAt(p []byte, off int64) (int, error) {
	n, err := w.f.WriteAt(p, off)
	if w.pending.Add(int64(n)) >= writebackEvery {
		w.pending.Store(0)
		startWriteback(w.f)
	}
	return n, err
}

func (w *localWriter) Commit() error {
	if w.done {
		return errors.New("blob already committed or aborted")
	}
	w.done = true
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		w.l.root.Remove(w.tmp)
		return fmt.Errorf("sync blob: %w", err)
	}
	if err := w.f.Close(); err != nil {
		w.l.root.Remove(w.tmp)
		return fmt.Errorf("close blob: %w", err)
	}
	if dir := filepath.Dir(w.key); dir != "." {
		if err := w.l.root.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create blob folder: %w", err)
		}
	}
	if err := w.l.root.Rename(w.tmp, w.key); err != nil {
		w.l.root.Remove(w.tmp)
		return fmt.Errorf("commit blob: %w", err)
	}
	return nil
}

func (w *localWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	if err := w.l.root.Remove(w.tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("discard blob: %w", err)
	}
	return nil
}

// Open reads a committed blob.
func (l *Local) Open(_ context.Context, key string) (Reader, error) {
	if err := CheckKey(key); err != nil {
		return nil, err
	}
	f, err := l.root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errs.E(errs.NotFound, "no blob %s", key)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat blob: %w", err)
	}
	return &localReader{File: f, size: st.Size()}, nil
}

type localReader struct {
	*os.File
	size int64
}

func (r *localReader) Size() int64 { return r.size }

// Delete removes a blob.
func (l *Local) Delete(_ context.Context, key string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	if err := l.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete blob: %w", err)
	}
	return nil
}

// NewKey returns a fresh blob key under an account's prefix.
func NewKey(accountID string) string {
	var rnd [16]byte
	rand.Read(rnd[:])
	return accountID + "/" + hex.EncodeToString(rnd[:])
}
