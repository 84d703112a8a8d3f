package sftpd

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"slices"
	"sort"
	"sync"

	"sluice/internal/blob"
)

// SFTP clients send a file as many 32 KiB writes, several in flight at once,
// and pkg/sftp hands them to its workers, so they reach WriteAt slightly out
// of order. Writing each one with its own pwrite was the measured bottleneck;
// the coalescer puts the stream back in order in memory and writes it in
// large blocks, hashing each block as it is written.
const (
	defaultFlushSize = 1 << 20 // bytes per disk write
	defaultEarlyMax  = 2 << 20 // bytes held that arrived ahead of a gap
)

// coalescer is an io.WriterAt over dst that buffers in-order bytes.
//
// Under mu: [0, next) is every byte the stream has placed; buf holds
// [bufOff, next) not yet handed off; early holds chunks past next; spans are
// ranges written straight to dst. Besides buf there is at most one other
// buffer: spare (idle) or in flight (with the flusher goroutine, which
// hashes and writes it). Writers never wait for the disk unless both
// buffers are full: pkg/sftp answers writes in order, so one slow write
// would hold back every answer behind it and stall the client.
//
// Blocks leave in stream order, one at a time, so h sees the stream in
// order; h belongs to the flusher while a block is in flight, to mu's
// holder otherwise.
type coalescer struct {
	dst       io.WriterAt
	flushSize int
	earlyMax  int

	mu       sync.Mutex
	cond     *sync.Cond // signalled when the flusher is done with a block
	buf      []byte
	bufOff   int64
	spare    []byte
	inflight bool
	next     int64
	end      int64 // highest end offset written

	blocks chan *block   // to the flusher; at most one is out at a time
	done   chan struct{} // closed when the flusher has ended

	early      map[int64][]byte
	earlyBytes int
	free       [][]byte // spent early chunks, for reuse

	spans  blob.Spans // sorted, merged
	h      hash.Hash  // of every block written while hashOK
	hashOK bool       // the stream has been in order and in band so far
	err    error      // sticky: the first failed write to dst
}

type block struct {
	buf  []byte
	off  int64
	hash bool // the stream was in order up to here: feed h
}

// written is what a finished coalescer stored.
type written struct {
	Size     int64
	SHA256   string // hex; empty when the stream went out of band (hash the stored blob)
	Complete bool   // every byte of [0, Size) was written
}

func newCoalescer(dst io.WriterAt, flushSize, earlyMax int) *coalescer {
	c := &coalescer{
		dst: dst, flushSize: flushSize, earlyMax: earlyMax,
		early: map[int64][]byte{}, h: sha256.New(), hashOK: true,
		blocks: make(chan *block, 1), done: make(chan struct{}),
	}
	c.cond = sync.NewCond(&c.mu)
	go c.flusher() // ended by finish
	return c
}

// WriteAt places p at off. Safe for concurrent use.
func (c *coalescer) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	c.mu.Lock()
	if c.err == nil {
		c.end = max(c.end, off+int64(len(p)))
		c.place(p, off)
	}
	err := c.err
	c.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

func (c *coalescer) place(p []byte, off int64) {
	switch {
	case off == c.next:
		c.push(p, off)
		c.drain()
	case off > c.next:
		c.hold(p, off)
	default:
		c.rewrite(p, off)
	}
}

// push appends in-order bytes, handing off buffers as they fill. A wait
// for a buffer releases mu, so the stream may have moved when it returns.
func (c *coalescer) push(p []byte, off int64) {
	for len(p) > 0 && c.err == nil {
		if off != c.next {
			c.place(p, off) // a duplicate raced us; place what is left anew
			return
		}
		if c.buf == nil {
			c.buf = make([]byte, 0, c.flushSize)
		}
		if len(c.buf) == cap(c.buf) {
			c.handOff()
			continue
		}
		n := copy(c.buf[len(c.buf):cap(c.buf)], p)
		c.buf = c.buf[:len(c.buf)+n]
		p, off, c.next = p[n:], off+int64(n), c.next+int64(n)
	}
}

// drain moves on past early chunks and out-of-band spans the stream reached.
func (c *coalescer) drain() {
	for c.err == nil {
		if chunk, ok := c.early[c.next]; ok {
			delete(c.early, c.next)
			c.earlyBytes -= len(chunk)
			c.push(chunk, c.next)
			c.free = append(c.free, chunk[:0])
			continue
		}
		i, ok := c.spanAt(c.next)
		if !ok {
			return
		}
		if len(c.buf) > 0 {
			c.handOff()
			continue
		}
		// The stream runs into bytes already on disk that it never saw.
		c.hashOK = false
		c.next = c.spans[i].End
		c.bufOff = c.next
	}
}

