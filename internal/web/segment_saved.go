package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/segment"
	"sluice/internal/segment/export"
	"sluice/internal/store"
)

// savedData is a saved segment's page.
type savedData struct {
	Segment      store.SavedSegment
	JSON         string
	Result       *segResult
	Columns      []columnView
	Other        string
	ColumnsError string
}

// savedSegment reads one of the account's saved segments by its id as
// written in a path or query; another account's is not found, like a missing one.
func (d *Dashboard) savedSegment(r *http.Request, c *call, id string) (store.SavedSegment, error) {
	return byID(r, c, id, d.d.Segments.Segment, "This account has no segment %q. It may have been deleted.")
}

// savedFilter reads a saved segment and its filter.
func (d *Dashboard) savedFilter(r *http.Request, c *call) (store.SavedSegment, segment.Node, error) {
	s, err := d.savedSegment(r, c, r.PathValue("id"))
	if err != nil {
		return s, nil, err
	}
	n, err := segment.Parse(s.Filter)
	if err != nil {
		return s, nil, fmt.Errorf("saved segment %d no longer reads as a filter: %w", s.ID, err)
	}
	return s, n, nil
}

func (d *Dashboard) savedPage(w http.ResponseWriter, r *http.Request, c *call) {
	d.showSaved(w, r, c, http.StatusOK, nil, "")
}

// showSaved shows a saved segment: its filter, count, first profiles, and
// the export form with the columns asked for.
func (d *Dashboard) showSaved(w http.ResponseWriter, r *http.Request, c *call, status int, columns []string, colErr string) {
	s, n, err := d.savedFilter(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Segment not found")
		return
	}
	names, err := d.d.Segments.KnownNames(r.Context(), c.account().ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	res, err := d.segResult(r, c, n, names)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data := savedData{Segment: s, JSON: pretty(s.Filter), Result: res, ColumnsError: colErr}
	data.Columns, data.Other = columnsOf(names.Properties, columns)
	d.show(w, r, c, status, "segment", "segments", "Segment "+s.Name, data)
}

// exportSaved downloads a saved segment as CSV: the bytes of
// GET /api/v1/segments/{id}/export.csv?properties=… for the same columns.
// Columns come as properties=a,b like the API's, or one per checkbox.
func (d *Dashboard) exportSaved(w http.ResponseWriter, r *http.Request, c *call) {
	var asked []string
	for _, v := range r.URL.Query()["properties"] {
		if strings.TrimSpace(v) != "" {
			asked = append(asked, v)
		}
	}
	props, err := export.ParseProperties(strings.Join(asked, ","))
	if err != nil {
		d.showSaved(w, r, c, http.StatusBadRequest, strings.Split(strings.Join(asked, ","), ","), errs.MessageOf(err))
		return
	}
	s, n, err := d.savedFilter(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Segment not found")
		return
	}
	name := "segment-" + strconv.FormatInt(s.ID, 10) + ".csv"
	if err := httpapi.StreamSegmentCSV(w, r, d.d.Segments, d.d.Logger, c.account().ID, d.query(n), props, name); err != nil {
		d.fail(w, r, err)
	}
}

func (d *Dashboard) confirmDeleteSegment(w http.ResponseWriter, r *http.Request, c *call) {
	s, err := d.savedSegment(r, c, r.PathValue("id"))
	if err != nil {
		d.storeError(w, r, c, err, "Segment not found")
		return
	}
	d.show(w, r, c, http.StatusOK, "segment_delete", "segments", "Delete segment "+s.Name, s)
}

func (d *Dashboard) deleteSegment(w http.ResponseWriter, r *http.Request, c *call) {
	s, err := d.savedSegment(r, c, r.PathValue("id"))
	if err == nil {
		err = d.d.Segments.DeleteSegment(r.Context(), c.account().ID, s.ID)
	}
	if err != nil {
		d.storeError(w, r, c, err, "Segment not found")
		return
	}
	d.redirect(w, r, c, "/segments", notice{Text: "Segment “" + s.Name + "” deleted. Its profiles and events are untouched."})
}
