package record

import (
	"reflect"
	"testing"
)

func TestProfileOps(t *testing.T) {
	c := MustConverter(t, "profile", cols("Age=INTEGER", "Tags=>Playlist"),
		[]string{"identity", "Age", "Age.operation", "Tags", "Tags.OPERATION", "City", "Gone.operation"}, nil)
	tests := []struct {
		name    string
		row     []string
		props   Props
		ops     []Op
		reasons []string
	}{
		{"defaults to $set", []string{"u1", "30", "", "Rock", "", "Pune", ""},
			Props{"Age": Int(30), "Playlist": String("Rock"), "City": String("Pune")},
			[]Op{{"Age", OpSet, Int(30)}, {"Playlist", OpSet, String("Rock")}, {"City", OpSet, String("Pune")}}, nil},
		{"every op, any case", []string{"u1", "30", " $SET ", "Rock", "$Add", "", "$delete"},
			Props{"Age": Int(30)},
			[]Op{{"Age", OpSet, Int(30)}, {"Playlist", OpAdd, String("Rock")}, {"Gone", OpDelete, Value{}}}, nil},
		{"$remove", []string{"u1", "", "", "Rock", "$remove", "", ""},
			Props{}, []Op{{"Playlist", OpRemove, String("Rock")}}, nil},
		{"$delete ignores the value cell", []string{"u1", "not a number", "$delete", "", "$delete", "", ""},
			Props{}, []Op{{"Age", OpDelete, Value{}}, {"Playlist", OpDelete, Value{}}}, nil},
		{"empty values do nothing", []string{"u1", "", "$add", " ", "$remove", "", ""},
			Props{}, []Op{}, nil},
		{"unknown op", []string{"u1", "30", "$inc", "", "", "", "$drop"},
			nil, nil, []string{MsgOperation}},
		{"unknown op and bad value", []string{"u1", "x", "add", "", "", "", ""}, nil, nil, []string{
			MsgOperation, `Age: "x" is not a valid INTEGER (whole number from -2147483648 to 2147483647)`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, reasons := c.Convert(tt.row)
			if !equalStrings(reasons, tt.reasons) {
				t.Fatalf("reasons = %q, want %q", reasons, tt.reasons)
			}
			if reasons != nil {
				return
			}
			if !reflect.DeepEqual(row.Props, tt.props) || !reflect.DeepEqual(row.Ops, tt.ops) {
				t.Errorf("Props = %v\nOps = %v", row.Props, row.Ops)
			}
			if row.EventName != "" || !reflect.DeepEqual(row.Identifiers, []Identifier{{IDIdentity, "u1"}}) {
				t.Errorf("row = %+v", row)
			}
		})
	}
}

func TestProfileOpsOnNonProperties(t *testing.T) {
	c := MustConverter(t, "profile", nil, []string{"identity", "identity.operation", "ts", "ts.operation", "gpId.operation"}, nil)
	tests := []struct {
		name string
		row  []string
		want []string
	}{
		{"$set is fine", []string{"u1", "$set", "5", "", "$SET"}, nil},
		{"others are not", []string{"u1", "$add", "5", "$delete", "$remove"}, []string{
			`identity.operation: "$add" cannot apply to identity, which takes only $set`,
			`ts.operation: "$delete" cannot apply to ts, which takes only $set`,
			`gpId.operation: "$remove" cannot apply to gpId, which takes only $set`,
		}},
		{"unknown", []string{"u1", "x", "5", "", ""}, []string{MsgOperation}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, reasons := c.Convert(tt.row); !equalStrings(reasons, tt.want) {
				t.Errorf("reasons =\n%q\nwant\n%q", reasons, tt.want)
			}
		})
	}
}

func TestProfileEvtNameIsAProperty(t *testing.T) {
	c := MustConverter(t, "profile", nil, []string{"identity", "evtName", "a#b"}, nil)
	row, reasons := c.Convert([]string{"u1", "App Launched", ""})
	if reasons != nil || row.EventName != "" || row.Props["evtName"].S != "App Launched" {
		t.Errorf("%+v %q", row, reasons)
	}
	_, reasons = c.Convert([]string{"u1", "", "x"})
	if want := `Property name "a#b" must not contain any of % > < ! | & . : ; $ ' " \ #`; !equalStrings(reasons, []string{want}) {
		t.Errorf("reasons = %q", reasons)
	}
}

func TestProfileDeleteOfBadName(t *testing.T) {
	c := MustConverter(t, "profile", nil, []string{"identity", "a.b.operation"}, nil)
	_, reasons := c.Convert([]string{"u1", "$delete"})
	want := `Property name "a.b" (column "a.b.operation") must not contain any of % > < ! | & . : ; $ ' " \ #`
	if !equalStrings(reasons, []string{want}) {
		t.Errorf("reasons = %q", reasons)
	}
}
