package segment

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func at(s string) *time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	t = t.UTC()
	return &t
}

func str(s string) Value   { return Value{Kind: KindString, Str: s} }
func num64(i int64) Value  { return Value{Kind: KindInt, Int: i} }
func flt(f float64) Value  { return Value{Kind: KindFloat, Float: f} }
func boolean(b bool) Value { return Value{Kind: KindBool, Bool: b} }
func date(s string, epoch int64) Value {
	return Value{Kind: KindDate, Str: s, Int: epoch}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Node
	}{
		{"eq string", `{"property":"City","op":"eq","value":"Mumbai"}`,
			Prop{Name: "City", Op: OpEq, Values: []Value{str("Mumbai")}}},
		{"eq int", `{"property":"Age","op":"eq","value":21}`, Prop{Name: "Age", Op: OpEq, Values: []Value{num64(21)}}},
		{"whole float is an int", `{"property":"Age","op":"gte","value":21.0}`,
			Prop{Name: "Age", Op: OpGte, Values: []Value{num64(21)}}},
		{"float", `{"property":"Score","op":"lt","value":2.5}`, Prop{Name: "Score", Op: OpLt, Values: []Value{flt(2.5)}}},
		{"bool", `{"property":"MSG-email","op":"ne","value":false}`,
			Prop{Name: "MSG-email", Op: OpNe, Values: []Value{boolean(false)}}},
		{"rfc3339 date", `{"property":"DOB","op":"gt","value":"2000-01-01T00:00:00Z"}`,
			Prop{Name: "DOB", Op: OpGt, Values: []Value{date("2000-01-01T00:00:00Z", 946684800)}}},
		{"date with offset", `{"property":"DOB","op":"lt","value":"2000-01-01T02:00:00+02:00"}`,
			Prop{Name: "DOB", Op: OpLt, Values: []Value{date("2000-01-01T02:00:00+02:00", 946684800)}}},
		{"stored date form", `{"property":"DOB","op":"eq","value":"$D_946684801"}`,
			Prop{Name: "DOB", Op: OpEq, Values: []Value{date("$D_946684801", 946684801)}}},
		{"plain date is a string", `{"property":"Day","op":"eq","value":"2000-01-01"}`,
			Prop{Name: "Day", Op: OpEq, Values: []Value{str("2000-01-01")}}},
		{"in mixed", `{"property":"Tier","op":"in","value":["gold",2,true]}`,
			Prop{Name: "Tier", Op: OpIn, Values: []Value{str("gold"), num64(2), boolean(true)}}},
		{"between numbers", `{"property":"Age","op":"between","value":[18,30.5]}`,
			Prop{Name: "Age", Op: OpBetween, Values: []Value{num64(18), flt(30.5)}}},
		{"between dates", `{"property":"DOB","op":"between","value":["$D_0","1970-01-02T00:00:00Z"]}`,
			Prop{Name: "DOB", Op: OpBetween, Values: []Value{date("$D_0", 0), date("1970-01-02T00:00:00Z", 86400)}}},
		{"contains keeps date-like text", `{"property":"Note","op":"contains","value":"2000-01-01T00:00:00Z"}`,
			Prop{Name: "Note", Op: OpContains, Values: []Value{str("2000-01-01T00:00:00Z")}}},
		{"exists", `{"property":"Email","op":"exists"}`, Prop{Name: "Email", Op: OpExists}},
		{"special names ignore case", `{"property":"msg-DNDEMAIL","op":"eq","value":true}`,
			Prop{Name: "MSG-dndEmail", Op: OpEq, Values: []Value{boolean(true)}}},
		{"dndPhone is dndSMS", `{"property":"MSG-dndPhone","op":"exists"}`, Prop{Name: "MSG-dndSMS", Op: OpExists}},
		{"other names keep their case", `{"property":"city","op":"exists"}`, Prop{Name: "city", Op: OpExists}},
		{"notExists", `{"property":"Email","op":"notExists"}`, Prop{Name: "Email", Op: OpNotExists}},
		{"event default count", `{"event":"Purchased"}`, Event{Name: "Purchased", Count: Count{Min: 1, Max: -1}}},
		{"did not", `{"event":"Purchased","count":{"eq":0}}`, Event{Name: "Purchased", Count: Count{Min: 0, Max: 0}}},
		{"count range", `{"event":"E","count":{"gte":2,"lte":5}}`, Event{Name: "E", Count: Count{Min: 2, Max: 5}}},
		{"at most", `{"event":"E","count":{"lte":3}}`, Event{Name: "E", Count: Count{Min: 0, Max: 3}}},
		{"last days and where", `{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30},
			"where":[{"property":"Price","op":"gt","value":100}]}`,
			Event{Name: "Purchased", Count: Count{Min: 2, Max: -1}, Within: Within{LastDays: 30},
				Where: []Prop{{Name: "Price", Op: OpGt, Values: []Value{num64(100)}}}}},
		{"from to", `{"event":"E","within":{"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z"}}`,
			Event{Name: "E", Count: Count{Min: 1, Max: -1},
				Within: Within{From: at("2026-01-01T00:00:00Z"), To: at("2026-02-01T00:00:00Z")}}},
		{"open from", `{"event":"E","within":{"from":"2026-01-01T00:00:00Z"}}`,
			Event{Name: "E", Count: Count{Min: 1, Max: -1}, Within: Within{From: at("2026-01-01T00:00:00Z")}}},
		{"empty all", `{"all":[]}`, All{Nodes: []Node{}}},
		{"nested", `{"all":[{"not":{"property":"A","op":"exists"}},{"any":[{"reachable":"email"}]}]}`,
			All{Nodes: []Node{Not{Node: Prop{Name: "A", Op: OpExists}}, Any{Nodes: []Node{Reachable{Channel: "email"}}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %#v\nwant %#v", got, tc.want)
			}
			assertRoundTrip(t, got)
		})
	}
}

