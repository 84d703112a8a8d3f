package offheap

import "testing"

type triple struct{ a, b, c int64 }

func TestSlice(t *testing.T) {
	for _, tc := range []struct {
		name string
		n    int
	}{
		{"none", 0},
		{"one", 1},
		{"past a page", 1000},
		{"many pages", 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, free := Slice[triple](tc.n)
			defer free()
			if len(s) != tc.n || cap(s) != tc.n {
				t.Fatalf("len %d cap %d, want %d", len(s), cap(s), tc.n)
			}
			for i := range s {
				if s[i] != (triple{}) {
					t.Fatalf("value %d is %v, want zero", i, s[i])
				}
				s[i] = triple{int64(i), -int64(i), 7}
			}
			for i := range s {
				if s[i] != (triple{int64(i), -int64(i), 7}) {
					t.Fatalf("value %d reads back %v", i, s[i])
				}
			}
		})
	}
}
