package web

import (
	"net/http"
	"strings"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/segment"
	"sluice/internal/segment/export"
	"sluice/internal/store"
)

// segPageSize is how many matching profiles the page lists.
const segPageSize = 20

// builder is one request's segment builder: the form, the account's known
// names (the form's choices, and the kinds its values are read as) and the
// filter read from the form (nil when refused).
type builder struct {
	form   segForm
	names  store.KnownNames
	filter segment.Node
}

// readBuilder reads the form and the filter it holds, through the API's
// filter parser, so the page refuses what the API refuses, in its words.
func (d *Dashboard) readBuilder(r *http.Request, c *call, f segForm) (*builder, error) {
	names, err := d.d.Segments.KnownNames(r.Context(), c.account().ID)
	if err != nil {
		return nil, err
	}
	b := &builder{form: f, names: names}
	b.filter = applyFilter(&b.form, names)
	return b, nil
}

// applyFilter reads the filter of f, from its JSON box when the user edited
// it, else from its rows, and notes in f what went wrong (next to the row or
// the box it concerns), the filter's JSON, and whether the rows show it.
func applyFilter(f *segForm, names store.KnownNames) segment.Node {
	props, evProps := kindsOf(names.Properties), kindsOf(names.EventProperties)
	raw := []byte(f.JSON)
	f.FromJSON = f.jsonEdited()
	if !f.FromJSON {
		var ok bool
		if raw, ok = f.rowsFilter(props, evProps); !ok {
			return nil
		}
	}
	n, err := httpapi.ParseFilter(raw)
	if err != nil {
		msg := errs.MessageOf(err)
		path, _, _ := strings.Cut(msg, ": ")
		switch row := f.rowOfPath(path); {
		case f.FromJSON:
			f.JSONError, f.Fits, f.Shown = msg, false, ""
		case row != nil:
			row.Error = msg
		default:
			f.FormError = msg
		}
		return nil
	}
	canonical, err := segment.Marshal(n)
	if err != nil {
		f.FormError = err.Error()
		return nil
	}
	f.JSON, f.Fits = pretty(canonical), true
	if f.FromJSON {
		match, rows, ok := rowsOf(n)
		again := segForm{Match: match, Rows: rows}
		if raw, made := again.rowsFilter(props, evProps); !ok || !made || !sameFilter(raw, asGroup(n)) {
			f.Fits, f.Rows = false, nil
		} else {
			f.Match, f.Rows = match, rows
		}
	}
	f.Shown = ""
	if f.Fits {
		f.Shown = f.JSON
	}
	return n
}

// sameFilter reports whether raw reads as the filter n.
func sameFilter(raw []byte, n segment.Node) bool {
	m, err := segment.Parse(raw)
	if err != nil {
		return false
	}
	a, errA := segment.Marshal(m)
	b, errB := segment.Marshal(n)
	return errA == nil && errB == nil && string(a) == string(b)
}

// asGroup is n as the form makes it: a lone condition is an all of one.
func asGroup(n segment.Node) segment.Node {
	switch n.(type) {
	case segment.All, segment.Any:
		return n
	}
	return segment.All{Nodes: []segment.Node{n}}
}

func (d *Dashboard) query(n segment.Node) store.SegmentQuery {
	return store.SegmentQuery{Filter: n, Now: d.d.Now()}
}

// segmentPage counts the filter and reads its first profiles, as the API's query does.
func (d *Dashboard) segmentPage(r *http.Request, c *call, n segment.Node) (int64, []store.Profile, error) {
	return httpapi.SegmentPage(r.Context(), d.d.Segments, c.account().ID, d.query(n), 0, segPageSize)
}

