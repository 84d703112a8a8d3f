package record

import (
	"bytes"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestOpsRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		ops  []Op
	}{
		{"none", nil},
		{"string", []Op{{"City", OpSet, String("Zürich, \"old\"")}}},
		{"empty string", []Op{{"Note", OpSet, String("")}}},
		{"ints and dates", []Op{{"Age", OpSet, Int(-42)}, {"Big", OpSet, Int(math.MaxInt64)}, {"Born", OpSet, Date(-86400)}}},
		{"floats", []Op{{"Score", OpSet, Float(12.5)}, {"Tiny", OpSet, Float(math.SmallestNonzeroFloat64)}, {"Neg", OpSet, Float(-0.1)}}},
		{"bools", []Op{{"Vip", OpSet, Bool(true)}, {"Dnd", OpSet, Bool(false)}}},
		{"lists", []Op{{"Playlist", OpAdd, List([]string{"Rock", "", "Jazz"})}, {"Playlist", OpRemove, String("Rock")}, {"Tags", OpSet, List([]string{})}}},
		{"delete", []Op{{"Gone", OpDelete, Value{}}}},
		{"long name", []Op{{strings.Repeat("n", 300), OpSet, String(strings.Repeat("v", 70000))}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DecodeOps(nil, AppendOps(nil, tt.ops))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.ops) {
				t.Fatalf("round trip: got %#v, want %#v", got, tt.ops)
			}
		})
	}
}

func TestDecodeOpsRefuses(t *testing.T) {
	good := AppendOps(nil, []Op{{"Playlist", OpAdd, List([]string{"Rock", "Jazz"})}, {"Score", OpSet, Float(1.5)}})
	tests := []struct {
		name string
		b    []byte
		want string
	}{
		{"unknown operation", []byte{9}, "unknown operation 9"},
		{"unknown value kind", []byte{byte(OpSet), 1, 'a', 42}, "unknown value kind 42"},
		{"cut in a float", good[:len(good)-3], "cut short"},
		{"cut in a list", good[:12], "cut short"},
		{"list count beyond the bytes", []byte{byte(OpAdd), 1, 'a', byte(KindList), 100, 1, 'x'}, "cut short"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeOps(nil, tt.b)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("DecodeOps = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func FuzzDecodeOps(f *testing.F) {
	f.Add(AppendOps(nil, []Op{{"Playlist", OpAdd, List([]string{"Rock"})}, {"Age", OpSet, Int(7)}, {"X", OpDelete, Value{}}}))
	f.Add([]byte{byte(OpSet), 0, byte(KindFloat), 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		ops, err := DecodeOps(nil, b)
		if err != nil {
			return
		}
		// Compared encoded: NaN is not DeepEqual to itself.
		enc := AppendOps(nil, ops)
		again, err := DecodeOps(nil, enc)
		if err != nil || !bytes.Equal(AppendOps(nil, again), enc) {
			t.Fatalf("decoded ops do not survive a round trip: %v, %#v vs %#v", err, again, ops)
		}
	})
}
