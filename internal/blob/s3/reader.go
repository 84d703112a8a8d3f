package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/minio/minio-go/v7"
)

// readBlock is how much a ReadAt fetches at once: SFTP clients read a file
// as many 32 KiB ReadAts, each of which would otherwise be one request.
const readBlock = 1 << 20

// reader reads one version of an object (pinned by its ETag). Read and Seek
// share one streaming GET that a Seek moves; ReadAt fetches aligned blocks
// and keeps the last one, independently of Read.
type reader struct {
	s    *Store
	ctx  context.Context
	name string
	etag string
	size int64

	pos     int64         // Read/Seek position
	body    io.ReadCloser // streaming GET positioned at bodyPos
	bodyPos int64

	mu       sync.Mutex // ReadAt's block
	block    []byte
	blockOff int64
}

func (r *reader) Size() int64 { return r.size }

// get opens a GET of [start, end] (inclusive) of the pinned version.
func (r *reader) get(start, end int64) (io.ReadCloser, error) {
	var o minio.GetObjectOptions
	if err := o.SetMatchETag(r.etag); err != nil {
		return nil, err
	}
	if err := o.SetRange(start, end); err != nil {
		return nil, err
	}
	body, _, _, err := r.s.core.GetObject(r.ctx, r.s.o.Bucket, r.name, o)
	if err != nil {
		return nil, fmt.Errorf("read blob %s at %d: %w", r.name, start, err)
	}
	return body, nil
}

func (r *reader) Read(p []byte) (int, error) {
	if r.pos >= r.size {
		return 0, io.EOF
	}
	if r.body == nil || r.bodyPos != r.pos {
		if err := r.reopen(); err != nil {
			return 0, err
		}
	}
	n, err := r.body.Read(p)
	r.pos += int64(n)
	r.bodyPos += int64(n)
	if errors.Is(err, io.EOF) {
		err = nil
		if r.pos < r.size {
			err = fmt.Errorf("read blob %s: %w", r.name, io.ErrUnexpectedEOF)
		}
	}
	return n, err
}

func (r *reader) reopen() error {
	r.closeBody()
	body, err := r.get(r.pos, r.size-1)
	if err != nil {
		return err
	}
	r.body, r.bodyPos = body, r.pos
	return nil
}

func (r *reader) closeBody() {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
}

// Seek moves the Read position; the next Read opens a stream there.
func (r *reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.pos
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, fmt.Errorf("seek blob: bad whence %d", whence)
	}
	if offset < 0 {
		return 0, fmt.Errorf("seek blob: negative position %d", offset)
	}
	r.pos = offset
	return offset, nil
}

// ReadAt reads len(p) bytes at off, through the block cache.
func (r *reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("read blob: negative offset %d", off)
	}
	n := 0
	for n < len(p) && off+int64(n) < r.size {
		m, err := r.readBlockAt(p[n:], off+int64(n))
		n += m
		if err != nil {
			return n, err
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// readBlockAt copies from the block holding off, fetching it if needed.
func (r *reader) readBlockAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := off - off%readBlock
	if r.block == nil || r.blockOff != start {
		if err := r.fetch(start); err != nil {
			return 0, err
		}
	}
	return copy(p, r.block[off-start:]), nil
}

func (r *reader) fetch(start int64) error {
	end := min(start+readBlock, r.size)
	body, err := r.get(start, end-1)
	if err != nil {
		return err
	}
	defer body.Close()
	if cap(r.block) < readBlock {
		r.block = make([]byte, readBlock)
	}
	r.block = r.block[:end-start]
	if _, err := io.ReadFull(body, r.block); err != nil {
		r.block = nil
		return fmt.Errorf("read blob %s at %d: %w", r.name, start, err)
	}
	r.blockOff = start
	return nil
}

func (r *reader) Close() error {
	r.closeBody()
	r.mu.Lock()
	r.block = nil
	r.mu.Unlock()
	return nil
}
