package record

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestEventRow(t *testing.T) {
	c := MustConverter(t, "event", cols("when=>TS", "Amount=FLOAT", "Qty=INTEGER", "event=>evtname"),
		[]string{"Amount", "gpId", "identity", "event", "when", "Currency", "Qty", "objectId"}, nil)
	row, reasons := c.Convert([]string{"12.5", "g1", "u1", " Charged ", "1735689599", "INR", "", "o1"})
	if reasons != nil {
		t.Fatal(reasons)
	}
	want := Row{
		Identifiers: []Identifier{{IDIdentity, "u1"}, {IDObjectID, "o1"}, {IDGpID, "g1"}},
		EventName:   "Charged",
		TS:          1735689599,
		Props:       Props{"Amount": Float(12.5), "Currency": String("INR")},
	}
	if !reflect.DeepEqual(row, want) {
		t.Errorf("row =\n%+v\nwant\n%+v", row, want)
	}
}

func TestEventRowErrors(t *testing.T) {
	c := MustConverter(t, "event", cols("Age=INTEGER", "Mail=>email", "Tel=>phone", "Sms=>MSG-sms"),
		[]string{"identity", "ts", "evtName", "Age", "Mail", "Tel", "Sms", "Age.operation"}, nil)
	tests := []struct {
		name string
		row  []string
		want []string
	}{
		{"evtName missing", []string{"u1", "", " ", "", "", "", "", ""}, []string{MsgEventName}},
		{"evtName too long", []string{"u1", "", strings.Repeat("e", 513), "", "", "", "", ""},
			[]string{`evtName: "` + strings.Repeat("e", 40) + `…" has 513 characters; at most 512 are allowed`}},
		{"everything wrong, in column order then row-wide", []string{"null", "later", "Bought", "x", "a@", "123", "maybe", "$add"}, []string{
			`ts: "later" is not valid epoch seconds (whole number from 1 to 253402300799)`,
			`Age: "x" is not a valid INTEGER (whole number from -2147483648 to 2147483647)`,
			MsgEmail,
			MsgPhone,
			`Sms: "maybe" is not a valid BOOLEAN (true/false, 1/0, yes/no or y/n, any case)`,
			"Age.operation: profile operations apply only to profile imports",
			MsgIdentity,
		}},
		{"ts zero", []string{"u1", "0", "E", "", "", "", "", ""}, []string{`ts: "0" is not valid epoch seconds (whole number from 1 to 253402300799)`}},
		{"ts negative", []string{"u1", "-5", "E", "", "", "", "", ""}, []string{`ts: "-5" is not valid epoch seconds (whole number from 1 to 253402300799)`}},
		{"ts milliseconds", []string{"u1", "1735689599000000", "E", "", "", "", "", ""}, []string{`ts: "1735689599000000" is not valid epoch seconds (whole number from 1 to 253402300799)`}},
		{"ts is not $D_", []string{"u1", "$D_1735689599", "E", "", "", "", "", ""}, []string{`ts: "$D_1735689599" is not valid epoch seconds (whole number from 1 to 253402300799)`}},
		{"$D_ in Email is not an email", []string{"u1", "", "E", "", "$D_1", "", "", ""}, []string{MsgEmail}},
		{"$D_ in MSG-sms is not a boolean", []string{"u1", "", "E", "", "", "", "$D_1", ""}, []string{`Sms: "$D_1" is not a valid BOOLEAN (true/false, 1/0, yes/no or y/n, any case)`}},
		{"phone without +", []string{"u1", "", "E", "", "", "14155552671", "", ""}, []string{MsgPhone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reasons := c.Convert(tt.row)
			if !equalStrings(reasons, tt.want) {
				t.Errorf("reasons =\n%q\nwant\n%q", reasons, tt.want)
			}
		})
	}
}

func TestEventTS(t *testing.T) {
	c := MustConverter(t, "event", cols("at=DATE|dd/MM/yyyy HH:mm:ss>ts"), []string{"identity", "evtName", "at"}, nil)
	row, reasons := c.Convert([]string{"u1", "E", "01/01/2024"})
	if reasons != nil || row.TS != utc(2024, 1, 1, 0, 0, 1) {
		t.Errorf("DATE ts: %d %q", row.TS, reasons)
	}
	_, reasons = c.Convert([]string{"u1", "E", "01/01/1960"})
	want := `at: "01/01/1960" is not a valid DATE (format dd/MM/yyyy HH:mm:ss, e.g. 31/12/2024 23:59:59; a date alone gets 00:00:01) after 1970`
	if !equalStrings(reasons, []string{want}) {
		t.Errorf("reasons = %q", reasons)
	}
	c = MustConverter(t, "event", cols("ts=INTEGER"), []string{"identity", "evtName", "ts"}, nil)
	for cell, want := range map[string]int64{"": 0, "1": 1, " 1735689599 ": 1735689599, "1735689599.9": 1735689599, "253402300799": 253402300799} {
		if row, reasons := c.Convert([]string{"u1", "E", cell}); reasons != nil || row.TS != want {
			t.Errorf("ts %q: %d %q", cell, row.TS, reasons)
		}
	}
}

