package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// MaxWebhooks is how many webhook endpoints one account may have.
const MaxWebhooks = 20

// WebhookStore is what the webhook routes read and write.
type WebhookStore interface {
	store.Webhooks
	WebhookDeliveries(ctx context.Context, accountID string, webhookID int64, p store.Page) ([]store.Delivery, error)
}

// WebhookJSON is a webhook as the API shows it; the secret only in the
// answer to its creation.
type WebhookJSON struct {
	ID                  int64     `json:"id"`
	URL                 string    `json:"url"`
	CreatedAt           time.Time `json:"createdAt"`
	ImportNotifications bool      `json:"importNotifications"` // this webhook receives import notifications
	Secret              string    `json:"secret,omitempty"`
}

// DeliveryJSON is one notification sent (or being sent) to a webhook.
type DeliveryJSON struct {
	ID            int64         `json:"id"`
	EventID       string        `json:"eventId"` // the body's "id", the same on every attempt
	Event         string        `json:"event"`
	ImportID      int64         `json:"importId"`
	Status        string        `json:"status"` // pending, delivered or failed (given up)
	Attempts      int           `json:"attempts"`
	NextAttemptAt *time.Time    `json:"nextAttemptAt"` // while pending
	LastError     string        `json:"lastError"`
	CreatedAt     time.Time     `json:"createdAt"`
	DeliveredAt   *time.Time    `json:"deliveredAt"`
	AttemptLog    []AttemptJSON `json:"attemptLog"`
}

// AttemptJSON is one try at a delivery.
type AttemptJSON struct {
	At         time.Time `json:"at"`
	StatusCode int       `json:"statusCode"` // 0: no answer (see error)
	Error      string    `json:"error"`
	DurationMS int64     `json:"durationMs"`
}

// DeliveryOf converts a stored delivery.
func DeliveryOf(d store.Delivery) DeliveryJSON {
	j := DeliveryJSON{ID: d.ID, EventID: d.IdempotencyID, Event: string(d.Milestone), ImportID: d.ImportID,
		Status: string(d.Status), Attempts: d.Attempts, LastError: d.LastError, CreatedAt: d.CreatedAt.UTC(),
		DeliveredAt: utc(d.DeliveredAt), AttemptLog: make([]AttemptJSON, len(d.AttemptLog))}
	if d.Status == store.DeliveryPending {
		j.NextAttemptAt = utc(&d.NextAttemptAt)
	}
	for i, a := range d.AttemptLog {
		j.AttemptLog[i] = AttemptJSON{At: a.At.UTC(), StatusCode: a.StatusCode, Error: a.Error, DurationMS: a.Duration.Milliseconds()}
	}
	return j
}

