package storetest

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"sluice/internal/record"
	"sluice/internal/store"
)

// testKnownNames reads the names of the segment fixture's account: every
// property with the kind most of its values have, every event name, the
// properties of events; nothing of another account's.
func testKnownNames(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "KN-empty")
	empty, err := st.KnownNames(ctx(t), "KN-empty")
	if err != nil || empty.Properties == nil || empty.Events == nil || empty.EventProperties == nil ||
		len(empty.Properties)+len(empty.Events)+len(empty.EventProperties) != 0 {
		t.Fatalf("empty account: %+v, %v; want empty, non-nil lists", empty, err)
	}
	MustSegmentFixture(t, st)
	mustWrite(t, st, SegmentOtherAccount, []FixtureProfile{{ids("identity", "kn-other"), record.Props{"Secret": record.Int(1)}}},
		[]FixtureEvent{{"kn-other", "Secret Event", 1, record.Props{"Hidden": record.String("x")}}})

	got, err := st.KnownNames(ctx(t), SegmentAccount)
	if err != nil {
		t.Fatal(err)
	}
	p := func(name string, k record.Kind) store.KnownProperty { return store.KnownProperty{Name: name, Kind: k} }
	wantProps := []store.KnownProperty{
		p("Age", record.KindInt), // four numbers, one string "30"
		p("City", record.KindString), p("DOB", record.KindDate), p("MSG-dndEmail", record.KindBool),
		p("MSG-email", record.KindBool), p("MSG-sms", record.KindBool), p("Note", record.KindString),
		p("Playlist", record.KindList),
		p("Score", record.KindFloat), // 2.5, 9, 7.25: one kind of number, not whole
		p("Tier", record.KindString), p("VIP", record.KindBool),
	}
	if !reflect.DeepEqual(got.Properties, wantProps) {
		t.Fatalf("properties\n got %v\nwant %v", got.Properties, wantProps)
	}
	if want := []string{"App Opened", "Purchased", "Viewed"}; !slices.Equal(got.Events, want) {
		t.Fatalf("events %q, want %q", got.Events, want)
	}
	wantEv := []store.KnownProperty{p("Currency", record.KindString), p("Price", record.KindFloat)}
	if !reflect.DeepEqual(got.EventProperties, wantEv) {
		t.Fatalf("event properties\n got %v\nwant %v", got.EventProperties, wantEv)
	}
}

// testKnownNamesBounded: past the sample, only the newest profiles' names
// count; event names are capped.
func testKnownNamesBounded(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "KN-1")
	ps := make([]FixtureProfile, 0, store.KnownProfileSample+1)
	ps = append(ps, FixtureProfile{ids("identity", "oldest"), record.Props{"OnlyOldest": record.Int(1)}})
	for i := range store.KnownProfileSample {
		ps = append(ps, FixtureProfile{ids("identity", fmt.Sprint("u", i)), record.Props{"Common": record.String("x")}})
	}
	var evs []FixtureEvent
	for i := range store.MaxKnownEvents + 5 {
		evs = append(evs, FixtureEvent{"oldest", fmt.Sprintf("E%04d", i), 1, nil})
	}
	mustWrite(t, st, "KN-1", ps, evs)
	got, err := st.KnownNames(ctx(t), "KN-1")
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.KnownProperty{{Name: "Common", Kind: record.KindString}}; !reflect.DeepEqual(got.Properties, want) {
		t.Fatalf("properties %v, want only the newest profiles' %v", got.Properties, want)
	}
	if len(got.Events) != store.MaxKnownEvents || got.Events[0] != "E0000" || got.Events[len(got.Events)-1] != fmt.Sprintf("E%04d", store.MaxKnownEvents-1) {
		t.Fatalf("%d event names, from %q to %q", len(got.Events), got.Events[0], got.Events[len(got.Events)-1])
	}
}
