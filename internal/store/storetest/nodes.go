package storetest

import (
	"errors"
	"sync"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

func testHostKeys(t *testing.T, open Opener) {
	st := open(t)
	calls := 0
	create := func(pem string) func() ([]byte, error) {
		return func() ([]byte, error) { calls++; return []byte(pem), nil }
	}
	first, err := st.HostKey(ctx(t), "ssh_host_ed25519_key", create("key-1"))
	if err != nil || string(first) != "key-1" {
		t.Fatalf("first HostKey = %q, %v", first, err)
	}
	again, err := st.HostKey(ctx(t), "ssh_host_ed25519_key", create("key-2"))
	if err != nil || string(again) != "key-1" || calls != 1 {
		t.Fatalf("second HostKey = %q, %v after %d creates; want the first key, created once", again, err, calls)
	}
	boom := errors.New("no entropy")
	if _, err := st.HostKey(ctx(t), "ssh_host_rsa_key", func() ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Fatalf("failing create: %v, want %v", err, boom)
	}
	rsa, err := st.HostKey(ctx(t), "ssh_host_rsa_key", create("rsa-1"))
	if err != nil || string(rsa) != "rsa-1" {
		t.Fatalf("HostKey after a failed create = %q, %v", rsa, err)
	}
}

// testHostKeysRace starts several nodes at once: all get the same key.
func testHostKeysRace(t *testing.T, open Opener) {
	st := open(t)
	var wg sync.WaitGroup
	got := make([]string, 4)
	for i := range got {
		wg.Go(func() {
			pem, err := st.HostKey(ctx(t), "k", func() ([]byte, error) { return []byte{byte('a' + i)}, nil })
			if err != nil {
				t.Error(err)
			}
			got[i] = string(pem)
		})
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatalf("nodes got different keys: %q", got)
		}
	}
}

func testBans(t *testing.T, open Opener) {
	st := open(t)
	rule := store.BanRule{Threshold: 3, Window: time.Minute, Duration: 10 * time.Minute}
	fail := func(ip string, at time.Time) time.Time {
		t.Helper()
		until, err := st.LoginFailed(ctx(t), ip, at, rule)
		if err != nil {
			t.Fatal(err)
		}
		return until
	}
	// Two failures, then a third after the window: the first fell out.
	fail("10.0.0.1", t0)
	fail("10.0.0.1", t0.Add(30*time.Second))
	if u := fail("10.0.0.1", t0.Add(61*time.Second)); !u.IsZero() {
		t.Fatalf("banned at %v with only 2 failures in the window", u)
	}
	// A third within the window bans for Duration from then.
	at := t0.Add(70 * time.Second)
	if u := fail("10.0.0.1", at); !u.Equal(at.Add(rule.Duration)) {
		t.Fatalf("ban ends %v, want %v", u, at.Add(rule.Duration))
	}
	if u, err := st.BannedUntil(ctx(t), "10.0.0.1"); err != nil || !u.Equal(at.Add(rule.Duration)) {
		t.Fatalf("BannedUntil = %v, %v", u, err)
	}
	// Other addresses are not affected.
	if u, err := st.BannedUntil(ctx(t), "10.0.0.2"); err != nil || !u.IsZero() {
		t.Fatalf("unrelated address: BannedUntil = %v, %v", u, err)
	}
	// After the ban, counting starts anew.
	after := at.Add(rule.Duration + time.Second)
	if u := fail("10.0.0.1", after); !u.IsZero() {
		t.Fatalf("one failure after the ban ended bans again until %v", u)
	}
}

func testReservations(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "Q1")
	_, _, err := st.RecordUpload(ctx(t), store.Upload{AccountID: "Q1", Name: "old.csv", Kind: store.KindData,
		Size: 400, SHA256: "00", BlobKey: "Q1/old", CreatedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	exp := t0.Add(time.Minute)
	reserve := func(r store.UploadReservation, quota int64) (store.UploadReservation, int64, error) {
		t.Helper()
		return st.ReserveUpload(ctx(t), r, quota, t0)
	}
	a, inUse, err := reserve(store.UploadReservation{AccountID: "Q1", Name: "a.csv", Kind: store.KindData, Bytes: 300, Node: "n1", ExpiresAt: exp}, 1000)
	if err != nil || a.ID == 0 || inUse != 700 {
		t.Fatalf("reserve a: %+v, inUse %d, %v; want an id and 700 in use", a, inUse, err)
	}
	// Another node's upload that would pass the quota is refused.
	_, inUse, err = reserve(store.UploadReservation{AccountID: "Q1", Name: "b.csv", Kind: store.KindData, Bytes: 301, Node: "n2", ExpiresAt: exp}, 1000)
	if !errs.Is(err, errs.TooLarge) || inUse != 700 {
		t.Fatalf("reserve b over quota: inUse %d, %v; want errs.TooLarge with 700 in use", inUse, err)
	}
	// Replacing old.csv does not count old.csv.
	r, inUse, err := reserve(store.UploadReservation{AccountID: "Q1", Name: "old.csv", Kind: store.KindData, Bytes: 700, Node: "n2", ExpiresAt: exp}, 1000)
	if err != nil || inUse != 1000 {
		t.Fatalf("reserve a replacement: inUse %d, %v; want 1000", inUse, err)
	}
	// Growing a reservation counts only its new size.
	a.Bytes = 301
	if _, _, err := reserve(a, 1000); !errs.Is(err, errs.TooLarge) {
		t.Fatalf("growing a past the quota: %v", err)
	}
	if err := st.ReleaseUpload(ctx(t), r.ID); err != nil {
		t.Fatal(err)
	}
	if _, inUse, err = reserve(a, 1000); err != nil || inUse != 701 {
		t.Fatalf("growing a after a release: inUse %d, %v; want 701", inUse, err)
	}
	testReservationExpiry(t, st, a)
}

// testReservationExpiry: a node that stops renewing loses its reservations;
// one that renews keeps them.
func testReservationExpiry(t *testing.T, st store.Store, a store.UploadReservation) {
	b, _, err := st.ReserveUpload(ctx(t), store.UploadReservation{AccountID: "Q1", Name: "b.csv", Kind: store.KindData,
		Bytes: 100, Node: "n2", ExpiresAt: t0.Add(time.Minute)}, 0, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RenewUploads(ctx(t), "n1", t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * time.Minute) // n2's reservation has expired, n1's was renewed
	_, inUse, err := st.ReserveUpload(ctx(t), store.UploadReservation{AccountID: "Q1", Name: "c.csv", Kind: store.KindData,
		Bytes: 1, Node: "n3", ExpiresAt: later.Add(time.Minute)}, 0, later)
	if err != nil || inUse != 400+a.Bytes+1 {
		t.Fatalf("after n2 expired: inUse %d, %v; want %d (b's %d bytes gone)", inUse, err, 400+a.Bytes+1, b.Bytes)
	}
	// Growing an expired reservation takes a new one.
	b.Bytes, b.ExpiresAt = 50, later.Add(time.Minute)
	nb, _, err := st.ReserveUpload(ctx(t), b, 0, later)
	if err != nil || nb.ID == b.ID || nb.ID == 0 {
		t.Fatalf("regrow expired reservation: %+v, %v; want a new id", nb, err)
	}
	if err := st.ReleaseUpload(ctx(t), 987654); err != nil {
		t.Fatalf("releasing a missing reservation: %v", err)
	}
}
