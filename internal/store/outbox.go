package store

import (
	"context"
	"time"
)

// OutboxItem is a milestone waiting to be announced by mail and webhook.
// Items are written in the same transaction as the change they announce.
type OutboxItem struct {
	ID        int64
	AccountID string
	ImportID  int64
	Milestone Milestone
	Mail      bool // false when no mail must be sent (invalid JSON or client email)
	CreatedAt time.Time
}

// Outbox is read by the notifier.
type Outbox interface {
	// PendingOutbox lists items not yet taken by the notifier, oldest first.
	PendingOutbox(ctx context.Context, limit int) ([]OutboxItem, error)
	// MarkOutboxDone records that an item was handed on to its channels.
	MarkOutboxDone(ctx context.Context, id int64, at time.Time) error
}
