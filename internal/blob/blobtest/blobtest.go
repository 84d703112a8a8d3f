// Package blobtest is the blob store conformance suite: one set of tests
// that every blob.Store (local folder, S3) must pass.
package blobtest

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"sync"
	"testing"

	"sluice/internal/blob"
	"sluice/internal/errs"
)

// Suite describes the store under test.
type Suite struct {
	// New returns an empty store for one test.
	New func(t *testing.T) blob.Store
	// Big is a blob size that spans several of the store's write units
	// (S3 parts); tests write blobs this large.
	Big int
}

// Run runs every test.
func Run(t *testing.T, s Suite) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s Suite)
	}{
		{"InOrder", testInOrder},
		{"Empty", testEmpty},
		{"InvisibleUntilCommit", testInvisibleUntilCommit},
		{"Abort", testAbort},
		{"FinishedWriter", testFinishedWriter},
		{"OutOfOrder", testOutOfOrder},
		{"Concurrent", testConcurrent},
		{"Rewrite", testRewrite},
		{"Holes", testHoles},
		{"SeekAndReadAt", testSeekAndReadAt},
		{"Delete", testDelete},
		{"BadKeys", testBadKeys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, s) })
	}
}

// Data returns n bytes that differ at every offset (in any window of 4).
func Data(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// chunk is one WriteAt.
type chunk struct {
	off  int64
	data []byte
}

// chunks splits data into pieces of size bytes.
func chunks(data []byte, size int) []chunk {
	var out []chunk
	for off := 0; off < len(data); off += size {
		out = append(out, chunk{int64(off), data[off:min(off+size, len(data))]})
	}
	return out
}

// MustWrite creates key, applies the chunks in order and commits.
func mustWrite(t *testing.T, st blob.Store, key string, cs []chunk) {
	t.Helper()
	w, err := st.Create(t.Context(), key)
	if err != nil {
		t.Fatalf("create %s: %v", key, err)
	}
	for _, c := range cs {
		if n, err := w.WriteAt(c.data, c.off); err != nil || n != len(c.data) {
			w.Abort()
			t.Fatalf("write %d bytes at %d: n=%d err=%v", len(c.data), c.off, n, err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatalf("commit %s: %v", key, err)
	}
}

// MustRead reads a whole blob with Read, checking Size.
func mustRead(t *testing.T, st blob.Store, key string) []byte {
	t.Helper()
	r, err := st.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	if r.Size() != int64(len(got)) {
		t.Fatalf("Size() = %d, read %d bytes", r.Size(), len(got))
	}
	return got
}

func assertSame(t *testing.T, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("first difference at offset %d of %d", i, len(want))
		}
	}
}

func assertNotFound(t *testing.T, st blob.Store, key string) {
	t.Helper()
	r, err := st.Open(t.Context(), key)
	if err == nil {
		r.Close()
		t.Fatalf("open %s: found a blob, want none", key)
	}
	if !errs.Is(err, errs.NotFound) {
		t.Fatalf("open %s: %v, want errs.NotFound", key, err)
	}
}

func testInOrder(t *testing.T, s Suite) {
	st := s.New(t)
	data := Data(s.Big+12345, 1)
	mustWrite(t, st, "acct/in-order", chunks(data, 32<<10))
	assertSame(t, mustRead(t, st, "acct/in-order"), data)
}

func testEmpty(t *testing.T, s Suite) {
	st := s.New(t)
	mustWrite(t, st, "acct/empty", []chunk{{1000, nil}}) // an empty write extends nothing
	if got := mustRead(t, st, "acct/empty"); len(got) != 0 {
		t.Fatalf("empty blob reads %d bytes", len(got))
	}
}

func testInvisibleUntilCommit(t *testing.T, s Suite) {
	st := s.New(t)
	w, err := st.Create(t.Context(), "acct/pending")
	if err != nil {
		t.Fatal(err)
	}
	data := Data(s.Big, 2)
	for _, c := range chunks(data, 1<<20) {
		if _, err := w.WriteAt(c.data, c.off); err != nil {
			t.Fatal(err)
		}
	}
	assertNotFound(t, st, "acct/pending")
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	assertSame(t, mustRead(t, st, "acct/pending"), data)
}

func testAbort(t *testing.T, s Suite) {
	tests := []struct {
		name string
		size int
	}{{"small", 1000}, {"big", s.Big}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := s.New(t)
			w, err := st.Create(t.Context(), "acct/aborted")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range chunks(Data(tc.size, 3), 64<<10) {
				if _, err := w.WriteAt(c.data, c.off); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Abort(); err != nil {
				t.Fatalf("abort: %v", err)
			}
			assertNotFound(t, st, "acct/aborted")
			if err := w.Abort(); err != nil {
				t.Fatalf("second abort: %v", err)
			}
		})
	}
}

func testFinishedWriter(t *testing.T, s Suite) {
	st := s.New(t)
	w, err := st.Create(t.Context(), "acct/done")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte("hello"), 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err == nil {
		t.Error("second Commit succeeded")
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v, want no-op", err)
	}
	assertSame(t, mustRead(t, st, "acct/done"), []byte("hello"))
}

