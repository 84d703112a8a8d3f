package store

import (
	"context"
	"time"
)

// UploadKind tells data files from manifests.
type UploadKind string

// The kinds of upload.
const (
	KindData     UploadKind = "data"
	KindManifest UploadKind = "manifest"
)

// UploadState is where an upload is in its life.
type UploadState string

// Upload states. A stored data file may be replaced until a manifest names it
// (locked); processed files leave the listing and are deleted after retention.
const (
	UploadStored    UploadState = "stored"
	UploadLocked    UploadState = "locked"
	UploadProcessed UploadState = "processed"
	UploadReplaced  UploadState = "replaced"
	UploadDeleted   UploadState = "deleted"
)

// Upload is one completed file transfer.
type Upload struct {
	ID        int64
	AccountID string
	Name      string
	Kind      UploadKind
	Size      int64
	SHA256    string // hex
	BlobKey   string
	State     UploadState
	ImportID  int64 // the import that uses it, once bound
	CreatedAt time.Time
}

// Uploads records completed uploads.
type Uploads interface {
	// RecordUpload stores a completed upload. A data file replaces a stored
	// one of the same name (whose blob key is returned for deletion); a locked
	// name is errs.Conflict; a manifest name used before is errs.Conflict.
	RecordUpload(ctx context.Context, u Upload) (rec Upload, replacedBlob string, err error)
	Upload(ctx context.Context, accountID string, id int64) (Upload, error)
	// VisibleUploads lists stored and locked uploads (the SFTP listing of /).
	VisibleUploads(ctx context.Context, accountID string) ([]Upload, error)
	// NameLocked reports whether a data file name is named by an unfinished import.
	NameLocked(ctx context.Context, accountID, name string) (bool, error)
	// ManifestNameUsed reports whether a manifest of that name was ever uploaded.
	ManifestNameUsed(ctx context.Context, accountID, name string) (bool, error)
	// StoredBytes sums the sizes of the account's uploads that still hold disk.
	StoredBytes(ctx context.Context, accountID string) (int64, error)
	// ExpiredUploads lists processed or replaced uploads older than before, to delete.
	ExpiredUploads(ctx context.Context, before time.Time, limit int) ([]Upload, error)
	MarkUploadDeleted(ctx context.Context, id int64) error
}
