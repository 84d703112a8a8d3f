package record

import (
	"bytes"
	"strings"
	"testing"
)

// opsFrom reads ops from data, three bytes each: operation, property (one
// of three) and value (strings, lists, other kinds, an empty one).
func opsFrom(data []byte) []Op {
	names := []string{"A", "B", "L"}
	values := []Value{String("x"), String("y"), Int(3), List([]string{"x", "z"}), List([]string{"y"}), List(nil),
		Bool(true), String(""), Float(1.5), Date(86400)}
	var ops []Op
	for ; len(data) >= 3; data = data[3:] {
		ops = append(ops, Op{Kind: OpSet + OpKind(data[0]%4), Name: names[int(data[1])%len(names)], Value: values[int(data[2])%len(values)]})
	}
	return ops
}

// checkApplyEncoded compares ApplyEncoded with ApplyOps on ops split into
// two encodings at every point.
func checkApplyEncoded(t *testing.T, ops []Op) {
	t.Helper()
	start := Props{"A": String("s"), "L": List([]string{"x", "y"})}
	want := start.Clone()
	ApplyOps(want, ops)
	var d OpsDecoder
	for k := 0; k <= len(ops); k++ {
		got := start.Clone()
		if err := d.ApplyEncoded(got, [][]byte{AppendOps(nil, ops[:k]), AppendOps(nil, ops[k:])}); err != nil {
			t.Fatal(err)
		}
		if g, w := got.AppendJSON(nil), want.AppendJSON(nil); !bytes.Equal(g, w) {
			t.Fatalf("ops %v split at %d: ApplyEncoded gives %s, ApplyOps %s", ops, k, g, w)
		}
	}
}

func TestApplyEncoded(t *testing.T) {
	set := func(n string, v Value) Op { return Op{Name: n, Kind: OpSet, Value: v} }
	add := func(n, v string) Op { return Op{Name: n, Kind: OpAdd, Value: String(v)} }
	tests := []struct {
		name string
		ops  []Op
	}{
		{"sets, the last wins", []Op{set("A", String("1")), set("B", Int(2)), set("A", String("3"))}},
		{"adds after a set count", []Op{add("L", "a"), set("L", List([]string{"b"})), add("L", "c"), add("L", "a")}},
		{"a set replaces earlier adds", []Op{add("L", "a"), add("L", "b"), set("L", String("z"))}},
		{"a delete replaces, a later add starts over", []Op{add("L", "a"), {Name: "L", Kind: OpDelete}, add("L", "b")}},
		{"removes", []Op{{Name: "L", Kind: OpRemove, Value: String("x")}, add("L", "q"), {Name: "A", Kind: OpRemove, Value: String("s")}}},
		{"an empty set removes", []Op{set("A", String("")), set("L", List(nil))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkApplyEncoded(t, tt.ops) })
	}
}

func TestApplyEncodedRefuses(t *testing.T) {
	enc := AppendOps(nil, []Op{{Name: "A", Kind: OpSet, Value: String("x")}, {Name: "A", Kind: OpSet, Value: Float(2)}})
	tests := []struct {
		name string
		b    []byte
	}{
		{"unknown operation", []byte{9}},
		{"a string's length cut short", append(append([]byte{}, enc[:4]...), 200)},
		{"the last value cut short", enc[:len(enc)-2]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var d OpsDecoder
			if err := d.ApplyEncoded(Props{}, [][]byte{tt.b}); err == nil || !strings.Contains(err.Error(), "encoded ops") {
				t.Errorf("ApplyEncoded(%v) = %v, want an encoded ops error", tt.b, err)
			}
		})
	}
}

func FuzzApplyEncoded(f *testing.F) {
	f.Add([]byte{1, 2, 3, 0, 2, 0, 1, 2, 4, 3, 2, 1})
	f.Add([]byte{0, 0, 0, 0, 0, 1, 3, 0, 0, 1, 2, 3, 2, 2, 4})
	f.Fuzz(func(t *testing.T, data []byte) { checkApplyEncoded(t, opsFrom(data)) })
}
