package store

import (
	"context"
	"time"

	"sluice/internal/record"
)

// Identifier is one (kind, value) pair that finds a profile.
type Identifier = record.Identifier

// Profile is one user of an account.
type Profile struct {
	ID          int64
	AccountID   string
	Identifiers []Identifier
	Props       record.Props
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Profiles reads profiles.
type Profiles interface {
	ProfileByIdentifier(ctx context.Context, accountID, value string) (Profile, error)
	Profile(ctx context.Context, accountID string, id int64) (Profile, error)
	// ScanIdentifiers calls fn with each of the account's identifiers and its
	// profile, in no order, until fn has seen limit of them; all reports
	// whether fn saw every one.
	ScanIdentifiers(ctx context.Context, accountID string, limit int, fn func(Identifier, int64)) (all bool, err error)
}

// BatchTx is what the pipeline does inside one batch transaction: the
// batch's writes and the import's checkpoint commit together or not at all.
type BatchTx interface {
	// LookupIdentifiers returns the profile id of each identifier that has one.
	LookupIdentifiers(ctx context.Context, accountID string, ids []Identifier) (map[Identifier]int64, error)
	// LoadProfiles reads profiles (without identifiers) by id.
	LoadProfiles(ctx context.Context, accountID string, ids []int64) (map[int64]*Profile, error)
	// CreateProfiles inserts profiles and sets their IDs.
	CreateProfiles(ctx context.Context, ps []*Profile) error
	// SaveProfiles writes the props and UpdatedAt of existing profiles.
	SaveProfiles(ctx context.Context, ps []*Profile) error
	// LinkIdentifiers points identifiers at a profile (new or moved).
	LinkIdentifiers(ctx context.Context, accountID string, profileID int64, ids []Identifier) error
	// MergeProfiles moves the identifiers and events of from into into and deletes from.
	MergeProfiles(ctx context.Context, accountID string, into int64, from []int64) error
	InsertEvents(ctx context.Context, evs []Event) error
	InsertErrorRows(ctx context.Context, importID int64, rows []ErrorRow) error
	// SetErrorHeader records the error file's header line, once per import.
	SetErrorHeader(ctx context.Context, importID int64, header []byte) error
	// Checkpoint records progress and extends the lease to lease.Until;
	// errs.Conflict if lease.Owner no longer holds the import.
	Checkpoint(ctx context.Context, importID int64, lease Lease, cp Checkpoint) error
}

// ErrorRow is one line of an error file: a refused row as uploaded plus its reasons.
type ErrorRow struct {
	Row  int64
	Line []byte // ends with a newline
}

// ProfileOps is one batch's operations on one stored profile, kept aside
// until they are folded into it (see ProfileOpLog).
type ProfileOps struct {
	ProfileID int64
	UpdatedAt time.Time
	Ops       []byte // record.AppendOps
}

// ProfileOpLog is a BatchTx that can keep a batch's changes to stored
// profiles as operations instead of rewriting the profiles: a profile file
// touches its profiles in no order, and rewriting one costs a random page
// read and write each time, where folding many operations at once, in
// profile order, writes each page once. Optional; the SQLite store has it.
type ProfileOpLog interface {
	AppendProfileOps(ctx context.Context, accountID string, ops []ProfileOps) error
}

// ProfileFolder folds an account's kept operations into their profiles.
type ProfileFolder interface {
	// FoldProfileOps applies every kept operation of the account to its
	// profile, each profile's in the order they were appended, sets
	// UpdatedAt to the last one's, and removes them; it reports how many
	// entries it folded. An interrupted fold goes on where it stopped.
	FoldProfileOps(ctx context.Context, accountID string) (int, error)
}
