package export

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/store"
)

type fakeSource []store.Profile

func (f fakeSource) ExportSegment(ctx context.Context, acct string, q store.SegmentQuery, props []string, fn func(store.Profile) error) error {
	for _, p := range f {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func TestRun(t *testing.T) {
	src := fakeSource{
		{Identifiers: []store.Identifier{{Kind: "identity", Value: "ann"}, {Kind: "objectId", Value: "o1"}, {Kind: "objectId", Value: "o2"}},
			Props: record.Props{"Age": record.Int(31), "DOB": record.DateOf(time.Date(1990, 5, 1, 0, 0, 1, 0, time.UTC)),
				"Playlist": record.List([]string{"Rock", "Jazz"}), "VIP": record.Bool(true), "Score": record.Float(2.5),
				"Note": record.String(`says "hi", twice`)}},
		{Identifiers: []store.Identifier{{Kind: "fbId", Value: "fb-eve"}, {Kind: "gpId", Value: "gp-eve"}},
			Props: record.Props{"Score": record.Float(1e21)}},
	}
	var b strings.Builder
	n, err := Run(t.Context(), src, "A", store.SegmentQuery{}, []string{"Age", "DOB", "Playlist", "VIP", "Score", "Note"}, &b)
	want := "identity,objectId,fbId,gpId,Age,DOB,Playlist,VIP,Score,Note\n" +
		`ann,o1|o2,,,31,1990-05-01T00:00:01Z,Rock|Jazz,true,2.5,"says ""hi"", twice"` + "\n" +
		",,fb-eve,gp-eve,,,,,1000000000000000000000,\n"
	if err != nil || n != 2 || b.String() != want {
		t.Fatalf("Run = %d, %v\n%s\nwant\n%s", n, err, b.String(), want)
	}
}

func TestRunStopsOnWriteError(t *testing.T) {
	src := make(fakeSource, 10000)
	_, err := Run(t.Context(), src, "A", store.SegmentQuery{}, nil, failWriter{})
	if err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("want the writer's error, got %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestParseProperties(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		bad      string
	}{
		{"empty", "", nil, ""},
		{"two, trimmed", " Age , City", []string{"Age", "City"}, ""},
		{"dash names", "MSG-email", []string{"MSG-email"}, ""},
		{"empty name", "Age,,City", nil, "an empty name"},
		{"bad char", "a.b", nil, `"a.b" is not a property name`},
		{"identifier", "identity", nil, "identifier column"},
		{"twice", "Age,Age", nil, "given twice"},
		{"too many", strings.Repeat("a,", MaxProperties) + "b", nil, "at most 100"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseProperties(tc.in)
			if tc.bad != "" {
				if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tc.bad) {
					t.Fatalf("want invalid with %q, got %v", tc.bad, err)
				}
				return
			}
			if err != nil || strings.Join(got, "/") != strings.Join(tc.want, "/") {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
