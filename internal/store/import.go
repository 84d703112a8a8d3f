package store

import (
	"context"
	"time"
)

// Status is where an import is in its life.
type Status string

// Import statuses: waiting → queued → processing → succeeded | partial | failed.
const (
	StatusWaiting    Status = "waiting"    // manifest in, data file not complete
	StatusQueued     Status = "queued"     // ready; waits for a worker and its account's turn
	StatusProcessing Status = "processing" // a worker holds its lease
	StatusSucceeded  Status = "succeeded"  // every row in
	StatusPartial    Status = "partial"    // some rows refused
	StatusFailed     Status = "failed"     // file-level error
)

// Ended reports whether s is a final status.
func (s Status) Ended() bool {
	return s == StatusSucceeded || s == StatusPartial || s == StatusFailed
}

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool {
	switch s {
	case StatusWaiting, StatusQueued, StatusProcessing, StatusSucceeded, StatusPartial, StatusFailed:
		return true
	}
	return false
}

// Import is a manifest and the data file it names.
type Import struct {
	ID               int64
	AccountID        string
	ManifestName     string
	ManifestUploadID int64
	FileName         string
	DataUploadID     int64  // 0 until the data file is bound
	Type             string // event or profile; empty when the manifest did not say
	Status           Status
	SizeBytes        int64
	Error            string
	ClientEmail      string // empty when the mail must not be sent
	Manifest         []byte // the manifest as uploaded
	ReceivedAt       time.Time
	StartedAt        *time.Time
	FinishedAt       *time.Time
	Checkpoint
	ErrorHeader []byte    // the error file's header line (data header + Failure Description)
	Attempts    int       // claims so far; internal errors are retried a few times
	MailedAt    time.Time // last "still processing" milestone; zero if none
}

// Checkpoint is how far an import got; it is committed with each batch.
type Checkpoint struct {
	BytesRead    int64 // offset in the (plain) data stream after the last applied row
	RowsRead     int64 // data rows read (the header is not a row)
	RowsImported int64
	RowsFailed   int64
	ErrorBytes   int64 // size of the error file so far, header included
}

// Milestone is a notification-worthy change of an import, written to the
// outbox in the same transaction as the change.
type Milestone string

// The milestones that notify (mail and webhook).
const (
	MilestonePickedUp   Milestone = "import.picked_up"
	MilestoneProcessing Milestone = "import.still_processing"
	MilestoneSucceeded  Milestone = "import.succeeded"
	MilestonePartial    Milestone = "import.partial"
	MilestoneFailed     Milestone = "import.failed"
)

// ImportFilter narrows ListImports.
type ImportFilter struct {
	Status Status // empty: any
	Page
}

// Lease identifies the worker that holds an import.
type Lease struct {
	Owner string
	Until time.Time
}

// Imports is the import lifecycle and the job queue.
type Imports interface {
	// CreateImport stores a new import for a manifest upload (which becomes
	// locked, or processed if the import already failed) and its milestone,
	// if any, in one transaction. The status is as given (waiting or failed).
	// Mail goes with every milestone of an import whose ClientEmail is set.
	// errs.Conflict if the manifest upload already has an import.
	CreateImport(ctx context.Context, imp Import, m Milestone) (Import, error)
	// PendingManifests lists manifest uploads that have no import yet.
	PendingManifests(ctx context.Context, limit int) ([]Upload, error)
	Import(ctx context.Context, accountID string, id int64) (Import, error)
	ListImports(ctx context.Context, accountID string, f ImportFilter) ([]Import, error)
	// WaitingImports lists imports waiting for their data file.
	WaitingImports(ctx context.Context) ([]Import, error)
	// BindData attaches the newest stored data upload of the import's file
	// name (locking it) and makes the import queued. errs.NotFound if none.
	BindData(ctx context.Context, importID int64, now time.Time) (Import, error)
	// Claim takes the next runnable import: queued, or processing with an
	// expired lease, and the oldest unfinished import of its account.
	// errs.NotFound when there is none.
	Claim(ctx context.Context, lease Lease, now time.Time) (Import, error)
	// Renew extends a lease; errs.Conflict if the lease was lost. A due
	// milestone (still processing) may be written with it, setting MailedAt.
	Renew(ctx context.Context, id int64, lease Lease, m Milestone, now time.Time) error
	// Finish ends an import with its final status and milestone; the data
	// upload becomes processed. errs.Conflict if the lease was lost.
	Finish(ctx context.Context, imp Import, owner string, now time.Time, m Milestone) error
	// FailWaiting ends a waiting import as failed (its data file never came).
	FailWaiting(ctx context.Context, id int64, reason string, now time.Time) error
	// Release gives an import back to the queue (e.g. on shutdown).
	Release(ctx context.Context, id int64, owner string) error
	// ErrorRows streams the stored error lines of an import, in row order.
	ErrorRows(ctx context.Context, importID int64, fn func(line []byte) error) error
	// ImportsWithErrors lists an account's ended imports that have an error file.
	ImportsWithErrors(ctx context.Context, accountID string) ([]Import, error)
}
