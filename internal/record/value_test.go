package record

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestValueJSONRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		v    Value
		json string
	}{
		{"string", String("a\"b"), `"a\"b"`},
		{"int", Int(-42), `-42`},
		{"float", Float(1.5), `1.5`},
		{"bool", Bool(true), `true`},
		{"date", Date(1735689599), `"$D_1735689599"`},
		{"list", List([]string{"x", "y"}), `["x","y"]`},
		{"empty list", List(nil), `[]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			if err != nil || string(b) != tt.json {
				t.Fatalf("Marshal = %s, %v; want %s", b, err, tt.json)
			}
			var back Value
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			if tt.v.L == nil && tt.v.Kind == KindList {
				tt.v.L = []string{}
			}
			if !reflect.DeepEqual(back, tt.v) {
				t.Errorf("round trip = %#v, want %#v", back, tt.v)
			}
		})
	}
}

func TestValueUnmarshalRefuses(t *testing.T) {
	for _, in := range []string{`{}`, `[1]`, `null`, `x`} {
		var v Value
		if err := json.Unmarshal([]byte(in), &v); err == nil {
			t.Errorf("%s accepted as %#v", in, v)
		}
	}
}

func TestValueTextAndAPI(t *testing.T) {
	d := DateOf(time.Date(2024, 12, 31, 23, 59, 59, 0, time.FixedZone("X", 3600)))
	tests := []struct {
		v    Value
		text string
		api  any
	}{
		{String("s"), "s", "s"},
		{Int(3), "3", int64(3)},
		{Float(0.25), "0.25", 0.25},
		{Bool(false), "false", false},
		{d, "$D_1735685999", "2024-12-31T22:59:59Z"},
		{List([]string{"a", "b"}), "a,b", []string{"a", "b"}},
		{List(nil), "", []string{}},
	}
	for _, tt := range tests {
		if got := tt.v.Text(); got != tt.text {
			t.Errorf("Text(%#v) = %q, want %q", tt.v, got, tt.text)
		}
		if got := tt.v.APIValue(); !reflect.DeepEqual(got, tt.api) {
			t.Errorf("APIValue(%#v) = %#v, want %#v", tt.v, got, tt.api)
		}
	}
}

// Converted strings never start with "$D_<digits>", so the store's JSON
// cannot turn a string into a date on the way back.
func TestConvertedStringsSurviveTheStore(t *testing.T) {
	for _, cell := range []string{"$D_", "$D_x", "$d_5", " $D_5"} {
		v, reasons := convertValue(t, "STRING", "", cell)
		if reasons != nil {
			continue // refused: never stored
		}
		b, _ := json.Marshal(v)
		var back Value
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, v) {
			t.Errorf("%q: stored %#v, read back %#v", cell, v, back)
		}
	}
}
