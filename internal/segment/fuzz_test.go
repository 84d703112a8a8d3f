package segment

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: Parse never panics; it either refuses with a path that starts
// at the root, or gives a tree that Marshal writes back to the same tree.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"all":[{"property":"Age","op":"gte","value":21},{"property":"Playlist","op":"contains","value":"Rock"},
		  {"event":"Purchased","count":{"gte":2},"within":{"lastDays":30},"where":[{"property":"Price","op":"gt","value":100}]},
		  {"not":{"property":"MSG-dndEmail","op":"eq","value":true}},{"any":[{"reachable":"sms"}]}]}`,
		`{"property":"DOB","op":"between","value":["$D_0","2000-01-01T00:00:00.5+01:00"]}`,
		`{"property":"T","op":"in","value":["a",1,2.5,false,"$D_-7"]}`,
		`{"event":"E","count":{"lte":3},"within":{"from":"2026-01-01T00:00:00Z","to":"2026-02-01T00:00:00Z"}}`,
		`{"event":"E","count":{"eq":0}}`,
		`{"property":"A","op":"notExists"}`,
		`{"all":[]}`,
		`{"not":{"not":{"reachable":"push"}}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data)
		if err != nil {
			var pe *Error
			if !errors.As(err, &pe) || !strings.HasPrefix(pe.Path, Root) {
				t.Fatalf("error without a path from the root: %v", err)
			}
			return
		}
		b, err := Marshal(n)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := Parse(b)
		if err != nil {
			t.Fatalf("Parse(Marshal(%q)) = %s: %v", data, b, err)
		}
		if !reflect.DeepEqual(back, n) {
			t.Fatalf("round trip of %q through %s\ngot  %#v\nwant %#v", data, b, back, n)
		}
	})
}
