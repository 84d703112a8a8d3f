package record

import (
	"strings"
	"testing"
	"time"

	"sluice/internal/manifest"
)

// cols builds a manifest column map from "name=TYPE[|format][>ctName]" specs.
func cols(specs ...string) map[string]manifest.Column {
	m := map[string]manifest.Column{}
	for _, s := range specs {
		name, rest, _ := strings.Cut(s, "=")
		rest, ct, _ := strings.Cut(rest, ">")
		dt, f, _ := strings.Cut(rest, "|")
		m[name] = manifest.Column{CTName: ct, DataType: dt, DateFormat: f}
	}
	return m
}

func MustConverter(tb testing.TB, typ string, columns map[string]manifest.Column, header []string, loc *time.Location) *Converter {
	tb.Helper()
	m := manifest.Manifest{Type: typ, FileName: "a.csv", ClientEmail: "ops@example.com", Columns: columns}
	c, err := NewConverter(m, header, loc)
	if err != nil {
		tb.Fatalf("NewConverter: %v", err)
	}
	return c
}

// convertValue converts one cell of a column "X" declared dataType|format,
// in an event row that is otherwise valid.
func convertValue(tb testing.TB, dataType, format, cell string) (Value, []string) {
	tb.Helper()
	c := MustConverter(tb, "event", cols("X="+dataType+"|"+format), []string{"identity", "evtName", "X"}, nil)
	row, reasons := c.Convert([]string{"u1", "Bought", cell})
	return row.Props["X"], reasons
}

func utc(y int, m time.Month, d, h, mi, s int) int64 {
	return time.Date(y, m, d, h, mi, s, 0, time.UTC).Unix()
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
