package record

import (
	"fmt"
	"reflect"
	"testing"
)

func strs(n int, prefix string) []string {
	l := make([]string, n)
	for i := range l {
		l[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return l
}

func TestApplyOps(t *testing.T) {
	tests := []struct {
		name  string
		start Props
		ops   []Op
		want  Props
	}{
		{"$set replaces", Props{"a": Int(1)}, []Op{{"a", OpSet, String("x")}}, Props{"a": String("x")}},
		{"$set replaces a list", Props{"a": List([]string{"x"})}, []Op{{"a", OpSet, Int(2)}}, Props{"a": Int(2)}},
		{"$delete", Props{"a": Int(1), "b": Int(2)}, []Op{{"a", OpDelete, Value{}}}, Props{"b": Int(2)}},
		{"$delete absent", Props{}, []Op{{"a", OpDelete, Value{}}}, Props{}},
		{"$add creates a list", Props{}, []Op{{"a", OpAdd, String("x")}}, Props{"a": List([]string{"x"})}},
		{"$add appends newest last", Props{"a": List([]string{"x"})}, []Op{{"a", OpAdd, String("y")}}, Props{"a": List([]string{"x", "y"})}},
		{"$add existing keeps its place", Props{"a": List([]string{"x", "y"})}, []Op{{"a", OpAdd, String("x")}}, Props{"a": List([]string{"x", "y"})}},
		{"$add on a single value", Props{"a": Int(5)}, []Op{{"a", OpAdd, String("y")}}, Props{"a": List([]string{"5", "y"})}},
		{"$add on an equal single value", Props{"a": String("y")}, []Op{{"a", OpAdd, String("y")}}, Props{"a": List([]string{"y"})}},
		{"$add on a date", Props{"a": Date(7)}, []Op{{"a", OpAdd, Bool(true)}}, Props{"a": List([]string{"$D_7", "true"})}},
		{"$add typed values as text", Props{}, []Op{{"a", OpAdd, Float(1.5)}, {"a", OpAdd, Int(2)}}, Props{"a": List([]string{"1.5", "2"})}},
		{"$add empty text ignored", Props{}, []Op{{"a", OpAdd, String("")}}, Props{}},
		{"$add a list adds each", Props{"a": List([]string{"x"})}, []Op{{"a", OpAdd, List([]string{"y", "x", "z"})}}, Props{"a": List([]string{"x", "y", "z"})}},
		{"$add at 99 fills", Props{"a": List(strs(99, "v"))}, []Op{{"a", OpAdd, String("new")}}, Props{"a": List(append(strs(99, "v"), "new"))}},
		{"$add at 100 drops the oldest", Props{"a": List(strs(100, "v"))}, []Op{{"a", OpAdd, String("new")}}, Props{"a": List(append(strs(100, "v")[1:], "new"))}},
		{"$add existing at 100 drops nothing", Props{"a": List(strs(100, "v"))}, []Op{{"a", OpAdd, String("v0")}}, Props{"a": List(strs(100, "v"))}},
		{"$add to an oversized list trims it", Props{"a": List(strs(102, "v"))}, []Op{{"a", OpAdd, String("new")}}, Props{"a": List(append(strs(102, "v")[3:], "new"))}},
		{"$remove from a list", Props{"a": List([]string{"x", "y", "z"})}, []Op{{"a", OpRemove, String("y")}}, Props{"a": List([]string{"x", "z"})}},
		{"$remove absent item", Props{"a": List([]string{"x"})}, []Op{{"a", OpRemove, String("q")}}, Props{"a": List([]string{"x"})}},
		{"$remove last item removes the property", Props{"a": List([]string{"x"})}, []Op{{"a", OpRemove, String("x")}}, Props{}},
		{"$remove equal single value", Props{"a": Int(5)}, []Op{{"a", OpRemove, String("5")}}, Props{}},
		{"$remove other single value", Props{"a": Int(5)}, []Op{{"a", OpRemove, String("6")}}, Props{"a": Int(5)}},
		{"$remove from absent", Props{}, []Op{{"a", OpRemove, String("x")}}, Props{}},
		{"in order", Props{}, []Op{{"a", OpAdd, String("x")}, {"a", OpDelete, Value{}}, {"a", OpAdd, String("y")}, {"b", OpSet, Int(1)}},
			Props{"a": List([]string{"y"}), "b": Int(1)}},
		{"unknown kind ignored", Props{"a": Int(1)}, []Op{{"a", 0, Int(2)}, {"a", 9, Int(2)}}, Props{"a": Int(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.start
			ApplyOps(p, tt.ops)
			if !reflect.DeepEqual(p, tt.want) {
				t.Errorf("got  %v\nwant %v", p, tt.want)
			}
		})
	}
}

func TestApplyOpsManyAddsKeepTheNewest(t *testing.T) {
	p := Props{}
	for i := range 1000 {
		ApplyOps(p, []Op{{"a", OpAdd, Int(int64(i))}})
	}
	got := p["a"].L
	if len(got) != MaxListItems || got[0] != "900" || got[99] != "999" {
		t.Errorf("len %d, first %q, last %q", len(got), got[0], got[len(got)-1])
	}
}

func TestApplyOpsLeavesClonesAlone(t *testing.T) {
	p := Props{"a": List(strs(100, "v")), "b": List([]string{"x", "y", "z"})}
	ApplyOps(p, []Op{{"a", OpAdd, String("n1")}}) // leaves spare capacity behind
	c := p.Clone()
	ApplyOps(p, []Op{{"a", OpAdd, String("n2")}, {"b", OpRemove, String("x")}})
	ApplyOps(c, []Op{{"a", OpAdd, String("n3")}})
	if got := p["a"].L[99]; got != "n2" {
		t.Errorf("p newest = %q", got)
	}
	if got := c["a"].L; got[98] != "n1" || got[99] != "n3" {
		t.Errorf("clone newest = %q %q", got[98], got[99])
	}
	if !reflect.DeepEqual(c["b"].L, []string{"x", "y", "z"}) {
		t.Errorf("clone b = %q", c["b"].L)
	}
	if Props(nil).Clone() != nil {
		t.Error("Clone of nil")
	}
}

func TestOpKind(t *testing.T) {
	for s, want := range map[string]OpKind{"": OpSet, " ": OpSet, "$set": OpSet, "$ADD": OpAdd, " $Remove ": OpRemove, "$delete": OpDelete} {
		if got, ok := ParseOpKind(s); !ok || got != want {
			t.Errorf("ParseOpKind(%q) = %v, %v", s, got, ok)
		}
	}
	for _, s := range []string{"set", "$inc", "$", "$sets"} {
		if _, ok := ParseOpKind(s); ok {
			t.Errorf("ParseOpKind(%q) accepted", s)
		}
	}
	if OpAdd.String() != "$add" || OpKind(0).String() != "$unknown" {
		t.Error("String")
	}
}

// BenchmarkApplyOpsAdd adds new values to a full list (dropping the oldest)
// and sets a property, as a row of a profile file does.
func BenchmarkApplyOpsAdd(b *testing.B) {
	p := Props{"a": List(strs(100, "v"))}
	values := strs(4096, "n")
	ops := []Op{{"a", OpAdd, Value{}}, {"n", OpSet, Int(1)}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		ops[0].Value = String(values[i%len(values)])
		ApplyOps(p, ops)
		i++
	}
}

func TestApplyOpsSetList(t *testing.T) {
	p := Props{"a": Int(1), "b": Int(2)}
	ApplyOps(p, []Op{{"a", OpSet, List([]string{"x", "", "y", "x"})}, {"b", OpSet, List([]string{""})}})
	if want := (Props{"a": List([]string{"x", "y"})}); !reflect.DeepEqual(p, want) {
		t.Errorf("got %v", p)
	}
	ApplyOps(p, []Op{{"a", OpSet, List(strs(150, "v"))}})
	if l := p["a"].L; len(l) != MaxListItems || l[0] != "v50" {
		t.Errorf("got %d items from %q", len(l), l[0])
	}
}
