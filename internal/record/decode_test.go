package record

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestDecodeProps(t *testing.T) {
	cases := []struct {
		name, in string
		want     Props
		err      bool
	}{
		{"empty", `{}`, Props{}, false},
		{"kinds", `{"b":true,"c":false,"d":"$D_946684801","f":199.99,"i":-42,"l":["Rock","Jazz"],"e":[],"s":"Ann","x":1e21}`,
			Props{"b": Bool(true), "c": Bool(false), "d": Date(946684801), "f": Float(199.99), "i": Int(-42),
				"l": List([]string{"Rock", "Jazz"}), "e": List([]string{}), "s": String("Ann"), "x": Float(1e21)}, false},
		{"escapes", `{"q\"k":"a\"b\\c\n\t\u0001\u00e9\ud83d\ude00 \u2028"}`, Props{"q\"k": String("a\"b\\c\n\t\x01é😀 \u2028")}, false},
		{"spaces", " { \"a\" : 1 , \"b\" : [ \"x\" ] } ", Props{"a": Int(1), "b": List([]string{"x"})}, false},
		{"truncated", `{"a":`, nil, true},
		{"trailing", `{"a":1}x`, nil, true},
		{"not an object", `[1]`, nil, true},
		{"list of numbers", `{"a":[1]}`, nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DecodeProps([]byte(c.in))
			if (err != nil) != c.err {
				t.Fatalf("err %v, want error %v", err, c.err)
			}
			if !c.err && !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %#v\nwant %#v", got, c.want)
			}
		})
	}
}

// FuzzDecodeProps: whatever AppendJSON writes, DecodeProps reads back the
// same as encoding/json does.
func FuzzDecodeProps(f *testing.F) {
	f.Add("k", "v\x00\"\\é\u2028\xff", int64(5), 2.5, true)
	shared := &PropsDecoder{} // names interned across inputs must still read right
	f.Fuzz(func(t *testing.T, k, s string, i int64, fl float64, b bool) {
		p := Props{k: String(s), k + "i": Int(i), k + "b": Bool(b), k + "l": List([]string{s, k})}
		if fl == fl && fl < 1e300 && fl > -1e300 {
			p[k+"f"] = Float(fl)
		}
		enc := p.AppendJSON(nil)
		got, err := DecodeProps(enc)
		if err != nil {
			t.Fatalf("%s: %v", enc, err)
		}
		if again, err := shared.Decode(enc); err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("shared decoder: %#v %v", again, err)
		}
		want, err := decodeWithEncodingJSON(enc)
		if err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s\n got %#v\nwant %#v", enc, got, want)
		}
	})
}

// decodeWithEncodingJSON is the oracle: encoding/json reads the text, and
// the stored-form rules (dates, whole numbers as KindInt) are applied here,
// apart from the decoder under test (which Value.UnmarshalJSON also uses).
func decodeWithEncodingJSON(b []byte) (Props, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var raw map[string]any
	if err := d.Decode(&raw); err != nil {
		return nil, err
	}
	p := Props{}
	for k, x := range raw {
		switch x := x.(type) {
		case string:
			p[k] = parseStoredString(x)
		case bool:
			p[k] = Bool(x)
		case json.Number:
			if i, err := x.Int64(); err == nil && !strings.ContainsAny(x.String(), ".eE") {
				p[k] = Int(i)
			} else if f, err := x.Float64(); err == nil {
				p[k] = Float(f)
			} else {
				return nil, err
			}
		case []any:
			l := []string{}
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("list item %v", e)
				}
				l = append(l, s)
			}
			p[k] = List(l)
		default:
			return nil, fmt.Errorf("value %v", x)
		}
	}
	return p, nil
}

func BenchmarkDecodeProps(b *testing.B) {
	enc := Props{"Name": String("Customer 123"), "Email": String("c123@example.com"), "City": String("City-12"),
		"Age": Int(31), "Score": Float(12.5), "Playlist": List([]string{"Rock", "Jazz", "Pop", "Indie"})}.AppendJSON(nil)
	for b.Loop() {
		DecodeProps(enc)
	}
}

func BenchmarkDecodePropsEncodingJSON(b *testing.B) {
	enc := Props{"Name": String("Customer 123"), "Email": String("c123@example.com"), "City": String("City-12"),
		"Age": Int(31), "Score": Float(12.5), "Playlist": List([]string{"Rock", "Jazz", "Pop", "Indie"})}.AppendJSON(nil)
	for b.Loop() {
		var p Props
		json.Unmarshal(enc, &p)
	}
}
