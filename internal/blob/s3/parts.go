package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
)

// abortTimeout bounds the request that aborts a multipart upload; it runs
// even when the writer's context has ended (a dropped connection).
const abortTimeout = time.Minute

// parts sends the parts of one multipart upload from a goroutine it owns,
// one at a time, so that the writer fills the next part meanwhile. finish
// and abort end the goroutine and wait for it.
type parts struct {
	s      *Store
	ctx    context.Context
	cancel context.CancelFunc // ends a part being sent, on abort
	name   string
	id     string

	jobs chan part
	free chan []byte // a sent part's buffer, back for reuse
	done chan struct{}

	mu   sync.Mutex
	sent []minio.CompletePart
	err  error
}

type part struct {
	n    int
	data []byte
}

// startParts begins a multipart upload of name. Nothing is visible under
// name until complete.
func startParts(ctx context.Context, s *Store, name string) (*parts, error) {
	id, err := s.core.NewMultipartUpload(ctx, s.o.Bucket, name, minio.PutObjectOptions{})
	if err != nil {
		return nil, fmt.Errorf("start multipart upload of %s: %w", name, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	p := &parts{
		s: s, ctx: ctx, cancel: cancel, name: name, id: id,
		jobs: make(chan part), free: make(chan []byte, 1), done: make(chan struct{}),
	}
	go p.run() // ended by finish or abort
	return p, nil
}

func (p *parts) run() {
	defer close(p.done)
	for j := range p.jobs {
		if p.failed() == nil {
			p.put(j)
		}
		select {
		case p.free <- j.data[:0]:
		default:
		}
	}
}

func (p *parts) put(j part) {
	info, err := p.s.core.PutObjectPart(p.ctx, p.s.o.Bucket, p.name, p.id, j.n,
		bytes.NewReader(j.data), int64(len(j.data)), minio.PutObjectPartOptions{})
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.err = errors.Join(p.err, fmt.Errorf("upload part %d of %s: %w", j.n, p.name, err))
		return
	}
	p.sent = append(p.sent, minio.CompletePart{PartNumber: j.n, ETag: info.ETag})
}

func (p *parts) failed() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// send hands part n over; it waits while the previous part is being sent.
func (p *parts) send(n int, data []byte) error {
	if err := p.failed(); err != nil {
		return err
	}
	p.jobs <- part{n: n, data: data}
	return nil
}

// buffer returns a spent part buffer, or nil.
func (p *parts) buffer() []byte {
	select {
	case b := <-p.free:
		return b
	default:
		return nil
	}
}

// finish waits for every part and completes the upload: the object becomes
// visible under its name. It returns the new object's ETag.
func (p *parts) finish() (string, error) {
	close(p.jobs)
	<-p.done
	if err := p.failed(); err != nil {
		p.cancel()
		p.abortUpload()
		return "", err
	}
	slices.SortFunc(p.sent, func(a, b minio.CompletePart) int { return a.PartNumber - b.PartNumber })
	info, err := p.s.core.CompleteMultipartUpload(p.ctx, p.s.o.Bucket, p.name, p.id, p.sent, minio.PutObjectOptions{})
	p.cancel()
	if err != nil {
		p.abortUpload()
		return "", fmt.Errorf("complete multipart upload of %s: %w", p.name, err)
	}
	return info.ETag, nil
}

// abort stops sending and discards the parts sent.
func (p *parts) abort() error {
	p.cancel()
	close(p.jobs)
	<-p.done
	return p.abortUpload()
}

func (p *parts) abortUpload() error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(p.ctx), abortTimeout)
	defer cancel()
	if err := p.s.core.AbortMultipartUpload(ctx, p.s.o.Bucket, p.name, p.id); err != nil && !notFound(err) {
		return fmt.Errorf("abort multipart upload of %s: %w", p.name, err)
	}
	return nil
}
