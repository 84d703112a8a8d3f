package storetest

import (
	"testing"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
)

// SegmentNow is the moment the segment cases are evaluated at ("last N days" counts back from it).
var SegmentNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// SegmentAccount holds the fixture the cases run on; SegmentOtherAccount holds
// a profile that would match most cases, to prove that filters stay in their account.
const (
	SegmentAccount      = "SEG-1"
	SegmentOtherAccount = "SEG-2"
)

// FixtureProfile is one user of the segment fixture.
type FixtureProfile struct {
	IDs   []store.Identifier
	Props record.Props
}

// FixtureEvent is one event of the segment fixture; DaysAgo counts back from SegmentNow.
type FixtureEvent struct {
	User    string // the profile's label (see Label)
	Name    string
	DaysAgo int
	Props   record.Props
}

func ids(pairs ...string) []store.Identifier {
	var out []store.Identifier
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, store.Identifier{Kind: pairs[i], Value: pairs[i+1]})
	}
	return out
}

func day(s string) record.Value {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return record.DateOf(t)
}

// SegmentProfiles is the fixture's users. Labels: ann, bob, cat, dan, fb-eve, fay.
func SegmentProfiles() []FixtureProfile {
	return []FixtureProfile{
		{ids("identity", "ann", "objectId", "o-ann", "objectId", "o-ann2"), record.Props{
			"City": record.String("Mumbai"), "Age": record.Int(31), "Score": record.Float(2.5), "VIP": record.Bool(true),
			"DOB": day("1990-05-01T00:00:01Z"), "Playlist": record.List([]string{"Rock", "Jazz"}),
			"MSG-email": record.Bool(true), "MSG-dndEmail": record.Bool(false)}},
		{ids("identity", "bob"), record.Props{
			"City": record.String("Delhi"), "Age": record.Int(17), "Score": record.Int(9), "VIP": record.Bool(false),
			"DOB": day("2008-03-10T00:00:01Z"), "Playlist": record.List([]string{"Pop", "R&B"}), "MSG-email": record.Bool(false)}},
		{ids("identity", "cat", "fbId", "fb-cat"), record.Props{
			"City": record.String("Mumbai"), "Age": record.Int(45), "Score": record.Float(7.25),
			"DOB": day("1979-12-31T00:00:01Z"), "Playlist": record.List([]string{"Rock"}), "MSG-dndEmail": record.Bool(true),
			"Note": record.String("likes rock and roll"), "Tier": record.String("gold")}},
		{ids("identity", "dan"), record.Props{
			"City": record.String("Navi Mumbai"), "Age": record.Int(21), "MSG-sms": record.Bool(false), "Tier": record.String("silver")}},
		{ids("fbId", "fb-eve", "gpId", "gp-eve"), record.Props{}},
		{ids("identity", "fay"), record.Props{
			"Age": record.String("30"), "Tier": record.Int(3), "DOB": record.String("1990-05-01T00:00:01Z")}},
	}
}

// SegmentEvents is the fixture's events.
func SegmentEvents() []FixtureEvent {
	price := func(p float64) record.Props { return record.Props{"Price": record.Float(p)} }
	return []FixtureEvent{
		{"ann", "Purchased", 1, record.Props{"Price": record.Int(150), "Currency": record.String("INR")}},
		{"ann", "Purchased", 10, price(50)},
		{"ann", "Purchased", 40, price(500)},
		{"ann", "App Opened", 2, nil},
		{"bob", "Purchased", 5, price(120)},
		{"bob", "Viewed", 1, nil},
		{"cat", "Purchased", 100, price(300)},
		{"cat", "Purchased", 20, price(101)},
		{"cat", "Purchased", 3, price(99.5)},
		{"dan", "Viewed", 3, nil},
		{"dan", "Viewed", 4, nil},
		{"dan", "Viewed", 40, nil},
		{"fb-eve", "Purchased", 2, price(1000)},
	}
}

// Label names a profile in the cases: its first identifier value, identity first.
func Label(p store.Profile) string {
	if len(p.Identifiers) == 0 {
		return ""
	}
	return p.Identifiers[0].Value
}

// MustSegmentFixture writes the fixture through the batch API, with a
// look-alike profile in the other account.
func MustSegmentFixture(t *testing.T, st store.Store) {
	t.Helper()
	MustAccount(t, st, SegmentAccount)
	MustAccount(t, st, SegmentOtherAccount)
	zed := FixtureProfile{ids("identity", "zed"), SegmentProfiles()[0].Props}
	mustWrite(t, st, SegmentOtherAccount, []FixtureProfile{zed}, []FixtureEvent{
		{"zed", "Purchased", 1, nil}, {"zed", "Purchased", 2, nil}, {"zed", "Viewed", 1, nil}})
	mustWrite(t, st, SegmentAccount, SegmentProfiles(), SegmentEvents())
}

func mustWrite(t *testing.T, st store.Store, acct string, ps []FixtureProfile, evs []FixtureEvent) {
	t.Helper()
	err := st.InBatch(ctx(t), func(tx store.BatchTx) error {
		byLabel := map[string]int64{}
		for _, fp := range ps {
			p := &store.Profile{AccountID: acct, Props: fp.Props, CreatedAt: SegmentNow, UpdatedAt: SegmentNow}
			if err := tx.CreateProfiles(ctx(t), []*store.Profile{p}); err != nil {
				return err
			}
			if err := tx.LinkIdentifiers(ctx(t), acct, p.ID, fp.IDs); err != nil {
				return err
			}
			byLabel[fp.IDs[0].Value] = p.ID
		}
		out := make([]store.Event, len(evs))
		for i, e := range evs {
			out[i] = store.Event{AccountID: acct, ProfileID: byLabel[e.User], ImportID: 1, Row: int64(i + 1), Name: e.Name,
				Time: SegmentNow.Unix() - int64(e.DaysAgo)*86400, Props: e.Props}
		}
		return tx.InsertEvents(ctx(t), out)
	})
	if err != nil {
		t.Fatalf("write segment fixture: %v", err)
	}
}
