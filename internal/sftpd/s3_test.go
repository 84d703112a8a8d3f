package sftpd

import (
	"bytes"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/pkg/sftp"

	"sluice/internal/weedtest"
)

// TestMain stops the S3 server (SeaweedFS) that tests started, if any.
func TestMain(m *testing.M) { os.Exit(weedtest.Main(m)) }

// TestUploadsToS3 sends files through the coalescer into an S3 bucket, in
// order and far out of order, and checks the stored objects and hashes.
func TestUploadsToS3(t *testing.T) {
	e := newEnvOn(t, weedtest.Store(t))
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	tests := []struct {
		name  string
		size  int
		write func(c *sftp.Client, name string, data []byte) error
	}{
		{"big.csv", 12<<20 + 7, put},                   // three 5 MiB parts, 64 writes in flight
		{"small.csv", 100, put},                        // one PUT at close
		{"halves.csv", 11<<20 + 3, putSecondHalfFirst}, // past the coalescer's window: spilled
	}
	var wg sync.WaitGroup
	datas := make([][]byte, len(tests))
	for i, tc := range tests {
		datas[i] = randomBytes(tc.size, uint64(i+40))
		wg.Go(func() {
			if err := tc.write(c, tc.name, datas[i]); err != nil {
				t.Errorf("upload %s: %v", tc.name, err)
			}
		})
	}
	wg.Wait()
	ups := e.visible(t, a.id)
	for i, tc := range tests {
		u, ok := ups[tc.name]
		if !ok || u.Size != int64(tc.size) || u.SHA256 != sha(datas[i]) {
			t.Fatalf("%s recorded as %+v; want %d bytes, sha256 %s", tc.name, u, tc.size, sha(datas[i]))
		}
		r, err := e.blobs.Open(t.Context(), u.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, datas[i]) {
			t.Fatalf("%s: the object differs from what was sent (%d of %d bytes, %v)", tc.name, len(got), tc.size, err)
		}
	}
}

// putSecondHalfFirst writes the second half of data, then the first.
func putSecondHalfFirst(c *sftp.Client, name string, data []byte) error {
	f, err := c.Create(name)
	if err != nil {
		return err
	}
	h := len(data) / 2
	if _, err := f.WriteAt(data[h:], int64(h)); err != nil {
		f.Close()
		return err
	}
	if _, err := f.WriteAt(data[:h], 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
