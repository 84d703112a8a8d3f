package store

import (
	"context"
	"time"

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
}
