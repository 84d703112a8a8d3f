package pipeline_test

import (
	"context"
	"strings"

	"sluice/internal/blob"
)

// gatedBlobs reads the blobs of one account only up to their first limit
// bytes until release: an import of that account then stays processing,
// mid-file, for as long as a test needs, whatever the machine's speed.
type gatedBlobs struct {
	blob.Store
	prefix string
	limit  int64
	open   chan struct{}
}

func newGate(st blob.Store, account string, limit int64) *gatedBlobs {
	return &gatedBlobs{Store: st, prefix: account + "/", limit: limit, open: make(chan struct{})}
}

// release lets every reader through; a test defers it too, so that a
// failing test never leaves a worker held when its pipeline closes.
func (g *gatedBlobs) release() {
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

func (g *gatedBlobs) Open(ctx context.Context, key string) (blob.Reader, error) {
	r, err := g.Store.Open(ctx, key)
	if err != nil || !strings.HasPrefix(key, g.prefix) || r.Size() <= g.limit {
		return r, err
	}
	return &gatedReader{Reader: r, g: g}, nil
}

type gatedReader struct {
	blob.Reader
	g   *gatedBlobs
	off int64
}

func (r *gatedReader) Read(p []byte) (int, error) {
	if room := r.g.limit - r.off; room > 0 {
		p = p[:min(int64(len(p)), room)]
	} else {
		<-r.g.open
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
	if off+int64(len(p)) > r.g.limit {
		<-r.g.open
	}
	return r.Reader.ReadAt(p, off)
}
