package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"sluice/internal/errs"
	"sluice/internal/segment"
	"sluice/internal/store"
)

// SegmentJSON is a saved segment as the API shows it.
type SegmentJSON struct {
	ID        int64           `json:"id"`
	Name      string          `json:"name"`
	Filter    json.RawMessage `json:"filter"`
	CreatedAt time.Time       `json:"createdAt"`
}

// SegmentOf converts a saved segment.
func SegmentOf(s store.SavedSegment) SegmentJSON {
	return SegmentJSON{ID: s.ID, Name: s.Name, Filter: json.RawMessage(s.Filter), CreatedAt: s.CreatedAt.UTC()}
}

// maxSegmentName caps a saved segment's name, in characters.
const maxSegmentName = 200

func (a *API) now() time.Time {
	if a.d.Now != nil {
		return a.d.Now()
	}
	return time.Now()
}

// ParseFilter validates a request's filter (errs.Invalid, the message naming
// the bad part's path). The dashboard's segment page uses it too.
func ParseFilter(raw json.RawMessage) (segment.Node, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, errs.E(errs.Invalid, `filter: missing; send {"filter": {…}}, e.g. {"filter": {"event": "Purchased"}}`)
	}
	n, err := segment.Parse(raw)
	if err != nil {
		return nil, errs.E(errs.Invalid, "%s", err.Error())
	}
	return n, nil
}

func (a *API) querySegment(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var body struct {
		Filter json.RawMessage `json:"filter"`
		Limit  int             `json:"limit"`
		Cursor string          `json:"cursor"`
	}
	if err := decode(r, &body); err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out, err := a.runQuery(r, acct, body.Filter, body.Limit, body.Cursor)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// QueryJSON is the answer of POST /api/v1/segments/query.
type QueryJSON struct {
	Count    int64         `json:"count"`
	Profiles []ProfileJSON `json:"profiles"`
	Next     *string       `json:"next"`
}

func (a *API) runQuery(r *http.Request, acct store.Account, raw json.RawMessage, limit int, cur string) (QueryJSON, error) {
	var out QueryJSON
	if limit < 0 || limit > store.MaxLimit {
		return out, errs.E(errs.Invalid, "limit %d must be from 1 to %d", limit, store.MaxLimit)
	}
	var after int64
	if cur != "" {
		id, err := parseCursor(cur)
		if err != nil {
			return out, err
		}
		after = id
	}
	n, err := ParseFilter(raw)
	if err != nil {
		return out, err
	}
	limit = store.Page{Limit: limit}.Norm().Limit
	var ps []store.Profile
	out.Count, ps, err = SegmentPage(r.Context(), a.d.Segments, acct.ID, store.SegmentQuery{Filter: n, Now: a.now()}, after, limit)
	if err != nil {
		return out, err
	}
	out.Profiles = make([]ProfileJSON, len(ps))
	for i, p := range ps {
		out.Profiles[i] = ProfileOf(p)
	}
	if len(ps) == limit {
		out.Next = cursor(ps[len(ps)-1].ID)
	}
	return out, nil
}

// SegmentPage counts a segment and reads one page of it (ids above after, at
// most limit): the one path of the API's query and the dashboard's page.
func SegmentPage(ctx context.Context, segs store.Segments, accountID string, q store.SegmentQuery, after int64, limit int) (int64, []store.Profile, error) {
	n, err := segs.CountSegment(ctx, accountID, q)
	if err != nil {
		return 0, nil, err
	}
	ps, err := segs.SegmentProfiles(ctx, accountID, q, after, limit)
	return n, ps, err
}

func (a *API) listSegments(w http.ResponseWriter, r *http.Request, acct store.Account) {
	ss, err := a.d.Segments.ListSegments(r.Context(), acct.ID)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out := make([]SegmentJSON, len(ss))
	for i, s := range ss {
		out[i] = SegmentOf(s)
	}
	writeJSON(w, http.StatusOK, map[string]any{"segments": out})
}

func (a *API) createSegment(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var body struct {
		Name   string          `json:"name"`
		Filter json.RawMessage `json:"filter"`
	}
	if err := decode(r, &body); err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	s, err := NewSegment(acct.ID, body.Name, body.Filter, a.now())
	if err == nil {
		s, err = a.d.Segments.CreateSegment(r.Context(), s)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusCreated, SegmentOf(s))
}

// NewSegment checks a saved segment's name and filter (errs.Invalid) and
// returns it ready to store, its filter normalised; the API and the
// dashboard both save through it.
func NewSegment(accountID, name string, raw json.RawMessage, now time.Time) (store.SavedSegment, error) {
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > maxSegmentName {
		return store.SavedSegment{}, errs.E(errs.Invalid, "name: a segment needs a name of 1 to %d characters", maxSegmentName)
	}
	n, err := ParseFilter(raw)
	if err != nil {
		return store.SavedSegment{}, err
	}
	canonical, err := segment.Marshal(n)
	if err != nil {
		return store.SavedSegment{}, err
	}
	return store.SavedSegment{AccountID: accountID, Name: name, Filter: canonical, CreatedAt: now}, nil
}

func (a *API) getSegment(w http.ResponseWriter, r *http.Request, acct store.Account) {
	s, err := a.savedSegment(r, acct)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusOK, SegmentOf(s))
}

func (a *API) savedSegment(r *http.Request, acct store.Account) (store.SavedSegment, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.SavedSegment{}, err
	}
	return a.d.Segments.Segment(r.Context(), acct.ID, id)
}

func (a *API) deleteSegment(w http.ResponseWriter, r *http.Request, acct store.Account) {
	id, err := pathID(r, "id")
	if err == nil {
		err = a.d.Segments.DeleteSegment(r.Context(), acct.ID, id)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
