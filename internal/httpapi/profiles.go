package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/store"
)

// ProfileJSON is a profile as the API shows it.
type ProfileJSON struct {
	ID          int64               `json:"id"`
	Identifiers map[string][]string `json:"identifiers"`
	Properties  map[string]any      `json:"properties"`
	CreatedAt   time.Time           `json:"createdAt"`
	UpdatedAt   time.Time           `json:"updatedAt"`
}

// EventJSON is an event as the API shows it.
type EventJSON struct {
	ID          int64             `json:"id"`
	Name        string            `json:"name"`
	Time        time.Time         `json:"time"`
	Identifiers map[string]string `json:"identifiers"`
	Properties  map[string]any    `json:"properties"`
	ImportID    int64             `json:"importId"`
}

// ProfileOf converts a stored profile.
func ProfileOf(p store.Profile) ProfileJSON {
	ids := map[string][]string{}
	for _, id := range p.Identifiers {
		ids[id.Kind] = append(ids[id.Kind], id.Value)
	}
	return ProfileJSON{ID: p.ID, Identifiers: ids, Properties: PropsOf(p.Props),
		CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()}
}

// EventOf converts a stored event.
func EventOf(e store.Event) EventJSON {
	ids := map[string]string{}
	for _, id := range e.Identifiers {
		ids[id.Kind] = id.Value
	}
	return EventJSON{ID: e.ID, Name: e.Name, Time: time.Unix(e.Time, 0).UTC(), Identifiers: ids,
		Properties: PropsOf(e.Props), ImportID: e.ImportID}
}

// PropsOf shows typed values: dates as RFC 3339 strings.
func PropsOf(p record.Props) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v.APIValue()
	}
	return out
}

func (a *API) getProfile(w http.ResponseWriter, r *http.Request, acct store.Account) {
	p, err := a.d.Store.ProfileByIdentifier(r.Context(), acct.ID, r.PathValue("identifier"))
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusOK, ProfileOf(p))
}

func (a *API) listEvents(w http.ResponseWriter, r *http.Request, acct store.Account) {
	f, err := eventFilter(r)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	evs, err := a.d.Store.ListEvents(r.Context(), acct.ID, f)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out := make([]EventJSON, len(evs))
	for i, e := range evs {
		out[i] = EventOf(e)
	}
	var next *string
	if len(evs) == f.Norm().Limit {
		next = cursor(evs[len(evs)-1].ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"events": out, "next": next})
}

func eventFilter(r *http.Request) (store.EventFilter, error) {
	page, err := pageOf(r)
	if err != nil {
		return store.EventFilter{}, err
	}
	q := r.URL.Query()
	f := store.EventFilter{Identifier: q.Get("identity"), Name: q.Get("name"), Page: page}
	if f.From, err = timeParam(q.Get("from"), "from"); err != nil {
		return f, err
	}
	if f.To, err = timeParam(q.Get("to"), "to"); err != nil {
		return f, err
	}
	return f, nil
}

// timeParam accepts RFC 3339 or epoch seconds.
func timeParam(v, name string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.Unix(), nil
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n, nil
	}
	return 0, errs.E(errs.Invalid, "%s %q must be an RFC 3339 time (2026-01-31T00:00:00Z) or epoch seconds", name, v)
}
