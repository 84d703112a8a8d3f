package record

import (
	"reflect"
	"strings"
	"testing"
)

func TestConvertValues(t *testing.T) {
	tests := []struct {
		name, dataType, cell string
		want                 Value
	}{
		{"string verbatim", "STRING", "  hello, world ", String("  hello, world ")},
		{"default type is string", "", "42", String("42")},
		{"string 512 chars", "STRING", strings.Repeat("é", 512), String(strings.Repeat("é", 512))},
		{"integer", "INTEGER", "42", Int(42)},
		{"integer padded", "INTEGER", " -7 ", Int(-7)},
		{"integer plus sign", "INTEGER", "+7", Int(7)},
		{"integer leading zeros", "INTEGER", "007", Int(7)},
		{"integer max", "INTEGER", "2147483647", Int(2147483647)},
		{"integer min", "INTEGER", "-2147483648", Int(-2147483648)},
		{"long max", "LONG", "9223372036854775807", Int(9223372036854775807)},
		{"long min", "LONG", "-9223372036854775808", Int(-9223372036854775808)},
		{"float", "FLOAT", "12.5", Float(12.5)},
		{"float whole", "FLOAT", "12", Float(12)},
		{"float exponent", "FLOAT", "-3.2E4", Float(-32000)},
		{"float leading dot", "FLOAT", ".5", Float(0.5)},
		{"float trailing dot", "FLOAT", "5.", Float(5)},
		{"float max", "FLOAT", "1.7976931348623157e308", Float(1.7976931348623157e308)},
		{"bool true", "BOOLEAN", "true", Bool(true)},
		{"bool TRUE", "BOOLEAN", "TRUE", Bool(true)},
		{"bool False", "BOOLEAN", "False", Bool(false)},
		{"bool 1", "BOOLEAN", "1", Bool(true)},
		{"bool 0", "BOOLEAN", "0", Bool(false)},
		{"bool yes", "BOOLEAN", "Yes", Bool(true)},
		{"bool no", "BOOLEAN", "NO", Bool(false)},
		{"bool y", "BOOLEAN", "y", Bool(true)},
		{"bool N", "BOOLEAN", " N ", Bool(false)},
		{"$D_ in string", "STRING", "$D_1735689599", Date(1735689599)},
		{"$D_ in integer", "INTEGER", "$D_1735689599", Date(1735689599)},
		{"$D_ in long", "LONG", "$D_1735689599", Date(1735689599)},
		{"$D_ in float", "FLOAT", "$D_1735689599", Date(1735689599)},
		{"$D_ in boolean", "BOOLEAN", "$D_0", Date(0)},
		{"$D_ in date", "DATE", "$D_-86400", Date(-86400)},
		{"$D_ padded", "STRING", " $D_5 ", Date(5)},
		{"$D_ fraction dropped", "STRING", "$D_5.9", Date(5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format := ""
			if tt.dataType == "DATE" {
				format = "Unix"
			}
			got, reasons := convertValue(t, tt.dataType, format, tt.cell)
			if reasons != nil {
				t.Fatalf("refused: %q", reasons)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestConvertValuesRefused(t *testing.T) {
	const (
		integer = "is not a valid INTEGER (whole number from -2147483648 to 2147483647)"
		long    = "is not a valid LONG (whole number from -9223372036854775808 to 9223372036854775807)"
		float   = "is not a valid FLOAT (finite decimal number, e.g. 12.5 or -3.2e4)"
		boolean = "is not a valid BOOLEAN (true/false, 1/0, yes/no or y/n, any case)"
		dollar  = "is not a valid $D_ date ($D_ followed by epoch seconds, e.g. $D_1735689599)"
	)
	tests := []struct {
		name, dataType, cell, want string
	}{
		{"integer text", "INTEGER", "abc", `X: "abc" ` + integer},
		{"integer decimal", "INTEGER", "5.0", `X: "5.0" ` + integer},
		{"integer over", "INTEGER", "2147483648", `X: "2147483648" ` + integer},
		{"integer under", "INTEGER", "-2147483649", `X: "-2147483649" ` + integer},
		{"integer thousands", "INTEGER", "1,000", `X: "1,000" ` + integer},
		{"integer underscore", "INTEGER", "1_000", `X: "1_000" ` + integer},
		{"long over", "LONG", "9223372036854775808", `X: "9223372036854775808" ` + long},
		{"long hex", "LONG", "0x10", `X: "0x10" ` + long},
		{"float text", "FLOAT", "twelve", `X: "twelve" ` + float},
		{"float inf", "FLOAT", "Inf", `X: "Inf" ` + float},
		{"float nan", "FLOAT", "NaN", `X: "NaN" ` + float},
		{"float overflow", "FLOAT", "1e309", `X: "1e309" ` + float},
		{"float hex", "FLOAT", "0x1p-2", `X: "0x1p-2" ` + float},
		{"float comma", "FLOAT", "12,5", `X: "12,5" ` + float},
		{"float bare exponent", "FLOAT", "1e", `X: "1e" ` + float},
		{"float dot only", "FLOAT", ".", `X: "." ` + float},
		{"bool maybe", "BOOLEAN", "maybe", `X: "maybe" ` + boolean},
		{"bool t", "BOOLEAN", "t", `X: "t" ` + boolean},
		{"bool 2", "BOOLEAN", "2", `X: "2" ` + boolean},
		{"string 513 chars", "STRING", strings.Repeat("é", 513), `X: "` + strings.Repeat("é", 40) + `…" has 513 characters; at most 512 are allowed`},
		{"not utf8", "STRING", "a\xffb", "X: value is not valid UTF-8 text"},
		{"$D_ text", "STRING", "$D_soon", `X: "$D_soon" ` + dollar},
		{"$D_ empty", "INTEGER", "$D_", `X: "$D_" ` + dollar},
		{"$D_ beyond 9999", "STRING", "$D_253402300800", `X: "$D_253402300800" ` + dollar},
		{"long value cut in message", "INTEGER", strings.Repeat("9", 50), `X: "` + strings.Repeat("9", 40) + `…" ` + integer},
		{"control chars escaped", "INTEGER", "a\tb\x01", `X: "a\tb\x01" ` + integer},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reasons := convertValue(t, tt.dataType, "", tt.cell)
			if !equalStrings(reasons, []string{tt.want}) {
				t.Errorf("reasons = %q\nwant [%q]", reasons, tt.want)
			}
		})
	}
}

func TestEmptyCellsAreAbsent(t *testing.T) {
	for _, cell := range []string{"", " ", "\t", " \t "} {
		for _, dt := range []string{"STRING", "INTEGER", "LONG", "FLOAT", "BOOLEAN"} {
			c := MustConverter(t, "event", cols("X="+dt), []string{"identity", "evtName", "X"}, nil)
			row, reasons := c.Convert([]string{"u1", "Bought", cell})
			if reasons != nil {
				t.Fatalf("%s %q: %q", dt, cell, reasons)
			}
			if _, ok := row.Props["X"]; ok || len(row.Props) != 0 {
				t.Errorf("%s %q: Props = %v", dt, cell, row.Props)
			}
		}
	}
}