func TestEmailAndPhoneValues(t *testing.T) {
	c := MustConverter(t, "profile", nil, []string{"identity", "Email", "Phone"}, nil)
	tests := []struct{ email, phone, wantPhone string }{
		{" ann@example.com ", "+14155552671", "+14155552671"},
		{"ann@example.com", "+1 (415) 555-2671", "+14155552671"},
		{"ann@example.com", "+91 98765 43210", "+919876543210"},
		{"ann@example.com", "+44 20 7183 8750", "+442071838750"},
	}
	for _, tt := range tests {
		row, reasons := c.Convert([]string{"u1", tt.email, tt.phone})
		if reasons != nil || row.Props["Email"].S != "ann@example.com" || row.Props["Phone"].S != tt.wantPhone {
			t.Errorf("%q %q: %v %q", tt.email, tt.phone, row.Props, reasons)
		}
	}
	for _, phone := range []string{"4155552671", "+1 555", "+999 123456789", "+1-800-FLOWERS", "+14155552671 ext 5", "++14155552671", "+", "+1415555267100000"} {
		if _, reasons := c.Convert([]string{"u1", "", phone}); !equalStrings(reasons, []string{MsgPhone}) {
			t.Errorf("phone %q: %q", phone, reasons)
		}
	}
	for _, email := range []string{"ann", "ann@example", "ann example@x.com", "<ann@example.com>"} {
		if _, reasons := c.Convert([]string{"u1", email, ""}); !equalStrings(reasons, []string{MsgEmail}) {
			t.Errorf("email %q: %q", email, reasons)
		}
	}
}

func TestEventPropertyLimit(t *testing.T) {
	for _, n := range []int{100, 101} {
		header := []string{"identity", "evtName"}
		row := []string{"u1", "Charged"}
		for i := range n {
			header = append(header, fmt.Sprintf("p%d", i))
			row = append(row, "v")
		}
		header = append(header, "unfilled")
		row = append(row, "")
		c := MustConverter(t, "event", nil, header, nil)
		got, reasons := c.Convert(row)
		switch {
		case n == 100 && (reasons != nil || len(got.Props) != 100):
			t.Errorf("100 properties: %d props, %q", len(got.Props), reasons)
		case n == 101 && !equalStrings(reasons, []string{MsgTooManyProps}):
			t.Errorf("101 properties: %q", reasons)
		}
	}
}

func TestFieldCount(t *testing.T) {
	c := MustConverter(t, "event", nil, []string{"identity", "evtName", "x"}, nil)
	for _, fields := range [][]string{nil, {"a"}, {"a", "b"}, {"a", "b", "c", "d"}} {
		_, reasons := c.Convert(fields)
		if want := RowFieldCount(len(fields), 3); !equalStrings(reasons, []string{want}) {
			t.Errorf("%d fields: %q", len(fields), reasons)
		}
	}
	if got := RowFieldCount(5, 6); got != "Row has 5 fields, the header has 6" {
		t.Errorf("RowFieldCount(5, 6) = %q", got)
	}
	if got := RowFieldCount(1, 2); got != "Row has 1 field, the header has 2" {
		t.Errorf("RowFieldCount(1, 2) = %q", got)
	}
}

func TestReasonsAreDeterministicAndUnique(t *testing.T) {
	c := MustConverter(t, "profile", cols("a=INTEGER", "b=INTEGER"), []string{"identity", "a", "a.operation", "b", "b.operation"}, nil)
	for range 20 {
		_, reasons := c.Convert([]string{"", "x", "$bad", "y", "$worse"})
		want := []string{
			MsgOperation,
			`a: "x" is not a valid INTEGER (whole number from -2147483648 to 2147483647)`,
			`b: "y" is not a valid INTEGER (whole number from -2147483648 to 2147483647)`,
			MsgIdentity,
		}
		if !equalStrings(reasons, want) {
			t.Fatalf("reasons =\n%q\nwant\n%q", reasons, want)
		}
	}
}
