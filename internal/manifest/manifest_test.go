package manifest

import (
	"reflect"
	"strings"
	"testing"
)

const okEmail = `"clientEmail": "ops@example.com"`

func TestParseValid(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Manifest
	}{
		{"minimal event", `{"type":"event","fileName":"a.csv",` + okEmail + `}`,
			Manifest{Type: "event", FileName: "a.csv", ClientEmail: "ops@example.com", Columns: map[string]Column{}}},
		{"bom, crlf, tabs, odd key case and padding",
			"\xef\xbb\xbf{\r\n\t\"TYPE\" :\t\" Profile \",\r\n \"filename\": \" users.csv.gz \",\r\n\t\" ClientEmail \": \" ops@example.com\"\r\n}\r\n",
			Manifest{Type: "profile", FileName: "users.csv.gz", ClientEmail: "ops@example.com", Columns: map[string]Column{}}},
		{"encrypted with keyId", `{"type":"event","fileName":"a.csv.gz.gpg","keyId":" k1 ",` + okEmail + `}`,
			Manifest{Type: "event", FileName: "a.csv.gz.gpg", ClientEmail: "ops@example.com", KeyID: "k1", Columns: map[string]Column{}}},
		{"keyId kept on a plain file", `{"type":"event","fileName":"a.csv","keyId":"k1",` + okEmail + `}`,
			Manifest{Type: "event", FileName: "a.csv", ClientEmail: "ops@example.com", KeyID: "k1", Columns: map[string]Column{}}},
		{"unknown keys ignored, null columns", `{"type":"event","fileName":"a.csv","extra":[1],"columns":null,` + okEmail + `}`,
			Manifest{Type: "event", FileName: "a.csv", ClientEmail: "ops@example.com", Columns: map[string]Column{}}},
		{"columns normalized", `{"type":"profile","fileName":"a.csv",` + okEmail + `,"columns":{
			"Age ":{"dataType":"integer"},
			"id":{"CTNAME":"identity"},
			"Birthday":{"datatype":"Date","DateFormat":" dd/mm/yyyy   hh:mm:ss "},
			"seen":{"dataType":"DATE","dateFormat":"unix"},
			"joined":{"dateFormat":"dd MMM yyyy HH:mm:ss"},
			"note":{"dataType":"string","dateFormat":"nonsense"},
			"plain":null, "empty":{}}}`,
			Manifest{Type: "profile", FileName: "a.csv", ClientEmail: "ops@example.com", Columns: map[string]Column{
				"Age ":     {DataType: "INTEGER"},
				"id":       {CTName: "identity", DataType: "STRING"},
				"Birthday": {DataType: "DATE", DateFormat: FormatDMY},
				"seen":     {DataType: "DATE", DateFormat: FormatUnix},
				"joined":   {DataType: "DATE", DateFormat: FormatDMon},
				"note":     {DataType: "STRING"},
				"plain":    {DataType: "STRING"},
				"empty":    {DataType: "STRING"},
			}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, p := Parse([]byte(tt.in))
			if p != nil {
				t.Fatalf("Parse: %v", p)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func TestParseEveryDateFormat(t *testing.T) {
	for _, f := range DateFormats {
		for _, spelling := range []string{f, strings.ToUpper(f), strings.ToLower(f), "  " + f + "\t"} {
			in := `{"type":"event","fileName":"a.csv",` + okEmail + `,"columns":{"d":{"dataType":"DATE","dateFormat":"` + strings.ReplaceAll(spelling, "\t", `\t`) + `"}}}`
			m, p := Parse([]byte(in))
			if p != nil {
				t.Fatalf("%q: %v", spelling, p)
			}
			if got := m.Columns["d"].DateFormat; got != f {
				t.Errorf("%q: DateFormat = %q, want %q", spelling, got, f)
			}
		}
	}
}

func TestParseEveryDataType(t *testing.T) {
	for _, dt := range DataTypes {
		for _, spelling := range []string{dt, strings.ToLower(dt), " " + dt[:1] + strings.ToLower(dt[1:]) + " "} {
			extra := ""
			if dt == DataDate {
				extra = `,"dateFormat":"Unix"`
			}
			in := `{"type":"event","fileName":"a.csv",` + okEmail + `,"columns":{"c":{"dataType":"` + spelling + `"` + extra + `}}}`
			m, p := Parse([]byte(in))
			if p != nil {
				t.Fatalf("%q: %v", spelling, p)
			}
			if got := m.Columns["c"].DataType; got != dt {
				t.Errorf("%q: DataType = %q, want %q", spelling, got, dt)
			}
		}
	}
}

func TestProblemError(t *testing.T) {
	p := &Problem{Reason: "type must be event or profile"}
	if got, want := p.Error(), "Incorrect details in manifest file: type must be event or profile"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
