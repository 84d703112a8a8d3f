package record

import (
	"reflect"
	"testing"

	"sluice/internal/manifest"
)

// A reused map holds only the latest row's properties.
func TestConvertReusing(t *testing.T) {
	m := manifest.Manifest{Type: "event", FileName: "a.csv", ClientEmail: "ops@example.com"}
	c, err := NewConverter(m, []string{"identity", "evtName", "A", "B"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	props := Props{}
	tests := []struct {
		name   string
		fields []string
		want   Props
	}{
		{"first row", []string{"u1", "E", "x", "y"}, Props{"A": String("x"), "B": String("y")}},
		{"an empty cell leaves no earlier value", []string{"u2", "E", "", "z"}, Props{"B": String("z")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			row, reasons := c.ConvertReusing(tc.fields, props)
			if len(reasons) > 0 || !reflect.DeepEqual(row.Props, tc.want) {
				t.Fatalf("got %v %v, want %v", row.Props, reasons, tc.want)
			}
		})
	}
}