func testOutOfOrder(t *testing.T, s Suite) {
	data := Data(s.Big+777, 4)
	small := chunks(data, 32<<10)
	tests := []struct {
		name  string
		order func() []chunk
	}{
		{"shuffled", func() []chunk {
			cs := append([]chunk(nil), small...)
			rand.New(rand.NewPCG(1, 2)).Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
			return cs
		}},
		{"backwards", func() []chunk {
			cs := append([]chunk(nil), small...)
			for i, j := 0, len(cs)-1; i < j; i, j = i+1, j-1 {
				cs[i], cs[j] = cs[j], cs[i]
			}
			return cs
		}},
		{"two streams", func() []chunk { // second half first, as a parallel client might
			h := len(small) / 2
			var cs []chunk
			for i := 0; i < h; i++ {
				cs = append(cs, small[h+i], small[i])
			}
			return append(cs, small[2*h:]...)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := s.New(t)
			mustWrite(t, st, "acct/ooo", tc.order())
			assertSame(t, mustRead(t, st, "acct/ooo"), data)
		})
	}
}

func testConcurrent(t *testing.T, s Suite) {
	st := s.New(t)
	data := Data(s.Big, 5)
	w, err := st.Create(t.Context(), "acct/concurrent")
	if err != nil {
		t.Fatal(err)
	}
	cs := chunks(data, 32<<10)
	var wg sync.WaitGroup
	const writers = 4
	errc := make(chan error, writers)
	for i := range writers {
		wg.Go(func() {
			for j := i; j < len(cs); j += writers {
				if _, err := w.WriteAt(cs[j].data, cs[j].off); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	assertSame(t, mustRead(t, st, "acct/concurrent"), data)
}

func testRewrite(t *testing.T, s Suite) {
	st := s.New(t)
	data := Data(s.Big+100, 6)
	cs := chunks(data, 1<<20)
	patch := Data(5000, 7)
	cs = append(cs, chunk{10, patch}, chunk{int64(len(data) - 3000), patch[:3000]})
	want := append([]byte(nil), data...)
	copy(want[10:], patch)
	copy(want[len(data)-3000:], patch[:3000])
	mustWrite(t, st, "acct/rewrite", cs)
	assertSame(t, mustRead(t, st, "acct/rewrite"), want)
}

func testHoles(t *testing.T, s Suite) {
	st := s.New(t)
	want := make([]byte, 3*s.Big/2)
	copy(want[10:], "head")
	copy(want[len(want)-4:], "tail")
	mustWrite(t, st, "acct/holes", []chunk{{int64(len(want) - 4), []byte("tail")}, {10, []byte("head")}})
	assertSame(t, mustRead(t, st, "acct/holes"), want)
}

func testSeekAndReadAt(t *testing.T, s Suite) {
	st := s.New(t)
	data := Data(s.Big+999, 8)
	mustWrite(t, st, "acct/seek", chunks(data, 1<<20))
	r, err := st.Open(t.Context(), "acct/seek")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for _, off := range []int64{int64(len(data)) - 10, 3, int64(len(data) / 2)} {
		if _, err := r.Seek(off, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		got := make([]byte, min(4096, int64(len(data))-off))
		if _, err := io.ReadFull(r, got); err != nil {
			t.Fatalf("read after seek to %d: %v", off, err)
		}
		assertSame(t, got, data[off:off+int64(len(got))])
	}
	checkReadAt(t, r, data)
}

func checkReadAt(t *testing.T, r io.ReaderAt, data []byte) {
	t.Helper()
	n := int64(len(data))
	tests := []struct {
		off, size int64
		eof       bool
	}{
		{0, 100, false}, {n / 3, n / 2, false}, {n - 50, 50, false}, {n - 50, 100, true}, {n, 10, true},
	}
	for _, tc := range tests {
		p := make([]byte, tc.size)
		k, err := r.ReadAt(p, tc.off)
		if tc.eof != (err == io.EOF) || (!tc.eof && err != nil) {
			t.Fatalf("ReadAt(%d bytes at %d) = %d, %v; want EOF %v", tc.size, tc.off, k, err, tc.eof)
		}
		assertSame(t, p[:k], data[min(tc.off, n):min(tc.off+tc.size, n)])
	}
}

func testDelete(t *testing.T, s Suite) {
	st := s.New(t)
	mustWrite(t, st, "acct/del", []chunk{{0, []byte("x")}})
	for i := range 2 {
		if err := st.Delete(t.Context(), "acct/del"); err != nil {
			t.Fatalf("delete #%d: %v", i+1, err)
		}
	}
	assertNotFound(t, st, "acct/del")
	if err := st.Delete(t.Context(), "acct/never"); err != nil {
		t.Fatalf("delete of a missing blob: %v", err)
	}
}

func testBadKeys(t *testing.T, s Suite) {
	st := s.New(t)
	ctx := context.Background()
	for _, key := range []string{"", "../x", "/abs", "a//b", ".tmp/x"} {
		if w, err := st.Create(ctx, key); err == nil {
			w.Abort()
			t.Errorf("Create(%q) succeeded", key)
		}
		if _, err := st.Open(ctx, key); err == nil || errs.Is(err, errs.NotFound) {
			t.Errorf("Open(%q) = %v, want an invalid-key error", key, err)
		}
	}
}
