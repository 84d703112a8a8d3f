package record

import (
	"errors"
	"testing"

	"sluice/internal/manifest"
)

func TestNewConverterErrors(t *testing.T) {
	tests := []struct {
		name     string
		typ      string
		columns  map[string]manifest.Column
		header   []string
		isHeader bool // a *HeaderError, else a *manifest.Problem
		want     string
	}{
		{"no header", "event", nil, nil, true, "the header row is missing or empty"},
		{"empty name", "event", nil, []string{"identity", " "}, true, "header column 2 has no name"},
		{"duplicate name", "event", nil, []string{"a", "identity", " a"}, true, `header name "a" is in columns 1 and 3`},
		{"duplicate after bom", "event", nil, []string{"\ufeffa", "a"}, true, `header name "a" is in columns 1 and 2`},
		{"two operation columns", "profile", nil, []string{"a", "a.operation", "a.OPERATION"}, true, `columns "a.operation" and "a.OPERATION" both give the operation of "a"`},
		{"bad type", "user", nil, []string{"a"}, false, `type "user" must be event or profile`},
		{"two identity columns", "event", cols("id=>IDENTITY"), []string{"id", "identity"}, false, `columns "id" and "identity" both map to "identity"`},
		{"guid and objectId", "profile", nil, []string{"guid", "objectId"}, false, `columns "guid" and "objectId" both map to "objectId"`},
		{"dndPhone and dndSMS", "profile", nil, []string{"MSG-dndPhone", "MSG-dndSMS"}, false, `columns "MSG-dndPhone" and "MSG-dndSMS" both map to "MSG-dndSMS"`},
		{"renamed onto another", "event", cols("x=>Age"), []string{"Age", "x"}, false, `columns "Age" and "x" both map to "Age"`},
		{"op target renamed onto", "profile", cols("x=>Age"), []string{"x", "Age.operation"}, false, `columns "x" and "Age.operation" both map to "Age"`},
		{"hand-built bad dataType", "event", cols("x=NUMBER"), []string{"x"}, false, `dataType "NUMBER" of column "x" is not one of STRING, INTEGER, LONG, FLOAT, BOOLEAN, DATE`},
		{"hand-built bad dateFormat", "event", cols("x=DATE|yyyy"), []string{"x"}, false, `dateFormat "yyyy" of column "x" is not one of dd/MM/yyyy HH:mm:ss, MM/dd/yyyy HH:mm:ss, yyyy/dd/MM HH:mm:ss, yyyy/MM/dd HH:mm:ss, dd MMM yyyy HH:mm:ss, Unix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := manifest.Manifest{Type: tt.typ, FileName: "a.csv", ClientEmail: "ops@example.com", Columns: tt.columns}
			_, err := NewConverter(m, tt.header, nil)
			var he *HeaderError
			var p *manifest.Problem
			switch {
			case tt.isHeader && errors.As(err, &he):
				if he.Reason != tt.want || !errors.Is(err, ErrHeader) || err.Error() != "File couldn't be read: "+tt.want {
					t.Errorf("err = %v", err)
				}
			case !tt.isHeader && errors.As(err, &p):
				if p.Reason != tt.want || !p.SendMail || p.ClientEmail != "ops@example.com" || p.FileName != "a.csv" {
					t.Errorf("problem = %+v", p)
				}
			default:
				t.Errorf("err = %#v", err)
			}
		})
	}
}

func TestNewConverterHeaderMatching(t *testing.T) {
	columns := map[string]manifest.Column{
		"Age ":   {DataType: "INTEGER"}, // exact header text, space included
		" City":  {CTName: "Town"},      // found by its trimmed name
		"amount": {DataType: "float"},   // hand-built: normalized
		"Absent": {CTName: "identity"},  // not in this file: fine
		"Born":   {DataType: "date", DateFormat: "UNIX"},
	}
	c := MustConverter(t, "event", columns, []string{"\ufeffidentity", "evtName", "Age ", "City ", "amount", "Born"}, nil)
	row, reasons := c.Convert([]string{"u1", "E", "3", "Pune", "1.5", "5"})
	if reasons != nil {
		t.Fatal(reasons)
	}
	if row.Props["Age"].Kind != KindInt || row.Props["Town"].S != "Pune" || row.Props["amount"].Kind != KindFloat || row.Props["Born"].Kind != KindDate {
		t.Errorf("Props = %v", row.Props)
	}
}

func TestNoEmailNoMailForMappingProblem(t *testing.T) {
	m := manifest.Manifest{Type: "event", Columns: cols("x=>identity")}
	_, err := NewConverter(m, []string{"x", "identity"}, nil)
	var p *manifest.Problem
	if !errors.As(err, &p) || p.SendMail || p.ClientEmail != "" {
		t.Errorf("err = %#v", err)
	}
}

func TestAmbiguousTrimmedManifestKeys(t *testing.T) {
	columns := map[string]manifest.Column{" Age": {DataType: "INTEGER"}, "Age ": {DataType: "FLOAT"}}
	c := MustConverter(t, "event", columns, []string{"identity", "evtName", "Age"}, nil)
	row, reasons := c.Convert([]string{"u1", "E", "5"})
	if reasons != nil || row.Props["Age"].Kind != KindString {
		t.Errorf("two keys trim to the header: want neither, got %v %q", row.Props, reasons)
	}
}