// segmentsPage is the builder, empty or (?segment=ID) with a saved filter.
func (d *Dashboard) segmentsPage(w http.ResponseWriter, r *http.Request, c *call) {
	f := segForm{Match: "all", Fits: true}
	if id := r.URL.Query().Get("segment"); id != "" {
		s, err := d.savedSegment(r, c, id)
		if err != nil {
			d.storeError(w, r, c, err, "Segment not found")
			return
		}
		f.JSON = string(s.Filter) // an edited box: it becomes rows if the form can show it
	}
	d.showBuilder(w, r, c, f)
}

// submitSegments is the builder's own submit: without a script, it is how
// the page counts, lists, adds and removes rows.
func (d *Dashboard) submitSegments(w http.ResponseWriter, r *http.Request, c *call) {
	f := readSegForm(r.PostForm)
	switch do := r.PostForm.Get("do"); {
	case do == "add" && len(f.Rows) < maxRows:
		f.Rows = append(f.Rows, f.newRow())
	case strings.HasPrefix(do, "remove-"):
		key := strings.TrimPrefix(do, "remove-")
		for i, row := range f.Rows {
			if row.Key == key {
				f.Rows = append(f.Rows[:i], f.Rows[i+1:]...)
				break
			}
		}
	}
	d.showBuilder(w, r, c, f)
}

func (d *Dashboard) showBuilder(w http.ResponseWriter, r *http.Request, c *call, f segForm) {
	b, err := d.readBuilder(r, c, f)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.renderBuilder(w, r, c, b, http.StatusOK)
}

// renderBuilder shows the page: the form, the count and first profiles of
// its filter, and the saved segments. A refused filter is a 400.
func (d *Dashboard) renderBuilder(w http.ResponseWriter, r *http.Request, c *call, b *builder, status int) {
	data := segmentsData{Form: b.form, Names: b.names}
	if b.filter != nil {
		res, err := d.segResult(r, c, b.filter, b.names)
		if err != nil {
			d.fail(w, r, err)
			return
		}
		data.Result = res
	} else if status < 400 {
		status = http.StatusBadRequest
	}
	saved, err := d.d.Segments.ListSegments(r.Context(), c.account().ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data.Saved = saved
	d.show(w, r, c, status, "segments", "segments", "Segments", data.build())
}

// saveSegment saves the form's filter under a name, through the API's rules.
func (d *Dashboard) saveSegment(w http.ResponseWriter, r *http.Request, c *call) {
	b, err := d.readBuilder(r, c, readSegForm(r.PostForm))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if b.filter == nil {
		d.renderBuilder(w, r, c, b, http.StatusBadRequest)
		return
	}
	// The box holds the filter as applyFilter wrote it; NewSegment stores it canonical.
	s, err := httpapi.NewSegment(c.account().ID, b.form.Name, []byte(b.form.JSON), d.d.Now())
	if err == nil {
		s, err = d.d.Segments.CreateSegment(r.Context(), s)
	}
	if err != nil && errs.CodeOf(err) == errs.Internal {
		d.fail(w, r, err)
		return
	}
	if err != nil {
		b.form.NameError = errs.MessageOf(err)
		d.renderBuilder(w, r, c, b, httpapi.StatusOf(err))
		return
	}
	d.redirect(w, r, c, segmentPath(s.ID), notice{Text: "Segment “" + s.Name + "” saved."})
}

// exportFilter downloads the form's filter as CSV: the bytes of
// POST /api/v1/segments/export.csv for the same filter and columns.
func (d *Dashboard) exportFilter(w http.ResponseWriter, r *http.Request, c *call) {
	b, err := d.readBuilder(r, c, readSegForm(r.PostForm))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	props, err := export.CheckProperties(b.form.Columns)
	if err != nil {
		b.form.ColumnsError = errs.MessageOf(err)
	}
	if b.filter == nil || err != nil {
		d.renderBuilder(w, r, c, b, http.StatusBadRequest)
		return
	}
	if err := httpapi.StreamSegmentCSV(w, r, d.d.Segments, d.d.Logger, c.account().ID, d.query(b.filter), props, "segment.csv"); err != nil {
		d.fail(w, r, err)
	}
}
