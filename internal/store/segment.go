package store

import (
	"context"
	"time"

	"sluice/internal/record"
	"sluice/internal/segment"
)

// SegmentQuery is a parsed filter and the moment "last N days" counts back from.
type SegmentQuery struct {
	Filter segment.Node
	Now    time.Time
}

// SavedSegment is a filter kept under a name; names are unique per account.
type SavedSegment struct {
	ID        int64
	AccountID string
	Name      string
	Filter    []byte // JSON, as segment.Marshal writes it
	CreatedAt time.Time
}

// Segments evaluates filters over an account's profiles, in the store, and
// keeps saved segments.
type Segments interface {
	// CountSegment counts the account's profiles that match.
	CountSegment(ctx context.Context, accountID string, q SegmentQuery) (int64, error)
	// SegmentProfiles lists matching profiles with their identifiers, by
	// ascending id above after (0: from the first), at most limit (defaulted and capped as Page.Norm).
	SegmentProfiles(ctx context.Context, accountID string, q SegmentQuery, after int64, limit int) ([]Profile, error)
	// ExportSegment calls fn with every matching profile and its identifiers,
	// by ascending id, as rows come from one cursor: memory does not grow
	// with the number of profiles. Props hold only the named properties (the
	// others are not decoded). An error from fn stops it and is returned.
	ExportSegment(ctx context.Context, accountID string, q SegmentQuery, props []string, fn func(Profile) error) error

	// CreateSegment stores a saved segment; errs.Conflict if the account has one of that name.
	CreateSegment(ctx context.Context, s SavedSegment) (SavedSegment, error)
	// Segment reads a saved segment; errs.NotFound if it is not the account's.
	Segment(ctx context.Context, accountID string, id int64) (SavedSegment, error)
	// ListSegments lists the account's saved segments, newest first.
	ListSegments(ctx context.Context, accountID string) ([]SavedSegment, error)
	// DeleteSegment deletes a saved segment; errs.NotFound if it is not the account's.
	DeleteSegment(ctx context.Context, accountID string, id int64) error

	// KnownNames lists the property and event names the account's data
	// uses, for a form that builds filters. It reads a bounded sample (see
	// KnownNames), so its cost does not grow with the account's size.
	KnownNames(ctx context.Context, accountID string) (KnownNames, error)
}

// Bounds of KnownNames' sample.
const (
	KnownProfileSample = 1000 // the newest profiles whose property names are read
	KnownEventSample   = 20   // the latest events of each name whose property names are read
	MaxKnownEvents     = 500  // event names listed, in byte order
)

// KnownNames are the names an account's data uses. Properties are those of
// the newest KnownProfileSample profiles; Events are every event name (up to
// MaxKnownEvents), read from the events index; EventProperties are those of
// the latest KnownEventSample events of each listed name. Each list is sorted
// by name (bytes) and never nil.
type KnownNames struct {
	Properties      []KnownProperty
	Events          []string
	EventProperties []KnownProperty
}

// KnownProperty is a property name and the kind most of its sampled values
// have (KindInt when every number is whole, KindFloat otherwise).
type KnownProperty struct {
	Name string
	Kind record.Kind
}
