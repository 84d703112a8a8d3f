package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"sluice/internal/blob/blobtest"
	"sluice/internal/blob/s3"
	"sluice/internal/weedtest"
)

func client(t *testing.T, o s3.Options) minio.Core {
	c, err := minio.New(o.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	return minio.Core{Client: c}
}

// incomplete lists the multipart uploads in progress under the prefix.
func incomplete(t *testing.T, c minio.Core, o s3.Options) []minio.ObjectMultipartInfo {
	res, err := c.ListMultipartUploads(context.Background(), o.Bucket, o.Prefix, "", "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	return res.Uploads
}

// TestStreamsParts: parts leave while the upload is open (nothing waits for
// Commit in memory), and Abort leaves no multipart upload behind.
func TestStreamsParts(t *testing.T) {
	o := weedtest.Options(t)
	st, err := s3.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	c := client(t, o)
	w, err := st.Create(t.Context(), "acct/streamed")
	if err != nil {
		t.Fatal(err)
	}
	data := blobtest.Data(3*int(o.PartSize)+100, 9)
	for off := 0; off < len(data); off += 1 << 20 {
		if _, err := w.WriteAt(data[off:min(off+1<<20, len(data))], int64(off)); err != nil {
			t.Fatal(err)
		}
	}
	ups := incomplete(t, c, o)
	if len(ups) != 1 {
		t.Fatalf("%d multipart uploads in progress, want 1", len(ups))
	}
	parts, err := c.ListObjectParts(context.Background(), o.Bucket, ups[0].Key, ups[0].UploadID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.ObjectParts) < 2 {
		t.Fatalf("%d parts sent before Commit, want at least 2 of 3 full ones", len(parts.ObjectParts))
	}
	if err := w.Abort(); err != nil {
		t.Fatal(err)
	}
	if ups := incomplete(t, c, o); len(ups) != 0 {
		t.Fatalf("multipart uploads left after Abort: %+v", ups)
	}
}

// TestSpillLimit: out-of-order bytes beyond the spill limit fail the write.
func TestSpillLimit(t *testing.T) {
	o := weedtest.Options(t)
	o.MaxSpill = 1 << 20
	st, err := s3.New(t.Context(), o)
	if err != nil {
		t.Fatal(err)
	}
	w, err := st.Create(t.Context(), "acct/spilled")
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	if _, err := w.WriteAt(make([]byte, 512<<10), 10<<20); err != nil {
		t.Fatalf("half the spill limit: %v", err)
	}
	_, err = w.WriteAt(make([]byte, 600<<10), 20<<20)
	if err == nil || !strings.Contains(err.Error(), "out-of-order") {
		t.Fatalf("past the spill limit: %v, want a refusal", err)
	}
}
