package web

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// maxRows caps the condition rows one form holds; bigger filters are
// edited as JSON.
const maxRows = 50

// condRow is one condition row of the segment form, as typed. Key is the
// row's number in the field names (c<Key>-kind …); rows added in the page
// keep theirs, so keys may have gaps.
type condRow struct {
	Key  string
	Kind string // property, event or reachable

	Prop, Op, Value string // a property condition

	Event, Did, CountOp, CountN, LastDays string // an event condition; Did is did or didnot
	WhereProp, WhereOp, WhereValue        string // the event's optional property condition

	Channel string // a reachable condition

	Error string // what is wrong with the row, shown next to it
}

// blank reports whether the row says nothing: it is left out of the filter.
func (r condRow) blank() bool {
	switch r.Kind {
	case "event":
		return strings.TrimSpace(r.Event) == ""
	case "reachable":
		return r.Channel == ""
	default:
		return strings.TrimSpace(r.Prop) == ""
	}
}

// segForm is the segment builder as the user left it, and what reading it found.
type segForm struct {
	Match string // all or any
	Rows  []condRow
	// JSON is the JSON box; Shown is what the page last put in it. When
	// they differ the user edited the box, and the box is the filter.
	JSON, Shown string
	Name        string // to save the filter under
	Columns     []string

	FromJSON bool // the filter came from the JSON box
	Fits     bool // the rows show the filter (else the form is set aside)

	JSONError, FormError, NameError, ColumnsError string
}

// readSegForm reads a posted builder (or a GET's query).
func readSegForm(v url.Values) segForm {
	f := segForm{Match: v.Get("match"), JSON: v.Get("json"), Shown: v.Get("shown"), Name: v.Get("name"), Fits: true}
	if f.Match != "any" {
		f.Match = "all"
	}
	var keys []int
	for k := range v {
		if n, ok := rowKey(k); ok {
			keys = append(keys, n)
		}
	}
	slices.Sort(keys)
	for _, n := range keys {
		if len(f.Rows) == maxRows {
			f.FormError = "The form holds at most " + strconv.Itoa(maxRows) + " conditions; write bigger filters in the JSON box."
			break
		}
		f.Rows = append(f.Rows, readRow(v, strconv.Itoa(n)))
	}
	for _, c := range v["properties"] {
		for _, name := range strings.Split(c, ",") {
			if name = strings.TrimSpace(name); name != "" {
				f.Columns = append(f.Columns, name)
			}
		}
	}
	return f
}

// rowKey reads the key of a row's first field, c<key>-kind (key 0–9999).
func rowKey(field string) (int, bool) {
	digits, ok := strings.CutSuffix(strings.TrimPrefix(field, "c"), "-kind")
	if !ok || len(digits) == 0 || len(digits) > 4 || !strings.HasPrefix(field, "c") {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(digits)
	return n, err == nil
}

func readRow(v url.Values, key string) condRow {
	get := func(field string) string { return v.Get("c" + key + "-" + field) }
	r := condRow{Key: key, Kind: get("kind"), Prop: get("prop"), Op: get("op"), Value: get("value"),
		Event: get("event"), Did: get("did"), CountOp: get("countop"), CountN: get("count"), LastDays: get("days"),
		WhereProp: get("wprop"), WhereOp: get("wop"), WhereValue: get("wvalue"), Channel: get("channel")}
	if r.Kind != "event" && r.Kind != "reachable" {
		r.Kind = "property"
	}
	return r
}

// newRow is an empty property row with a key after every row's.
func (f *segForm) newRow() condRow {
	next := 0
	for _, r := range f.Rows {
		if n, err := strconv.Atoi(r.Key); err == nil && n >= next {
			next = n + 1
		}
	}
	return condRow{Key: strconv.Itoa(next), Kind: "property", Op: "eq", Did: "did", CountOp: "gte"}
}

// jsonEdited reports whether the JSON box holds something other than what
// the page put there. Line breaks are left out of the comparison: browsers
// send a text box's as CRLF, and JSON has none inside its strings.
func (f *segForm) jsonEdited() bool {
	strip := func(s string) string {
		return strings.TrimSpace(strings.NewReplacer("\r", "", "\n", "").Replace(s))
	}
	box := strip(f.JSON)
	return box != "" && box != strip(f.Shown)
}

// filled is the rows that say something, with their place in the filter.
func (f *segForm) filled() []*condRow {
	var out []*condRow
	for i := range f.Rows {
		if !f.Rows[i].blank() {
			out = append(out, &f.Rows[i])
		}
	}
	return out
}

// rowOfPath finds the row a filter error's path points into: the form's
// filter is {"all"|"any": [row, …]}, so filter.all[2]… is the third filled row.
func (f *segForm) rowOfPath(path string) *condRow {
	rest, ok := strings.CutPrefix(path, "filter."+f.Match+"[")
	if !ok {
		return nil
	}
	end := strings.IndexByte(rest, ']')
	i, err := strconv.Atoi(rest[:max(end, 0)])
	if end < 0 || err != nil {
		return nil
	}
	if rows := f.filled(); i < len(rows) {
		return rows[i]
	}
	return nil
}

// pretty indents a filter's JSON for the JSON box.
func pretty(raw []byte) string {
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}
