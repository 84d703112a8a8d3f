package web

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sluice/internal/record"
	"sluice/internal/segment"
	"sluice/internal/store"
)

// opt is one choice of a select.
type opt struct{ Value, Label string }

// rowOptions are the choices of a condition row's selects.
type rowOptions struct {
	Ops, CountOps, Channels []opt
}

func newRowOptions() *rowOptions {
	return &rowOptions{
		Ops: []opt{{"eq", "is"}, {"ne", "is not"}, {"contains", "contains"}, {"in", "is one of"},
			{"gt", "is more than"}, {"gte", "is at least"}, {"lt", "is less than"}, {"lte", "is at most"},
			{"between", "is between"}, {"exists", "is set"}, {"notExists", "is not set"}},
		CountOps: []opt{{"gte", "at least"}, {"lte", "at most"}, {"eq", "exactly"}},
		Channels: []opt{{"email", "email"}, {"sms", "SMS"}, {"whatsapp", "WhatsApp"}, {"push", "push"}},
	}
}

// rowView is a row with the choices of its selects, for the row template.
type rowView struct {
	condRow
	Opts *rowOptions
}

// columnView is a known property offered as an export column.
type columnView struct {
	Name, Kind string
	Checked    bool
}

// segmentsData is the segment builder page.
type segmentsData struct {
	Form     segForm
	Names    store.KnownNames
	Result   *segResult
	Saved    []store.SavedSegment
	Rows     []rowView
	Template rowView // the row the script adds
	Columns  []columnView
	Other    string // chosen columns that are not known names, comma-separated

	ColumnsError string
}

// build fills the views the template needs from the form.
func (data segmentsData) build() segmentsData {
	opts := newRowOptions()
	f := &data.Form
	if len(f.Rows) == 0 && f.Fits {
		f.Rows = []condRow{f.newRow()}
	}
	for _, r := range f.Rows {
		data.Rows = append(data.Rows, rowView{r, opts})
	}
	blank := f.newRow()
	blank.Key = "__i__"
	data.Template = rowView{blank, opts}
	data.Columns, data.Other = columnsOf(data.Names.Properties, f.Columns)
	data.ColumnsError = f.ColumnsError
	return data
}

func columnsOf(known []store.KnownProperty, chosen []string) ([]columnView, string) {
	out := make([]columnView, len(known))
	for i, p := range known {
		out[i] = columnView{Name: p.Name, Kind: kindName(p.Kind), Checked: slices.Contains(chosen, p.Name)}
	}
	var other []string
	for _, c := range chosen {
		if !slices.ContainsFunc(known, func(p store.KnownProperty) bool { return p.Name == c }) {
			other = append(other, c)
		}
	}
	return out, strings.Join(other, ", ")
}

// kindName says what a kind of property holds, for the name lists.
func kindName(k record.Kind) string {
	switch k {
	case record.KindInt, record.KindFloat:
		return "number"
	case record.KindBool:
		return "true/false"
	case record.KindDate:
		return "date"
	case record.KindList:
		return "list"
	}
	return "text"
}

// segResult is a filter's count and its first profiles.
type segResult struct {
	Count    int64
	Columns  []string
	Profiles []segProfile
	More     bool
}

// segProfile is a matching profile: the identifier that opens it on the
// Profiles page, its other identifiers, and the columns' values.
type segProfile struct {
	Link  string
	Other []string
	Cells []propView
}

// CountText says how many profiles match.
func (r *segResult) CountText() string {
	switch r.Count {
	case 0:
		return "No profile matches."
	case 1:
		return "1 profile matches."
	}
	return formatInt(r.Count) + " profiles match."
}

