package store

import (
	"context"

	"sluice/internal/record"
)

// Event is one thing a user did.
type Event struct {
	ID          int64
	AccountID   string
	ProfileID   int64
	ImportID    int64
	Row         int64 // row number in the import's file (1 = first data row)
	Name        string
	Time        int64 // epoch seconds
	Identifiers []Identifier
	Props       record.Props
}

// EventFilter narrows ListEvents.
type EventFilter struct {
	Identifier string // any identifier value; empty: all users
	Name       string
	From, To   int64 // epoch seconds, inclusive; 0: open
	Page
}

// Events reads events.
type Events interface {
	ListEvents(ctx context.Context, accountID string, f EventFilter) ([]Event, error)
	ProfileEvents(ctx context.Context, accountID string, profileID int64, limit int) ([]Event, error)
}