func (a *API) listWebhooks(w http.ResponseWriter, r *http.Request, acct store.Account) {
	hooks, err := a.d.Webhooks.ListWebhooks(r.Context(), acct.ID)
	chosen := int64(0)
	if err == nil {
		chosen, err = a.chosenWebhook(r.Context(), acct.ID)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out := make([]WebhookJSON, len(hooks))
	for i, h := range hooks {
		out[i] = WebhookJSON{ID: h.ID, URL: h.URL, CreatedAt: h.CreatedAt.UTC(), ImportNotifications: h.ID == chosen}
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhooks": out, "webhookId": idOrNull(chosen)})
}

// chosenWebhook is the id of the webhook receiving import notifications, 0 if none.
func (a *API) chosenWebhook(ctx context.Context, accountID string) (int64, error) {
	h, err := a.d.Webhooks.NotificationWebhook(ctx, accountID)
	if errs.Is(err, errs.NotFound) {
		return 0, nil
	}
	return h.ID, err
}

func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// addWebhook stores a webhook; its secret (given, or generated) is shown
// in this answer only. An account's first webhook receives its import
// notifications from the start, since that is why one adds it.
func (a *API) addWebhook(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var in struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	err := decode(r, &in)
	if err == nil {
		err = checkWebhook(&in.URL, &in.Secret)
	}
	var hook store.Webhook
	if err == nil {
		hook, err = a.d.Webhooks.CreateWebhook(r.Context(), store.Webhook{AccountID: acct.ID, URL: in.URL,
			Secret: in.Secret, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}, MaxWebhooks)
	}
	chosen := int64(0)
	if err == nil {
		chosen, err = a.chooseIfFirst(r.Context(), acct.ID, hook.ID)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusCreated, WebhookJSON{ID: hook.ID, URL: hook.URL, CreatedAt: hook.CreatedAt,
		ImportNotifications: chosen == hook.ID, Secret: hook.Secret})
}

func (a *API) chooseIfFirst(ctx context.Context, accountID string, id int64) (int64, error) {
	hooks, err := a.d.Webhooks.ListWebhooks(ctx, accountID)
	if err != nil || len(hooks) != 1 {
		return 0, err
	}
	return id, a.d.Webhooks.SetNotificationWebhook(ctx, accountID, id)
}

// checkWebhook validates the URL and fills in a generated secret.
func checkWebhook(raw, secret *string) error {
	u, err := url.Parse(*raw)
	switch {
	case *raw == "":
		return errs.E(errs.Invalid, "url is required: the http:// or https:// address to POST notifications to")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errs.E(errs.Invalid, "url %q must be an absolute http:// or https:// URL", *raw)
	case len(*raw) > 2048:
		return errs.E(errs.Invalid, "url is %d characters long; at most 2048 are allowed", len(*raw))
	case *secret == "":
		*secret = "whsec_" + rand.Text()
	case len(*secret) < 16 || len(*secret) > 256:
		return errs.E(errs.Invalid, "secret must be 16 to 256 characters long (or left out to have one generated)")
	}
	return nil
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request, acct store.Account) {
	id, err := pathID(r, "id")
	if err == nil {
		err = a.d.Webhooks.DeleteWebhook(r.Context(), acct.ID, id)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getNotifications(w http.ResponseWriter, r *http.Request, acct store.Account) {
	chosen, err := a.chosenWebhook(r.Context(), acct.ID)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhookId": idOrNull(chosen)})
}

// setNotifications chooses the webhook for import notifications: {"webhookId": 3},
// or {"webhookId": null} to send none.
func (a *API) setNotifications(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var in struct {
		WebhookID json.RawMessage `json:"webhookId"`
	}
	err := decode(r, &in)
	var id int64
	if err == nil {
		id, err = webhookIDOf(in.WebhookID)
	}
	if err == nil {
		err = a.d.Webhooks.SetNotificationWebhook(r.Context(), acct.ID, id)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"webhookId": idOrNull(id)})
}

func webhookIDOf(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 {
		return 0, errs.E(errs.Invalid, "webhookId is required: a webhook's id, or null to send no import notifications")
	}
	if string(raw) == "null" {
		return 0, nil
	}
	var id int64
	if err := json.Unmarshal(raw, &id); err != nil {
		return 0, errs.E(errs.Invalid, "webhookId must be a webhook's id (a whole number) or null, not %s", raw)
	}
	if id <= 0 {
		return 0, errs.E(errs.NotFound, "no webhook %d in this account", id)
	}
	return id, nil
}

func (a *API) webhookDeliveries(w http.ResponseWriter, r *http.Request, acct store.Account) {
	id, err := pathID(r, "id")
	var page store.Page
	if err == nil {
		page, err = pageOf(r)
	}
	var ds []store.Delivery
	if err == nil {
		ds, err = a.d.Webhooks.WebhookDeliveries(r.Context(), acct.ID, id, page)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out := make([]DeliveryJSON, len(ds))
	for i, d := range ds {
		out[i] = DeliveryOf(d)
	}
	var next *string
	if len(ds) == page.Norm().Limit {
		next = cursor(ds[len(ds)-1].ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": out, "next": next})
}
