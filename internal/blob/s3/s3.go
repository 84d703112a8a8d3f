// Package s3 keeps sluice's uploaded files in an S3-compatible bucket (AWS S3,
// SeaweedFS, MinIO, Ceph RGW, …), so that several sluice nodes share them.
//
// Writes stream as a multipart upload that is completed only on Commit, so an
// object appears under its key whole or not at all; Abort aborts the upload.
// Bytes arrive from the SFTP coalescer mostly in order: they fill parts of
// PartSize bytes in memory (one filling, one being sent), so memory per
// upload is about 2×PartSize whatever the file size. Bytes that arrive past
// a gap wait in a sparse, already unlinked local temp file until the stream
// reaches them; rewrites of bytes already sent are applied on Commit by
// rewriting the object once (rare: no common client does it).
//
// Reads are ranged GETs pinned to the object's ETag: Seek costs nothing until
// the next Read opens a stream at the new offset.
//
// Why minio-go rather than gocloud.dev/blob: the writer needs the multipart
// calls themselves (start, send part n, complete only on Commit, abort),
// which minio.Core exposes; gocloud's Writer is a sequential io.Writer whose
// upload manager buffers parts on its own and aborts only when a context is
// cancelled, and it brings the whole AWS SDK along.
package s3

import (
	"context"
	"fmt"
	"net/http"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"sluice/internal/blob"
	"sluice/internal/errs"
)

// Store is a blob.Store in one bucket, under an optional key prefix.
type Store struct {
	o    Options
	core minio.Core
}

var _ blob.Store = (*Store)(nil)

// New connects to the bucket o names and checks that it exists.
func New(ctx context.Context, o Options) (*Store, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, o.Session),
		Secure:       !o.Insecure,
		Region:       o.Region,
		BucketLookup: lookup(o.PathStyle),
	})
	if err != nil {
		return nil, fmt.Errorf("s3 client for %s: %w", o.Endpoint, err)
	}
	s := &Store{o: o, core: minio.Core{Client: c}}
	ok, err := c.BucketExists(ctx, o.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3: reach bucket %q at %s: %w", o.Bucket, o.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("s3: bucket %q does not exist at %s; create it first", o.Bucket, o.Endpoint)
	}
	return s, nil
}

func lookup(pathStyle bool) minio.BucketLookupType {
	if pathStyle {
		return minio.BucketLookupPath
	}
	return minio.BucketLookupAuto // path style for IP addresses and non-AWS hosts
}

// Close releases nothing: requests hold no state between calls.
func (s *Store) Close() error { return nil }

// name is the object name of a blob key.
func (s *Store) name(key string) (string, error) {
	if err := blob.CheckKey(key); err != nil {
		return "", err
	}
	return s.o.Prefix + key, nil
}

// Delete removes an object; a missing one is not an error.
func (s *Store) Delete(ctx context.Context, key string) error {
	name, err := s.name(key)
	if err != nil {
		return err
	}
	err = s.core.RemoveObject(ctx, s.o.Bucket, name, minio.RemoveObjectOptions{})
	if err != nil && !notFound(err) {
		return fmt.Errorf("delete blob %s: %w", key, err)
	}
	return nil
}

// Open stats the object and returns a reader pinned to what it found.
func (s *Store) Open(ctx context.Context, key string) (blob.Reader, error) {
	name, err := s.name(key)
	if err != nil {
		return nil, err
	}
	info, err := s.core.StatObject(ctx, s.o.Bucket, name, minio.StatObjectOptions{})
	if notFound(err) {
		return nil, errs.E(errs.NotFound, "no blob %s", key)
	}
	if err != nil {
		return nil, fmt.Errorf("open blob %s: %w", key, err)
	}
	return &reader{s: s, ctx: ctx, name: name, etag: info.ETag, size: info.Size}, nil
}

func notFound(err error) bool {
	if err == nil {
		return false
	}
	r := minio.ToErrorResponse(err)
	return r.Code == minio.NoSuchKey || (r.StatusCode == http.StatusNotFound && r.Code == "")
}