func assertRoundTrip(t *testing.T, n Node) {
	t.Helper()
	b, err := Marshal(n)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(Marshal) of %s: %v", b, err)
	}
	if !reflect.DeepEqual(back, n) {
		t.Fatalf("round trip through %s\ngot  %#v\nwant %#v", b, back, n)
	}
}

func TestReachableExpand(t *testing.T) {
	tests := []struct {
		channel string
		want    string
	}{
		{"email", `{"all":[{"property":"MSG-email","op":"ne","value":false},{"property":"MSG-dndEmail","op":"ne","value":true}]}`},
		{"sms", `{"all":[{"property":"MSG-sms","op":"ne","value":false},{"property":"MSG-dndSMS","op":"ne","value":true}]}`},
		{"whatsapp", `{"all":[{"property":"MSG-whatsapp","op":"ne","value":false},{"property":"MSG-dndWhatsApp","op":"ne","value":true}]}`},
		{"push", `{"all":[{"property":"MSG-push","op":"ne","value":false}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.channel, func(t *testing.T) {
			b, err := Marshal(Reachable{Channel: tc.channel}.Expand())
			if err != nil || string(b) != tc.want {
				t.Fatalf("Expand = %s, %v; want %s", b, err, tc.want)
			}
		})
	}
}

func TestWithinRange(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	from, hasFrom, _, hasTo := Within{LastDays: 2}.Range(now)
	if from != 1_000_000-2*86400 || !hasFrom || hasTo {
		t.Fatalf("lastDays range: %d %v %v", from, hasFrom, hasTo)
	}
	_, hasFrom, to, hasTo := Within{To: at("1970-01-02T00:00:00Z")}.Range(now)
	if hasFrom || !hasTo || to != 86400 {
		t.Fatalf("to-only range: %v %d %v", hasFrom, to, hasTo)
	}
}

func TestLimitsAccepted(t *testing.T) {
	deep := strings.Repeat(`{"not":`, MaxDepth) + `{"event":"E"}` + strings.Repeat(`}`, MaxDepth)
	if _, err := Parse([]byte(deep)); err != nil {
		t.Fatalf("%d levels refused: %v", MaxDepth, err)
	}
}
