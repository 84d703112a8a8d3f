package storetest

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/record"
	"sluice/internal/segment"
	"sluice/internal/store"
)

// CheckSegmentCases runs every SegmentCase on a store holding the segment
// fixture (however it got there), through count, pages and export.
func CheckSegmentCases(t *testing.T, st store.Segments, acct string) {
	for _, tc := range SegmentCases() {
		t.Run(tc.Name, func(t *testing.T) {
			q := mustQuery(t, tc.Filter)
			got := exportLabels(t, st, acct, q)
			if !slices.Equal(got, tc.Want) {
				t.Fatalf("%s\nmatched %s\nwant    %s", tc.Filter, describeLabels(got), describeLabels(tc.Want))
			}
			n, err := st.CountSegment(ctx(t), acct, q)
			if err != nil || n != int64(len(tc.Want)) {
				t.Fatalf("count = %d, %v; want %d", n, err, len(tc.Want))
			}
			ps, err := st.SegmentProfiles(ctx(t), acct, q, 0, 0)
			if err != nil || !slices.Equal(sortedLabels(ps), tc.Want) {
				t.Fatalf("first page %s, %v; want %s", describeLabels(sortedLabels(ps)), err, describeLabels(tc.Want))
			}
		})
	}
}

func mustQuery(t *testing.T, filter string) store.SegmentQuery {
	t.Helper()
	n, err := segment.Parse([]byte(filter))
	if err != nil {
		t.Fatalf("parse %s: %v", filter, err)
	}
	return store.SegmentQuery{Filter: n, Now: SegmentNow}
}

func exportLabels(t *testing.T, st store.Segments, acct string, q store.SegmentQuery) []string {
	t.Helper()
	var ps []store.Profile
	if err := st.ExportSegment(ctx(t), acct, q, nil, func(p store.Profile) error {
		ps = append(ps, p)
		return nil
	}); err != nil {
		t.Fatalf("export: %v", err)
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].ID <= ps[i-1].ID {
			t.Fatalf("export not in ascending id order: %d after %d", ps[i].ID, ps[i-1].ID)
		}
	}
	return sortedLabels(ps)
}

func sortedLabels(ps []store.Profile) []string {
	var out []string
	for _, p := range ps {
		out = append(out, Label(p))
	}
	slices.Sort(out)
	return out
}

func testSegmentQueries(t *testing.T, open Opener) {
	st := open(t)
	MustSegmentFixture(t, st)
	CheckSegmentCases(t, st, SegmentAccount)
}

func testSegmentPages(t *testing.T, open Opener) {
	st := open(t)
	MustSegmentFixture(t, st)
	q := mustQuery(t, `{"all":[]}`)
	var all []store.Profile
	for after := int64(0); ; {
		page, err := st.SegmentProfiles(ctx(t), SegmentAccount, q, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 4 {
			break
		}
		after = page[len(page)-1].ID
	}
	if got := sortedLabels(all); !slices.Equal(got, everyone) {
		t.Fatalf("pages of 4 gave %v", got)
	}
	ann := all[0]
	wantIDs := ids("identity", "ann", "objectId", "o-ann", "objectId", "o-ann2")
	if !reflect.DeepEqual(ann.Identifiers, wantIDs) || !reflect.DeepEqual(ann.Props, SegmentProfiles()[0].Props) ||
		ann.AccountID != SegmentAccount || !ann.UpdatedAt.Equal(SegmentNow) {
		t.Fatalf("first profile %+v", ann)
	}
}

func testSegmentExportStops(t *testing.T, open Opener) {
	st := open(t)
	MustSegmentFixture(t, st)
	stop := errors.New("stop")
	calls := 0
	err := st.ExportSegment(ctx(t), SegmentAccount, mustQuery(t, `{"all":[]}`), nil, func(store.Profile) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Fatalf("export after fn's error: %v, %d calls", err, calls)
	}
	var first store.Profile
	err = st.ExportSegment(ctx(t), SegmentAccount, mustQuery(t, `{"property":"City","op":"exists"}`), []string{"Playlist", "Nope"},
		func(p store.Profile) error {
			if first.ID == 0 {
				first = p
			}
			return nil
		})
	want := record.Props{"Playlist": record.List([]string{"Rock", "Jazz"})}
	if err != nil || Label(first) != "ann" || !reflect.DeepEqual(first.Props, want) {
		t.Fatalf("export of named properties: %+v %v", first, err)
	}
}

func testSavedSegments(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustAccount(t, st, "B-1")
	mk := func(acct, name string, at time.Time) (store.SavedSegment, error) {
		return st.CreateSegment(ctx(t), store.SavedSegment{AccountID: acct, Name: name, Filter: []byte(`{"all":[]}`), CreatedAt: at})
	}
	first, err := mk("A-1", "buyers", t0)
	if err != nil || first.ID == 0 {
		t.Fatalf("create: %+v %v", first, err)
	}
	if _, err := mk("A-1", "buyers", t0); !errs.Is(err, errs.Conflict) {
		t.Fatalf("same name twice: %v", err)
	}
	if _, err := mk("B-1", "buyers", t0); err != nil {
		t.Fatalf("same name in another account: %v", err)
	}
	second, _ := mk("A-1", "lapsed", t0.Add(time.Second))
	got, err := st.Segment(ctx(t), "A-1", first.ID)
	if err != nil || got.Name != "buyers" || string(got.Filter) != `{"all":[]}` || !got.CreatedAt.Equal(t0) || got.AccountID != "A-1" {
		t.Fatalf("read back %+v %v", got, err)
	}
	if _, err := st.Segment(ctx(t), "B-1", first.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another account read it: %v", err)
	}
	list, err := st.ListSegments(ctx(t), "A-1")
	if err != nil || len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID {
		t.Fatalf("list, newest first: %+v %v", list, err)
	}
	if err := st.DeleteSegment(ctx(t), "B-1", first.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("another account deleted it: %v", err)
	}
	if err := st.DeleteSegment(ctx(t), "A-1", first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Segment(ctx(t), "A-1", first.ID); !errs.Is(err, errs.NotFound) {
		t.Fatalf("deleted segment still there: %v", err)
	}
}
