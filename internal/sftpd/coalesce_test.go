package sftpd

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
)

// memFile is an in-memory io.WriterAt that counts its writes.
type memFile struct {
	mu     sync.Mutex
	data   []byte
	writes int
	failAt int // fail the nth write (1-based); 0: never
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.writes++
	if m.writes == m.failAt {
		return 0, errors.New("disk full")
	}
	if end := int(off) + len(p); end > len(m.data) {
		m.data = append(m.data, make([]byte, end-len(m.data))...)
	}
	copy(m.data[off:], p)
	return len(p), nil
}

type chunkAt struct {
	off  int64
	data []byte
}

func chunks(data []byte, size int) []chunkAt {
	var out []chunkAt
	for off := 0; off < len(data); off += size {
		out = append(out, chunkAt{int64(off), data[off:min(off+size, len(data))]})
	}
	return out
}

// shuffleNear swaps each chunk with one at most dist places later, like
// pkg/sftp's workers racing.
func shuffleNear(cs []chunkAt, dist int, r *rand.Rand) {
	for i := range cs {
		j := min(len(cs)-1, i+r.IntN(dist+1))
		cs[i], cs[j] = cs[j], cs[i]
	}
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestCoalescerOrders(t *testing.T) {
	data := randomBytes(3<<20+12345, 1)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	tests := []struct {
		name       string
		order      func([]chunkAt, *rand.Rand)
		earlyMax   int
		wantHashed bool // the hash came from the stream, not a read-back
		maxWrites  int  // 0: do not check
	}{
		{"in order", func([]chunkAt, *rand.Rand) {}, defaultEarlyMax, true, 8},
		{"near shuffle", func(c []chunkAt, r *rand.Rand) { shuffleNear(c, 8, r) }, defaultEarlyMax, true, 8},
		{"reversed, small window", func(c []chunkAt, _ *rand.Rand) { reverse(c) }, 64 << 10, false, 0},
		{"full shuffle, small window", func(c []chunkAt, r *rand.Rand) {
			r.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
		}, 256 << 10, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := chunks(data, 32<<10)
			tc.order(cs, rand.New(rand.NewPCG(2, 3)))
			dst := &memFile{}
			c := newCoalescer(dst, defaultFlushSize, tc.earlyMax)
			for _, ch := range cs {
				if _, err := c.WriteAt(ch.data, ch.off); err != nil {
					t.Fatalf("WriteAt(%d): %v", ch.off, err)
				}
			}
			w, err := c.finish()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dst.data, data) || w.Size != int64(len(data)) || !w.Complete {
				t.Fatalf("stored %d bytes (size %d, complete %v), want the %d sent", len(dst.data), w.Size, w.Complete, len(data))
			}
			if tc.wantHashed && w.SHA256 != want {
				t.Errorf("sha256 = %q, want %s", w.SHA256, want)
			}
			if !tc.wantHashed && w.SHA256 != "" {
				t.Errorf("sha256 = %q after out-of-band writes, want empty (to be recomputed)", w.SHA256)
			}
			if tc.maxWrites > 0 && dst.writes > tc.maxWrites {
				t.Errorf("%d disk writes for %d chunks, want at most %d", dst.writes, len(cs), tc.maxWrites)
			}
		})
	}
}

func reverse(cs []chunkAt) {
	for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
		cs[i], cs[j] = cs[j], cs[i]
	}
}

func TestCoalescerConcurrentWriters(t *testing.T) {
	data := randomBytes(8<<20+7, 4)
	cs := chunks(data, 32<<10)
	dst := &memFile{}
	c := newCoalescer(dst, 256<<10, 512<<10)
	work := make(chan chunkAt)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for ch := range work {
				if _, err := c.WriteAt(ch.data, ch.off); err != nil {
					t.Error(err)
				}
			}
		})
	}
	for _, ch := range cs {
		work <- ch
	}
	close(work)
	wg.Wait()
	w, err := c.finish()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dst.data, data) || !w.Complete {
		t.Fatalf("stored bytes differ from those sent (complete %v)", w.Complete)
	}
	if sum := sha256.Sum256(data); w.SHA256 != "" && w.SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("stream hash %s is wrong", w.SHA256)
	}
}

func TestCoalescerEdges(t *testing.T) {
	tests := []struct {
		name         string
		writes       []chunkAt
		want         string
		wantComplete bool
		wantHashed   bool
	}{
		{"empty file", nil, "", true, true},
		{"hole left", []chunkAt{{0, []byte("ab")}, {4, []byte("ef")}}, "ab\x00\x00ef", false, false},
		{"starts late", []chunkAt{{2, []byte("cd")}}, "\x00\x00cd", false, false},
		{"region written twice", []chunkAt{{0, []byte("abcd")}, {1, []byte("XY")}, {4, []byte("e")}}, "aXYde", true, false},
		{"overlap past next", []chunkAt{{0, []byte("ab")}, {1, []byte("BCD")}}, "aBCD", true, false},
		{"same early chunk twice", []chunkAt{{2, []byte("cc")}, {2, []byte("cd")}, {0, []byte("ab")}}, "abcd", true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dst := &memFile{}
			c := newCoalescer(dst, 4, 16)
			for _, w := range tc.writes {
				if _, err := c.WriteAt(w.data, w.off); err != nil {
					t.Fatal(err)
				}
			}
			w, err := c.finish()
			if err != nil {
				t.Fatal(err)
			}
			if string(dst.data) != tc.want || w.Complete != tc.wantComplete || (w.SHA256 != "") != tc.wantHashed {
				t.Errorf("got %q complete=%v hashed=%v, want %q complete=%v hashed=%v",
					dst.data, w.Complete, w.SHA256 != "", tc.want, tc.wantComplete, tc.wantHashed)
			}
		})
	}
}

func TestCoalescerWriteErrorSticks(t *testing.T) {
	dst := &memFile{failAt: 1}
	c := newCoalescer(dst, 4, 16)
	c.WriteAt([]byte("abcd"), 0)
	c.WriteAt([]byte("efgh"), 4) // hands off the first block, whose write fails
	if _, err := c.WriteAt([]byte("ijkl"), 8); err == nil {
		t.Error("write after a failed disk write succeeded")
	}
	if _, err := c.finish(); err == nil {
		t.Error("finish after a failed disk write succeeded")
	}
}
