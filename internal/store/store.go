// Package store defines sluice's stored entities and the interfaces the rest
// of sluice uses to reach them. Implementations live in sqlite/ (the embedded
// default) and postgres/; both pass the conformance suite in storetest/.
//
// Errors: a missing object is errs.NotFound (never a nil result); a clash
// with stored state is errs.Conflict.
package store

import (
	"context"
	"time"
)

// Store is everything sluice keeps. Callers should depend on the narrow
// interface they use (Accounts, Keys, …), not on Store.
type Store interface {
	Accounts
	Keys
	PGPKeys
	Uploads
	Imports
	Profiles
	Events
	Segments
	Outbox
	Webhooks
	Deliveries
	Nodes
	Tx
	Close() error
}

// Page asks for one page of a newest-first listing.
type Page struct {
	Limit  int   // at most this many; 0 means a default of 50
	Before int64 // only ids below this (the cursor); 0 means from the newest
}

// DefaultLimit is used when a Page has no limit; MaxLimit caps any limit.
const (
	DefaultLimit = 50
	MaxLimit     = 1000
)

// Norm returns the page with its limit defaulted and capped.
func (p Page) Norm() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit > MaxLimit {
		p.Limit = MaxLimit
	}
	return p
}

// Clock lets tests control time; the store never calls time.Now itself.
type Clock func() time.Time

// Tx runs fn in one write transaction of the store; fn's error rolls it back.
type Tx interface {
	InBatch(ctx context.Context, fn func(BatchTx) error) error
}
