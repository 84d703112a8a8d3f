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
	n, err := ParseFilter(body.Filter)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	a.streamExport(w, r, acct, n, props, "segment.csv")
}

func (a *API) streamExport(w http.ResponseWriter, r *http.Request, acct store.Account, n segment.Node, props []string, name string) {
	q := store.SegmentQuery{Filter: n, Now: a.now()}
	if err := StreamSegmentCSV(w, r, a.d.Segments, a.d.Logger, acct.ID, q, props, name); err != nil {
		writeError(w, r, err, a.d.Logger)
	}
}

// StreamSegmentCSV writes a segment's export as an attachment named
// filename, rows going out as the store's cursor yields them; the API's and
// the dashboard's exports both come from it, byte for byte. An error before
// the first byte went out is returned, for the caller to answer in its own
// form; after it, the response is cut off (no final chunk), so that a client
// cannot take a part for the whole.
func StreamSegmentCSV(w http.ResponseWriter, r *http.Request, src export.Source, log *slog.Logger, accountID string,
	q store.SegmentQuery, props []string, filename string) error {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	sw := &sentWriter{w: w}
	rows, err := export.Run(r.Context(), src, accountID, q, props, sw)
	if err == nil {
		return nil
	}
	if !sw.sent {
		h.Del("Content-Disposition")
		h.Del("Content-Type")
		return err
	}
	if log != nil && r.Context().Err() == nil {
		log.Error("segment export cut off", slog.String("account", accountID), slog.Int64("rows", rows), slog.Any("err", err))
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