// segResult counts the filter and reads its first page, by the API's path.
func (d *Dashboard) segResult(r *http.Request, c *call, n segment.Node, names store.KnownNames) (*segResult, error) {
	count, ps, err := d.segmentPage(r, c, n)
	if err != nil {
		return nil, err
	}
	res := &segResult{Count: count, Columns: tableColumns(n, names), More: count > int64(len(ps))}
	for _, p := range ps {
		sp := segProfile{}
		for i, id := range p.Identifiers {
			if i == 0 {
				sp.Link = id.Value
			} else {
				sp.Other = append(sp.Other, id.Kind+" "+id.Value)
			}
		}
		for _, col := range res.Columns {
			v, ok := p.Props[col]
			if !ok {
				sp.Cells = append(sp.Cells, propView{Name: col, Kind: "none"})
				continue
			}
			sp.Cells = append(sp.Cells, c.propView(col, v))
		}
		res.Profiles = append(res.Profiles, sp)
	}
	return res, nil
}

// tableColumns are the properties the list shows: those the filter tests,
// then Name and Email if the account has them; four at most.
func tableColumns(n segment.Node, names store.KnownNames) []string {
	var cols []string
	add := func(name string) {
		if len(cols) < 4 && !slices.Contains(cols, name) {
			cols = append(cols, name)
		}
	}
	var walk func(segment.Node)
	walk = func(n segment.Node) {
		switch x := n.(type) {
		case segment.All:
			for _, c := range x.Nodes {
				walk(c)
			}
		case segment.Any:
			for _, c := range x.Nodes {
				walk(c)
			}
		case segment.Not:
			walk(x.Node)
		case segment.Prop:
			add(x.Name)
		}
	}
	walk(n)
	for _, p := range []string{"Name", "Email"} {
		if slices.ContainsFunc(names.Properties, func(k store.KnownProperty) bool { return k.Name == p }) {
			add(p)
		}
	}
	return cols
}

// countJSON is the live count's answer: what the page shows after a change.
type countJSON struct {
	Count     *int64            `json:"count"`
	CountText string            `json:"countText"`
	Table     string            `json:"table"`
	JSON      string            `json:"json"`
	FromJSON  bool              `json:"fromJSON"`
	Fits      bool              `json:"fits"`
	Rows      *string           `json:"rows,omitempty"` // the rows of a JSON box's filter the form can show
	JSONError string            `json:"jsonError"`
	FormError string            `json:"formError"`
	RowErrors map[string]string `json:"rowErrors"`
}

// segmentCount answers the page's script as the form changes: the count,
// the first profiles, the filter's JSON, and what is wrong, if anything.
func (d *Dashboard) segmentCount(w http.ResponseWriter, r *http.Request, c *call) {
	b, err := d.readBuilder(r, c, readSegForm(r.PostForm))
	if err != nil {
		d.jsonError(w, r, err)
		return
	}
	f := b.form
	out := countJSON{JSON: f.JSON, FromJSON: f.FromJSON, Fits: f.Fits, JSONError: f.JSONError, FormError: f.FormError,
		RowErrors: map[string]string{}, CountText: "The filter has a problem; the message is next to it."}
	for _, row := range f.Rows {
		if row.Error != "" {
			out.RowErrors[row.Key] = row.Error
		}
	}
	status := http.StatusBadRequest
	if b.filter != nil {
		status = http.StatusOK
		res, err := d.segResult(r, c, b.filter, b.names)
		if err == nil {
			out.Count, out.CountText = &res.Count, res.CountText()
			out.Table, err = d.views.fragment("segments", "seg-table", res)
		}
		if err != nil {
			d.jsonError(w, r, err)
			return
		}
	}
	if f.FromJSON && f.Fits {
		data := segmentsData{Form: f, Names: b.names}.build()
		rows, err := d.views.fragment("segments", "seg-rows", data.Rows)
		if err != nil {
			d.jsonError(w, r, err)
			return
		}
		out.Rows = &rows
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(out)
}

// segmentPath is a saved segment's page.
func segmentPath(id int64) string { return "/segments/" + strconv.FormatInt(id, 10) }