// hold keeps a chunk that arrived ahead of a gap, or writes it out of band
// when too much is held already.
func (c *coalescer) hold(p []byte, off int64) {
	if old, ok := c.early[off]; ok {
		delete(c.early, off)
		c.earlyBytes -= len(old)
	}
	if c.earlyBytes+len(p) > c.earlyMax {
		c.direct(p, off)
		return
	}
	cp := c.chunk(len(p))
	copy(cp, p)
	c.early[off] = cp
	c.earlyBytes += len(p)
}

func (c *coalescer) chunk(n int) []byte {
	for i := len(c.free) - 1; i >= 0; i-- {
		if cap(c.free[i]) >= n {
			b := c.free[i][:n]
			c.free = slices.Delete(c.free, i, i+1)
			return b
		}
	}
	return make([]byte, n)
}

// rewrite handles bytes overlapping what the stream already placed: a
// client writing a region twice. Rare, so it is correct rather than fast.
func (c *coalescer) rewrite(p []byte, off int64) {
	c.hashOK = false
	c.settle()
	if c.err != nil {
		return
	}
	n := min(int64(len(p)), c.next-off)
	c.direct(p[:n], off)
	if int(n) < len(p) {
		c.place(p[n:], off+n)
	}
}

// direct writes p to dst now, outside the stream.
func (c *coalescer) direct(p []byte, off int64) {
	c.hashOK = false
	if _, err := c.dst.WriteAt(p, off); err != nil {
		c.fail(err)
		return
	}
	c.spans = c.spans.Add(blob.Span{Start: off, End: off + int64(len(p))})
}

// handOff gives buf to the flusher and starts an empty buf. It waits while
// the other buffer is in flight.
func (c *coalescer) handOff() {
	for len(c.buf) > 0 && c.err == nil {
		if c.inflight {
			c.cond.Wait()
			continue
		}
		if c.spare == nil {
			c.spare = make([]byte, 0, c.flushSize)
		}
		c.inflight = true
		c.blocks <- &block{buf: c.buf, off: c.bufOff, hash: c.hashOK} // never blocks: nothing else is out
		c.buf, c.spare = c.spare, nil
	}
	if len(c.buf) == 0 {
		c.bufOff = c.next
	}
}

// flusher hashes and writes blocks outside the lock, giving each buffer back.
func (c *coalescer) flusher() {
	defer close(c.done)
	for b := range c.blocks {
		if b.hash {
			c.h.Write(b.buf)
		}
		_, err := c.dst.WriteAt(b.buf, b.off)
		c.mu.Lock()
		if err != nil {
			c.fail(err)
		}
		c.spare, c.inflight = b.buf[:0], false
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

func (c *coalescer) writeLocked(b *block) {
	if b.hash {
		c.h.Write(b.buf)
	}
	if _, err := c.dst.WriteAt(b.buf, b.off); err != nil {
		c.fail(err)
	}
}

func (c *coalescer) fail(err error) {
	if c.err == nil {
		c.err = fmt.Errorf("write upload: %w", err)
	}
}

// settle puts everything before next on dst and empties buf.
func (c *coalescer) settle() {
	for c.inflight {
		c.cond.Wait()
	}
	if len(c.buf) > 0 {
		c.writeLocked(&block{buf: c.buf, off: c.bufOff, hash: c.hashOK})
		c.buf = c.buf[:0]
	}
	c.bufOff = c.next
}

// finish writes out everything held, stops the flusher and reports what was
// stored. Call it once, after the last WriteAt has returned.
func (c *coalescer) finish() (written, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.settle()
	close(c.blocks)
	<-c.done
	offs := make([]int64, 0, len(c.early))
	for off := range c.early {
		offs = append(offs, off)
	}
	slices.Sort(offs)
	for _, off := range offs {
		c.direct(c.early[off], off)
	}
	c.early, c.free, c.buf, c.spare = nil, nil, nil, nil
	if c.err != nil {
		return written{}, c.err
	}
	w := written{Size: c.end, Complete: c.covered() >= c.end}
	if c.hashOK && len(c.spans) == 0 && c.next == c.end {
		w.SHA256 = hex.EncodeToString(c.h.Sum(nil))
	}
	return w, nil
}

// covered is how far from 0 the stream and the spans reach without a gap.
func (c *coalescer) covered() int64 {
	pos := c.next
	for _, s := range c.spans {
		if s.Start > pos {
			break
		}
		pos = max(pos, s.End)
	}
	return pos
}

// spanAt finds the span holding offset x.
func (c *coalescer) spanAt(x int64) (int, bool) {
	i := sort.Search(len(c.spans), func(i int) bool { return c.spans[i].End > x })
	if i < len(c.spans) && c.spans[i].Start <= x {
		return i, true
	}
	return 0, false
}
