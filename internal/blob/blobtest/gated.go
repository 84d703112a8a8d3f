package blobtest

import (
	"context"
	"strings"
	"sync"

	"sluice/internal/blob"
)

// Gated wraps a blob store for tests that need an import held mid-file,
// whatever the machine's speed: a blob whose key starts with the prefix
// reads only its first free bytes until Release; other blobs, and blobs no
// longer than free, read straight through.
type Gated struct {
	blob.Store
	prefix string
	free   int64
	once   sync.Once
	gate   chan struct{}
}

// NewGated gates the blobs of st under prefix ("" for every blob).
func NewGated(st blob.Store, prefix string, free int64) *Gated {
	return &Gated{Store: st, prefix: prefix, free: free, gate: make(chan struct{})}
}

// Release lets every held read through. Tests also call it before their
// pipeline closes, so that a held read never keeps a worker from stopping.
func (g *Gated) Release() { g.once.Do(func() { close(g.gate) }) }

func (g *Gated) Open(ctx context.Context, key string) (blob.Reader, error) {
	r, err := g.Store.Open(ctx, key)
	if err != nil || !strings.HasPrefix(key, g.prefix) || r.Size() <= g.free {
		return r, err
	}
	return &gatedReader{Reader: r, g: g}, nil
}

type gatedReader struct {
	blob.Reader
	g   *Gated
	off int64
}

func (r *gatedReader) Read(p []byte) (int, error) {
	if room := r.g.free - r.off; room > 0 {
		p = p[:min(int64(len(p)), room)]
	} else {
		<-r.g.gate
	}
	n, err := r.Reader.Read(p)
	r.off += int64(n)
	return n, err
}

func (r *gatedReader) Seek(offset int64, whence int) (int64, error) {
	off, err := r.Reader.Seek(offset, whence)
	if err == nil {
		r.off = off
	}
	return off, err
}

func (r *gatedReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.g.free {
		<-r.g.gate
	}
	return r.Reader.ReadAt(p, off)
}
