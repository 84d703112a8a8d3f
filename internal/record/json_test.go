package record

import (
	"encoding/json"
	"math"
	"strconv"
	"testing"
)

// TestAppendJSONMatchesEncodingJSON: the fast encoder writes what
// encoding/json writes for the same props as plain Go values (not through
// Value.MarshalJSON, which is the fast encoder itself).
func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	cases := []struct {
		name string
		p    Props
	}{
		{"empty", Props{}},
		{"kinds", Props{"s": String("Ann"), "i": Int(-42), "f": Float(199.99), "b": Bool(true),
			"d": Date(946684801), "l": List([]string{"Rock", "Jazz"}), "e": List(nil)}},
		{"escapes", Props{"q\"k": String("a\"b\\c\n\t\r\x01\x1f"), "u": String("héllo ✓ \u2028")}},
		{"invalid utf8", Props{"x": String("a\xffb")}},
		{"floats", Props{"tiny": Float(1e-7), "huge": Float(1e21), "neg": Float(-0.5), "whole": Float(3),
			"max": Float(math.MaxFloat64)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want, err := json.Marshal(native(c.p))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.p.AppendJSON(nil); string(got) != string(want) {
				t.Fatalf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// native is p as the Go values encoding/json encodes on its own.
func native(p Props) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		switch v.Kind {
		case KindInt:
			out[k] = v.I
		case KindFloat:
			out[k] = v.F
		case KindBool:
			out[k] = v.B
		case KindDate:
			out[k] = "$D_" + strconv.FormatInt(v.I, 10)
		case KindList:
			out[k] = append([]string{}, v.L...)
		default:
			out[k] = v.S
		}
	}
	return out
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("plain")
	f.Add("a\"b\\c\n\x00\xff\u2028")
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		var back string
		got := AppendJSONString(nil, s)
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, got, err)
		}
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Fatalf("%q: reads back %q, encoding/json's reads back %q", s, back, wantBack)
		}
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	p := Props{"Amount": Float(199.99), "Currency": String("INR"), "Category": String("Books"),
		"Quantity": Int(2), "PaymentMode": String("UPI")}
	var buf []byte
	for b.Loop() {
		buf = p.AppendJSON(buf[:0])
	}
}
