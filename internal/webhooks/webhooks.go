// Package webhooks manages an account's webhook endpoints and which one of
// them receives import notifications (SPEC section 6). The HTTP API and the
// dashboard both go through it, so they check the same rules and say the
// same things.
package webhooks

import (
	"context"
	"crypto/rand"
	"net/url"
	"strings"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// MaxPerAccount is how many webhook endpoints one account may have.
const MaxPerAccount = 20

// Store is what the service reads and writes.
type Store interface {
	store.Webhooks
	WebhookDeliveries(ctx context.Context, accountID string, webhookID int64, p store.Page) ([]store.Delivery, error)
}

// Service adds, lists, chooses and deletes webhooks.
type Service struct {
	Store Store
	Max   int              // 0: MaxPerAccount
	Now   func() time.Time // nil: time.Now
}

// The input fields an Add error can be about, as the API names them.
const (
	FieldURL    = "url"
	FieldSecret = "secret"
)

// Add checks the URL and the secret (generating one when it is empty),
// stores the webhook, and makes an account's first webhook the one that
// receives import notifications, since that is why one adds it. chosen
// reports whether the new webhook receives them.
func (s *Service) Add(ctx context.Context, accountID, rawURL, secret string) (hook store.Webhook, chosen bool, err error) {
	rawURL = strings.TrimSpace(rawURL)
	if err := checkURL(rawURL); err != nil {
		return hook, false, errs.OnField(FieldURL, err)
	}
	if secret == "" {
		secret = "whsec_" + rand.Text()
	} else if len(secret) < 16 || len(secret) > 256 {
		return hook, false, errs.OnField(FieldSecret, errs.E(errs.Invalid, "secret must be 16 to 256 characters long (or left out to have one generated)"))
	}
	hook, err = s.Store.CreateWebhook(ctx, store.Webhook{AccountID: accountID, URL: rawURL, Secret: secret,
		CreatedAt: s.now().UTC().Truncate(time.Millisecond)}, s.max())
	if err != nil {
		return hook, false, err
	}
	hooks, err := s.Store.ListWebhooks(ctx, accountID)
	if err != nil || len(hooks) != 1 {
		return hook, false, err
	}
	return hook, true, s.Store.SetNotificationWebhook(ctx, accountID, hook.ID)
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return errs.E(errs.Invalid, "url is required: the http:// or https:// address to POST notifications to")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errs.E(errs.Invalid, "url %q must be an absolute http:// or https:// URL", raw)
	case len(raw) > 2048:
		return errs.E(errs.Invalid, "url is %d characters long; at most 2048 are allowed", len(raw))
	}
	return nil
}

// List returns an account's webhooks, oldest first, and the id of the one
// that receives import notifications (0: none).
func (s *Service) List(ctx context.Context, accountID string) ([]store.Webhook, int64, error) {
	hooks, err := s.Store.ListWebhooks(ctx, accountID)
	if err != nil {
		return nil, 0, err
	}
	chosen, err := s.Chosen(ctx, accountID)
	return hooks, chosen, err
}

// Chosen is the id of the webhook that receives import notifications, 0 if none.
func (s *Service) Chosen(ctx context.Context, accountID string) (int64, error) {
	h, err := s.Store.NotificationWebhook(ctx, accountID)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	}
	return h.ID, err
}

// Choose makes webhook id the one for import notifications; 0 turns them off.
func (s *Service) Choose(ctx context.Context, accountID string, id int64) error {
	if id < 0 {
		return errs.E(errs.NotFound, "no webhook %d in this account", id)
	}
	return s.Store.SetNotificationWebhook(ctx, accountID, id)
}

// Webhook reads one of an account's webhooks.
func (s *Service) Webhook(ctx context.Context, accountID string, id int64) (store.Webhook, error) {
	return s.Store.Webhook(ctx, accountID, id)
}

// Delete removes a webhook with its delivery log.
func (s *Service) Delete(ctx context.Context, accountID string, id int64) error {
	return s.Store.DeleteWebhook(ctx, accountID, id)
}

// Deliveries lists a webhook's deliveries, newest first, with their attempts.
func (s *Service) Deliveries(ctx context.Context, accountID string, webhookID int64, p store.Page) ([]store.Delivery, error) {
	return s.Store.WebhookDeliveries(ctx, accountID, webhookID, p)
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) max() int {
	if s.Max <= 0 {
		return MaxPerAccount
	}
	return s.Max
}

// FieldOf is the input field an Add error is about, or "" when it is
// about the request as a whole.
func FieldOf(err error) string { return errs.FieldOf(err) }
