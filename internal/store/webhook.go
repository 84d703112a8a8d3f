package store

import (
	"context"
	"time"
)

// Webhook is an HTTP endpoint of an account that can receive notifications.
type Webhook struct {
	ID        int64
	AccountID string
	URL       string // http(s)
	Secret    string // signs each body (HMAC-SHA256); shown to the user once
	CreatedAt time.Time
}

// Webhooks keeps an account's webhook endpoints and which one of them
// receives import notifications.
type Webhooks interface {
	// CreateWebhook stores w unless the account already has max webhooks
	// (errs.TooLarge). errs.NotFound if the account does not exist.
	CreateWebhook(ctx context.Context, w Webhook, max int) (Webhook, error)
	// Webhook reads one of an account's webhooks; another account's is errs.NotFound.
	Webhook(ctx context.Context, accountID string, id int64) (Webhook, error)
	// ListWebhooks lists an account's webhooks, oldest first.
	ListWebhooks(ctx context.Context, accountID string) ([]Webhook, error)
	// DeleteWebhook removes a webhook with its deliveries and attempt log;
	// if it received import notifications, nothing does any more.
	DeleteWebhook(ctx context.Context, accountID string, id int64) error
	// SetNotificationWebhook chooses the webhook that receives the account's
	// import notifications; 0 turns them off. errs.NotFound for a webhook
	// that is not the account's.
	SetNotificationWebhook(ctx context.Context, accountID string, webhookID int64) error
	// NotificationWebhook is the chosen webhook; errs.NotFound when none is.
	NotificationWebhook(ctx context.Context, accountID string) (Webhook, error)
}
