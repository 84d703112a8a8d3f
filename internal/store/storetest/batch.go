package storetest

import (
	"reflect"
	"slices"
	"testing"

	"sluice/internal/record"
	"sluice/internal/store"
)

var (
	idU1 = store.Identifier{Kind: record.IDIdentity, Value: "u1"}
	idO1 = store.Identifier{Kind: record.IDObjectID, Value: "o1"}
	idU2 = store.Identifier{Kind: record.IDIdentity, Value: "u2"}
)

func testBatch(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	props := record.Props{"Name": record.String("Ann"), "Age": record.Int(31), "Score": record.Float(2.5),
		"VIP": record.Bool(true), "DOB": record.Date(946684801), "Playlist": record.List([]string{"Rock", "Jazz"})}
	var pid int64
	err := st.InBatch(ctx(t), func(tx store.BatchTx) error {
		p := &store.Profile{AccountID: "A-1", Props: props, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateProfiles(ctx(t), []*store.Profile{p}); err != nil {
			return err
		}
		pid = p.ID
		if err := tx.LinkIdentifiers(ctx(t), "A-1", p.ID, []store.Identifier{idU1, idO1}); err != nil {
			return err
		}
		return tx.InsertEvents(ctx(t), []store.Event{{AccountID: "A-1", ProfileID: p.ID, ImportID: 1, Row: 1,
			Name: "Purchased", Time: 1700000000, Identifiers: []store.Identifier{idU1},
			Props: record.Props{"Amount": record.Float(9.5)}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.ProfileByIdentifier(ctx(t), "A-1", "o1")
	if err != nil || p.ID != pid || !reflect.DeepEqual(p.Props, props) {
		t.Fatalf("profile by objectId: %+v %v", p, err)
	}
	if !reflect.DeepEqual(p.Identifiers, []store.Identifier{idU1, idO1}) {
		t.Fatalf("identifiers %+v", p.Identifiers)
	}
	if _, err := st.ProfileByIdentifier(ctx(t), "B-1", "u1"); err == nil {
		t.Fatal("another account saw the profile")
	}
	evs, err := st.ListEvents(ctx(t), "A-1", store.EventFilter{Identifier: "o1", Name: "Purchased"})
	if err != nil || len(evs) != 1 || evs[0].Props["Amount"].F != 9.5 || evs[0].Identifiers[0] != idU1 {
		t.Fatalf("events: %+v %v", evs, err)
	}
	if evs, _ := st.ListEvents(ctx(t), "A-1", store.EventFilter{From: 1700000001}); len(evs) != 0 {
		t.Fatalf("time filter let through %+v", evs)
	}
	err = st.InBatch(ctx(t), func(tx store.BatchTx) error {
		found, err := tx.LookupIdentifiers(ctx(t), "A-1", []store.Identifier{idU1, idU2})
		if err != nil || len(found) != 1 || found[idU1] != pid {
			t.Errorf("lookup: %v %v", found, err)
		}
		loaded, err := tx.LoadProfiles(ctx(t), "A-1", []int64{pid})
		if err != nil || !reflect.DeepEqual(loaded[pid].Props, props) {
			t.Errorf("load: %+v %v", loaded, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	testScanIdentifiers(t, st, pid)
}

// testScanIdentifiers reads back the two identifiers testBatch linked.
func testScanIdentifiers(t *testing.T, st store.Store, pid int64) {
	tests := []struct {
		name    string
		account string
		limit   int
		want    map[store.Identifier]int64
		all     bool
	}{
		{"all fit", "A-1", 2, map[store.Identifier]int64{idU1: pid, idO1: pid}, true},
		{"one over the limit", "A-1", 1, nil, false},
		{"another account has none", "B-1", 5, map[store.Identifier]int64{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[store.Identifier]int64{}
			all, err := st.ScanIdentifiers(ctx(t), tc.account, tc.limit, func(id store.Identifier, p int64) { got[id] = p })
			if err != nil || all != tc.all || len(got) > tc.limit {
				t.Fatalf("all %v, %d seen (%v): want all %v, at most %d", all, len(got), err, tc.all, tc.limit)
			}
			if tc.want != nil && !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func testMerge(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	var keep, gone int64
	err := st.InBatch(ctx(t), func(tx store.BatchTx) error {
		a := &store.Profile{AccountID: "A-1", Props: record.Props{"x": record.Int(1)}, CreatedAt: t0, UpdatedAt: t0}
		b := &store.Profile{AccountID: "A-1", Props: record.Props{"y": record.Int(2)}, CreatedAt: t0, UpdatedAt: t0}
		if err := tx.CreateProfiles(ctx(t), []*store.Profile{a, b}); err != nil {
			return err
		}
		keep, gone = a.ID, b.ID
		tx.LinkIdentifiers(ctx(t), "A-1", a.ID, []store.Identifier{idU1})
		tx.LinkIdentifiers(ctx(t), "A-1", b.ID, []store.Identifier{idU2})
		return tx.InsertEvents(ctx(t), []store.Event{{AccountID: "A-1", ProfileID: b.ID, Name: "E", Time: 1}})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.InBatch(ctx(t), func(tx store.BatchTx) error {
		return tx.MergeProfiles(ctx(t), "A-1", keep, []int64{gone})
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.ProfileByIdentifier(ctx(t), "A-1", "u2")
	if err != nil || p.ID != keep || len(p.Identifiers) != 2 {
		t.Fatalf("after merge u2 finds %+v %v", p, err)
	}
	if evs, _ := st.ProfileEvents(ctx(t), "A-1", keep, 10); len(evs) != 1 {
		t.Fatalf("merged profile events: %+v", evs)
	}
	if _, err := st.Profile(ctx(t), "A-1", gone); err == nil {
		t.Fatal("merged-away profile still exists")
	}
}

// testMixedBatch writes two accounts' profiles, links and events in single
// calls, interleaved: each lands in its own account.
func testMixedBatch(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustAccount(t, st, "B-1")
	var pids [2]int64
	err := st.InBatch(ctx(t), func(tx store.BatchTx) error {
		ps := []*store.Profile{{AccountID: "A-1", Props: record.Props{}, CreatedAt: t0, UpdatedAt: t0},
			{AccountID: "B-1", Props: record.Props{}, CreatedAt: t0, UpdatedAt: t0}}
		if err := tx.CreateProfiles(ctx(t), ps); err != nil {
			return err
		}
		pids = [2]int64{ps[0].ID, ps[1].ID}
		ps[1].Props["x"] = record.Int(2)
		if err := tx.SaveProfiles(ctx(t), ps); err != nil {
			return err
		}
		for i, acct := range []string{"A-1", "B-1"} {
			if err := tx.LinkIdentifiers(ctx(t), acct, pids[i], []store.Identifier{idU1}); err != nil {
				return err
			}
		}
		ev := func(acct string, imp, pid int64) store.Event {
			return store.Event{AccountID: acct, ProfileID: pid, ImportID: imp, Row: imp, Name: "E", Time: 1700000000,
				Identifiers: []store.Identifier{idU1}, Props: record.Props{}}
		}
		return tx.InsertEvents(ctx(t), []store.Event{ev("A-1", 1, pids[0]), ev("B-1", 2, pids[1]), ev("A-1", 3, pids[0])})
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		account string
		imports []int64
		props   record.Props
	}{{"A-1", []int64{1, 3}, record.Props{}}, {"B-1", []int64{2}, record.Props{"x": record.Int(2)}}} {
		p, err := st.ProfileByIdentifier(ctx(t), tc.account, "u1")
		if err != nil || p.ID != pids[i] || !reflect.DeepEqual(p.Props, tc.props) {
			t.Fatalf("%s: profile %+v (%v), want id %d with %v", tc.account, p, err, pids[i], tc.props)
		}
		evs, err := st.ListEvents(ctx(t), tc.account, store.EventFilter{})
		var imps []int64
		for _, e := range evs {
			imps = append(imps, e.ImportID)
		}
		slices.Sort(imps)
		if err != nil || !slices.Equal(imps, tc.imports) {
			t.Fatalf("%s: events of imports %v (%v), want %v", tc.account, imps, err, tc.imports)
		}
	}
}
