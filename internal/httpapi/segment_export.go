package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"

	"sluice/internal/errs"
	"sluice/internal/segment"
	"sluice/internal/segment/export"
	"sluice/internal/store"
)

// exportSaved streams GET /api/v1/segments/{id}/export.csv?properties=a,b.
func (a *API) exportSaved(w http.ResponseWriter, r *http.Request, acct store.Account) {
	props, err := export.ParseProperties(r.URL.Query().Get("properties"))
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	s, err := a.savedSegment(r, acct)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	n, err := segment.Parse(s.Filter)
	if err != nil {
		writeError(w, r, errs.E(errs.Invalid, "saved segment %d no longer reads as a filter: %v", s.ID, err), a.d.Logger)
		return
	}
	a.streamExport(w, r, acct, n, props, "segment-"+strconv.FormatInt(s.ID, 10)+".csv")
}

// exportFilter streams POST /api/v1/segments/export.csv {"filter", "properties"}.
func (a *API) exportFilter(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var body struct {
		Filter     json.RawMessage `json:"filter"`
		Properties []string        `json:"properties"`
	}
	if err := decode(r, &body); err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	props, err := export.CheckProperties(body.Properties)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	n, err := parseFilter(body.Filter)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	a.streamExport(w, r, acct, n, props, "segment.csv")
}

// streamExport writes rows as the store's cursor yields them. An error
// before the first byte went out is a JSON error; after it, the response is
// cut off (no final chunk), so that a client cannot take a part for the whole.
func (a *API) streamExport(w http.ResponseWriter, r *http.Request, acct store.Account, n segment.Node, props []string, name string) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	h.Set("Cache-Control", "no-store")
	sw := &sentWriter{w: w}
	q := store.SegmentQuery{Filter: n, Now: a.now()}
	rows, err := export.Run(r.Context(), a.d.Segments, acct.ID, q, props, sw)
	if err == nil {
		return
	}
	if !sw.sent {
		h.Del("Content-Disposition")
		writeError(w, r, err, a.d.Logger)
		return
	}
	if a.d.Logger != nil && r.Context().Err() == nil {
		a.d.Logger.Error("segment export cut off", slog.String("account", acct.ID), slog.Int64("rows", rows), slog.Any("err", err))
	}
	panic(http.ErrAbortHandler)
}

// sentWriter records whether any byte reached the response.
type sentWriter struct {
	w    http.ResponseWriter
	sent bool
}

func (s *sentWriter) Write(b []byte) (int, error) {
	s.sent = true
	return s.w.Write(b)
}
