// Package blob is where uploaded files live: a local folder by default, or
// S3-compatible object storage. Keys are chosen by sluice, never by users, so
// no user path ever reaches the file system.
package blob

import (
	"context"
	"io"
)

// Store keeps blobs by key.
type Store interface {
	// Create starts a blob that becomes readable under key only on Commit.
	Create(ctx context.Context, key string) (Writer, error)
	// Open reads a committed blob. errs.NotFound if there is none.
	Open(ctx context.Context, key string) (Reader, error)
	// Delete removes a blob; deleting a missing blob is not an error.
	Delete(ctx context.Context, key string) error
}

// Writer receives a blob's bytes, possibly out of order.
type Writer interface {
	io.WriterAt
	// Commit makes the blob durable and visible under its key.
	Commit() error
	// Abort discards everything written. Safe to call after Commit (no-op).
	Abort() error
}

// Reader reads a committed blob.
type Reader interface {
	io.ReadSeekCloser
	io.ReaderAt
	Size() int64
}
