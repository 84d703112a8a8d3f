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

	// PropsJSON and IdentifiersJSON, when set, are the stored encodings of
	// Props and Identifiers, made ahead by the writer's producer so that
	// encoding runs beside the store's one writer rather than in it.
	PropsJSON, IdentifiersJSON []byte
}

// StoredJSON is the stored encodings of e's props and identifiers: the ones
// made ahead, else encoded now.
func (e *Event) StoredJSON() (props, ids []byte) {
	props, ids = e.PropsJSON, e.IdentifiersJSON
	if props == nil {
		props = e.Props.AppendJSON(nil)
	}
	if ids == nil {
		ids = AppendIdentifiersJSON(nil, e.Identifiers)
	}
	return props, ids
}

// AppendIdentifiersJSON encodes identifiers as their stored JSON object (kind → value).
func AppendIdentifiersJSON(b []byte, ids []Identifier) []byte {
	b = append(b, '{')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = record.AppendJSONString(b, id.Kind)
		b = append(b, ':')
		b = record.AppendJSONString(b, id.Value)
	}
	return append(b, '}')
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
