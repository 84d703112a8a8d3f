package web

import (
	"net/url"
	"strings"
	"testing"

	"sluice/internal/record"
	"sluice/internal/segment"
	"sluice/internal/store"
)

// testNames is what the account's sample says about its names.
func testNames() store.KnownNames {
	p := func(n string, k record.Kind) store.KnownProperty { return store.KnownProperty{Name: n, Kind: k} }
	return store.KnownNames{
		Properties: []store.KnownProperty{p("Age", record.KindInt), p("City", record.KindString), p("DOB", record.KindDate),
			p("MSG-email", record.KindBool), p("Playlist", record.KindList), p("Zip", record.KindString)},
		Events:          []string{"Purchased"},
		EventProperties: []store.KnownProperty{p("Price", record.KindFloat)},
	}
}

// form builds posted values: "c0-kind=event&c0-event=Purchased…".
func form(t *testing.T, q string) segForm {
	t.Helper()
	v, err := url.ParseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return readSegForm(v)
}

func TestRowsMakeFilters(t *testing.T) {
	tests := []struct {
		name, form, want string
	}{
		{"empty form is everyone", "", `{"all":[]}`},
		{"blank rows are ignored", "c0-kind=property&c0-prop=&c1-kind=event&c1-event=+", `{"all":[]}`},
		{"text contains", "c0-kind=property&c0-prop=Playlist&c0-op=contains&c0-value=Rock",
			`{"all":[{"property":"Playlist","op":"contains","value":"Rock"}]}`},
		{"number by kind", "c0-kind=property&c0-prop=Age&c0-op=gte&c0-value=21",
			`{"all":[{"property":"Age","op":"gte","value":21}]}`},
		{"digits stay text for a text property", "c0-kind=property&c0-prop=Zip&c0-op=eq&c0-value=400001",
			`{"all":[{"property":"Zip","op":"eq","value":"400001"}]}`},
		{"unknown property: looks like a number", "c0-kind=property&c0-prop=Score&c0-op=lt&c0-value=2.5",
			`{"all":[{"property":"Score","op":"lt","value":2.5}]}`},
		{"bool, special name any case", "c0-kind=property&c0-prop=msg-email&c0-op=ne&c0-value=False",
			`{"all":[{"property":"MSG-email","op":"ne","value":false}]}`},
		{"day as a date", "c0-kind=property&c0-prop=DOB&c0-op=between&c0-value=1990-01-01,+1999-12-31T23:59:59Z",
			`{"all":[{"property":"DOB","op":"between","value":["1990-01-01T00:00:00Z","1999-12-31T23:59:59Z"]}]}`},
		{"in splits on commas", "c0-kind=property&c0-prop=City&c0-op=in&c0-value=Mumbai,+Delhi",
			`{"all":[{"property":"City","op":"in","value":["Mumbai","Delhi"]}]}`},
		{"exists has no value", "c0-kind=property&c0-prop=City&c0-op=exists&c0-value=ignored",
			`{"all":[{"property":"City","op":"exists"}]}`},
		{"did, default once", "c0-kind=event&c0-event=Purchased&c0-did=did&c0-countop=gte&c0-count=",
			`{"all":[{"event":"Purchased"}]}`},
		{"at least 2 in 30 days where", "match=any&c3-kind=event&c3-event=Purchased&c3-did=did&c3-countop=gte&c3-count=2&c3-days=30" +
			"&c3-wprop=Price&c3-wop=gt&c3-wvalue=100&c7-kind=reachable&c7-channel=email",
			`{"any":[{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30},"where":[{"property":"Price","op":"gt","value":100}]},{"reachable":"email"}]}`},
		{"did not do", "c0-kind=event&c0-event=Purchased&c0-did=didnot&c0-countop=gte&c0-count=5",
			`{"all":[{"event":"Purchased","count":{"eq":0}}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := form(t, tc.form)
			n := applyFilter(&f, testNames())
			if n == nil {
				t.Fatalf("refused: form %q json %q rows %+v", f.FormError, f.JSONError, f.Rows)
			}
			got, _ := segment.Marshal(n)
			if string(got) != tc.want {
				t.Fatalf("filter %s\nwant   %s", got, tc.want)
			}
			if f.FromJSON || !f.Fits || f.Shown != f.JSON || !strings.Contains(f.JSON, "\n") && tc.want != `{"all":[]}` {
				t.Fatalf("state after rows: fromJSON %v fits %v json %q shown %q", f.FromJSON, f.Fits, f.JSON, f.Shown)
			}
		})
	}
}

func TestRowErrors(t *testing.T) {
	tests := []struct {
		name, form, row, want string
	}{
		{"not a number", "c0-kind=property&c0-prop=City&c0-op=eq&c0-value=x&c4-kind=property&c4-prop=Age&c4-op=gt&c4-value=old",
			"4", "Age holds numbers; “old” is not a number"},
		{"not a date", "c2-kind=property&c2-prop=DOB&c2-op=lt&c2-value=yesterday", "2", "DOB holds dates"},
		{"between needs two", "c0-kind=property&c0-prop=Age&c0-op=between&c0-value=1", "0", "two values"},
		{"the filter language's path, on its row", "c0-kind=property&c0-prop=&c1-kind=property&c1-prop=City&c1-op=eq&c1-value=a" +
			"&c2-kind=property&c2-prop=a.b&c2-op=eq&c2-value=1", "2", "filter.all[1].property: a property name cannot hold"},
		{"days", "c0-kind=event&c0-event=Purchased&c0-did=did&c0-countop=gte&c0-days=0", "0", "filter.all[0].within.lastDays: expected a whole number"},
		{"times", "c0-kind=event&c0-event=Purchased&c0-did=did&c0-countop=lte&c0-count=", "0", "how many times"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := form(t, tc.form)
			if n := applyFilter(&f, testNames()); n != nil {
				t.Fatal("accepted")
			}
			for _, r := range f.Rows {
				if (r.Key == tc.row) != (r.Error != "") || r.Key == tc.row && !strings.Contains(r.Error, tc.want) {
					t.Fatalf("row %s error %q; want %q on row %s", r.Key, r.Error, tc.want, tc.row)
				}
			}
		})
	}
}

func TestJSONBox(t *testing.T) {
	tests := []struct {
		name, json string
		fits       bool
		err        string
	}{
		{"fits", `{"any": [{"property": "Age", "op": "gte", "value": 21}, {"event": "Purchased", "count": {"lte": 3}, "within": {"lastDays": 7}}]}`, true, ""},
		{"one condition fits", `{"reachable": "sms"}`, true, ""},
		{"nested groups", `{"all": [{"any": [{"event": "A"}]}]}`, false, ""},
		{"not", `{"not": {"event": "A"}}`, false, ""},
		{"time range", `{"event": "A", "within": {"from": "2026-01-01T00:00:00Z"}}`, false, ""},
		{"a number as text does not fit", `{"property": "Age", "op": "eq", "value": "30"}`, false, ""},
		{"a comma in an in list does not fit", `{"property": "City", "op": "in", "value": ["a,b"]}`, false, ""},
		{"malformed", `{"all": [{"property": "Age", "op": "bigger", "value": 1}]}`, false, `filter.all[0].op: "bigger" is not one of`},
		{"not JSON", `{"all": [`, false, "filter: not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := url.Values{"json": {tc.json}, "shown": {`{"all": []}`}, "c0-kind": {"property"}, "c0-prop": {"City"},
				"c0-op": {"exists"}}
			f := readSegForm(v)
			n := applyFilter(&f, testNames())
			if !f.FromJSON || f.Fits != tc.fits || (n == nil) != (tc.err != "") || !strings.HasPrefix(f.JSONError, tc.err) {
				t.Fatalf("fromJSON %v fits %v error %q; want fits %v error %q", f.FromJSON, f.Fits, f.JSONError, tc.fits, tc.err)
			}
			if tc.fits && (f.Shown != f.JSON || len(f.Rows) == 0) || !tc.fits && (f.Shown != "" || f.Rows != nil && tc.err == "") {
				t.Fatalf("rows %+v shown %q", f.Rows, f.Shown)
			}
			if !tc.fits {
				return
			}
			// The rows it became make the same filter, from the form.
			again := f
			n2 := applyFilter(&again, testNames())
			a, _ := segment.Marshal(asGroup(n))
			b, _ := segment.Marshal(n2)
			if again.FromJSON || string(a) != string(b) {
				t.Fatalf("round trip: %s then %s (fromJSON %v)", a, b, again.FromJSON)
			}
		})
	}
}

// TestJSONBoxAsSent: a browser sends the box with CRLF line breaks; the
// box the page filled is not an edit.
func TestRowKey(t *testing.T) {
	for field, want := range map[string]int{"c0-kind": 0, "c17-kind": 17, "c9999-kind": 9999, "c10000-kind": -1, "c-kind": -1,
		"c1-prop": -1, "d1-kind": -1, "c+1-kind": -1, "c1-kind-kind": -1} {
		n, ok := rowKey(field)
		if ok != (want >= 0) || ok && n != want {
			t.Errorf("rowKey(%q) = %d, %v; want %d", field, n, ok, want)
		}
	}
}

func TestJSONBoxAsSent(t *testing.T) {
	f := segForm{Match: "all", Fits: true, JSON: "{\r\n  \"all\": []\r\n}", Shown: "{\n  \"all\": []\n}"}
	if f.jsonEdited() {
		t.Fatal("CRLF counted as an edit")
	}
	f.JSON = "  "
	if f.jsonEdited() {
		t.Fatal("an empty box counted as an edit")
	}
}
