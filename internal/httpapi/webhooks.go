package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

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
	hooks, chosen, err := a.d.Webhooks.List(r.Context(), acct.ID)
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

func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// addWebhook stores a webhook through webhooks.Service; its secret (given,
// or generated) is shown in this answer only.
func (a *API) addWebhook(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var in struct {
		URL    string `json:"url"`
		Secret string `json:"secret"`
	}
	err := decode(r, &in)
	var hook store.Webhook
	var chosen bool
	if err == nil {
		hook, chosen, err = a.d.Webhooks.Add(r.Context(), acct.ID, in.URL, in.Secret)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusCreated, WebhookJSON{ID: hook.ID, URL: hook.URL, CreatedAt: hook.CreatedAt,
		ImportNotifications: chosen, Secret: hook.Secret})
}

func (a *API) deleteWebhook(w http.ResponseWriter, r *http.Request, acct store.Account) {
	id, err := pathID(r, "id")
	if err == nil {
		err = a.d.Webhooks.Delete(r.Context(), acct.ID, id)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *API) getNotifications(w http.ResponseWriter, r *http.Request, acct store.Account) {
	chosen, err := a.d.Webhooks.Chosen(r.Context(), acct.ID)
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
		err = a.d.Webhooks.Choose(r.Context(), acct.ID, id)
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
		ds, err = a.d.Webhooks.Deliveries(r.Context(), acct.ID, id, page)
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
