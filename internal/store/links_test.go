package store

import (
	"fmt"
	"slices"
	"testing"
)

func TestLinksTake(t *testing.T) {
	u := func(v string) Identifier { return Identifier{Kind: "identity", Value: v} }
	tests := []struct {
		name string
		add  func(l *Links)
		want []Link
	}{
		{"empty", func(*Links) {}, nil},
		{"key order", func(l *Links) {
			l.Add("A", 1, []Identifier{u("b"), u("a")})
			l.Add("0", 2, []Identifier{u("z")})
		}, []Link{{"0", u("z"), 2}, {"A", u("a"), 1}, {"A", u("b"), 1}}},
		{"the later link of an identifier wins", func(l *Links) {
			l.Add("A", 1, []Identifier{u("a")})
			l.Add("A", 2, []Identifier{u("a"), {Kind: "email", Value: "a"}})
		}, []Link{{"A", Identifier{Kind: "email", Value: "a"}, 2}, {"A", u("a"), 2}}},
		{"the last of many links wins", func(l *Links) {
			for pid := int64(1); pid <= 40; pid++ {
				l.Add("A", pid, []Identifier{u("a"), u(string(rune('a' + pid%7)))})
			}
		}, []Link{{"A", u("a"), 40}, {"A", u("b"), 36}, {"A", u("c"), 37}, {"A", u("d"), 38}, {"A", u("e"), 39},
			{"A", u("f"), 40}, {"A", u("g"), 34}}},
		{"accounts apart", func(l *Links) {
			l.Add("A", 1, []Identifier{u("a")})
			l.Add("B", 2, []Identifier{u("a")})
		}, []Link{{"A", u("a"), 1}, {"B", u("a"), 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l Links
			tt.add(&l)
			if got := l.Take(); !slices.Equal(got, tt.want) {
				t.Errorf("Take() = %v, want %v", got, tt.want)
			}
			if again := l.Take(); again != nil {
				t.Errorf("second Take() = %v, want nothing", again)
			}
		})
	}
}

// BenchmarkLinksTake takes the links of a transaction of new users in file
// order (the events import's case): 20,000 random identifiers, a tenth of
// them linked twice.
func BenchmarkLinksTake(b *testing.B) {
	var ids []Identifier
	for i := range 20000 {
		ids = append(ids, Identifier{Kind: "identity", Value: fmt.Sprintf("customer-%010d", (i*7919+13)%1000003)})
		if i%10 == 0 {
			ids = append(ids, ids[i/2])
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		var l Links
		for i, id := range ids {
			l.Add("BENCH-0001", int64(i), []Identifier{id})
		}
		if got := l.Take(); len(got) != 20000 {
			b.Fatalf("took %d links, want 20000", len(got))
		}
	}
}
