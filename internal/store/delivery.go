package store

import (
	"context"
	"time"
)

// Channel is how a notification travels.
type Channel string

// The channels.
const (
	ChannelEmail   Channel = "email"
	ChannelWebhook Channel = "webhook"
)

// Channels lists every channel, for metrics that show each one even at zero.
func Channels() []Channel { return []Channel{ChannelEmail, ChannelWebhook} }

// DeliveryStatus is where a delivery is in its life.
type DeliveryStatus string

// Delivery statuses: pending → delivered | failed (gave up).
const (
	DeliveryPending   DeliveryStatus = "pending"
	DeliveryDelivered DeliveryStatus = "delivered"
	DeliveryFailed    DeliveryStatus = "failed"
)

// Delivery is one outbox item on its way through one channel. It is created
// when the notifier fans the item out and keeps the same IdempotencyID and
// Payload across every retry.
type Delivery struct {
	ID            int64
	OutboxID      int64
	AccountID     string
	ImportID      int64
	Milestone     Milestone
	Channel       Channel
	WebhookID     int64  // the webhook delivered to; 0 for email
	Target        string // mail address or webhook URL
	IdempotencyID string // the webhook body's "id"; the mail's Message-ID
	Payload       []byte // JSON {"id", "event", "import"} as of the fan-out
	Status        DeliveryStatus
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	DeliveredAt   *time.Time
	AttemptLog    []DeliveryAttempt // oldest first; filled by WebhookDeliveries and ImportDeliveries
}

// DeliveryAttempt is one try at sending a delivery.
type DeliveryAttempt struct {
	ID         int64
	DeliveryID int64
	At         time.Time
	StatusCode int    // HTTP status for webhooks, SMTP reply code for mail; 0 when there was none
	Error      string // empty when the attempt succeeded
	Duration   time.Duration
}

// Deliveries is the notifier's work list.
type Deliveries interface {
	// FanOut stores an outbox item's deliveries (possibly none) and marks the
	// item done, in one transaction. errs.Conflict if the item was done already.
	FanOut(ctx context.Context, outboxID int64, ds []Delivery, at time.Time) error
	// ClaimDeliveries takes up to limit pending deliveries due at now, the
	// most overdue first, and moves their next attempt to until. Only the
	// oldest pending delivery of each (channel, target) is taken, so that one
	// receiver gets its notifications in order, one at a time. A claim not
	// followed by RecordAttempt (the sender died) is due again at until.
	ClaimDeliveries(ctx context.Context, now, until time.Time, limit int) ([]Delivery, error)
	// RecordAttempt logs an attempt and sets the delivery's status and next
	// attempt, in one transaction. errs.Conflict if the delivery is no longer
	// pending; errs.NotFound if it is gone (its webhook was deleted).
	RecordAttempt(ctx context.Context, a DeliveryAttempt, status DeliveryStatus, next time.Time) error
	// RescheduleDelivery makes a pending delivery due at at (an attempt cut short by shutdown).
	RescheduleDelivery(ctx context.Context, id int64, at time.Time) error
	// WebhookDeliveries lists a webhook's deliveries, newest first, each with
	// its attempt log. errs.NotFound if the webhook is not the account's.
	WebhookDeliveries(ctx context.Context, accountID string, webhookID int64, p Page) ([]Delivery, error)
	// ImportDeliveries lists the deliveries of an import's notifications,
	// oldest first, each with its attempt log. errs.NotFound if the import is
	// not the account's.
	ImportDeliveries(ctx context.Context, accountID string, importID int64) ([]Delivery, error)
	// PendingDeliveries counts pending deliveries by channel.
	PendingDeliveries(ctx context.Context) (map[Channel]int, error)
}
