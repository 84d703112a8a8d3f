package storetest

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

func pgpKey(acct, id, fp string, at time.Time) store.PGPKey {
	return store.PGPKey{ID: id, AccountID: acct, Name: "key " + id, Kind: store.PGPKeyGenerated, Fingerprint: fp,
		PublicKey: "-----BEGIN PGP PUBLIC KEY BLOCK-----", Sealed: []byte{1, 0, 255, 7}, CreatedAt: at}
}

func testPGPKeys(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustAccount(t, st, "B-1")
	cases := []struct {
		name string
		key  store.PGPKey
		code errs.Code // "" for success
	}{
		{"first", pgpKey("A-1", "k-1", "FP1", t0), ""},
		{"same key in the same account", pgpKey("A-1", "k-3", "FP1", t0), errs.Conflict},
		{"second, older clock", pgpKey("A-1", "k-2", "FP2", t0.Add(-time.Hour)), ""},
		{"same key in another account", pgpKey("B-1", "k-4", "FP1", t0), ""},
		{"unknown account", pgpKey("C-1", "k-5", "FP5", t0), errs.NotFound},
		{"third key, over the maximum of two", pgpKey("A-1", "k-6", "FP6", t0), errs.TooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := st.AddPGPKey(ctx(t), c.key, 2)
			if c.code == "" && (err != nil || got.ID != c.key.ID) {
				t.Fatalf("add: %+v %v", got, err)
			}
			if c.code != "" && (err == nil || errs.CodeOf(err) != c.code) {
				t.Fatalf("add: %v, want code %s", err, c.code)
			}
		})
	}
	ks, err := st.ListPGPKeys(ctx(t), "A-1")
	if err != nil || len(ks) != 2 || ks[0].ID != "k-2" || ks[1].ID != "k-1" {
		t.Fatalf("list, oldest first: %+v %v", ks, err)
	}
	want := pgpKey("A-1", "k-1", "FP1", t0)
	got, err := st.PGPKey(ctx(t), "A-1", "k-1")
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) || !bytes.Equal(got.Sealed, want.Sealed) {
		t.Fatalf("read back:\n got %+v %v\nwant %+v", got, err, want)
	}
	if _, err := st.PGPKey(ctx(t), "B-1", "k-1"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another account's key: %v", err)
	}
	if err := st.DeletePGPKey(ctx(t), "B-1", "k-1"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("delete another account's key: %v", err)
	}
	if err := st.DeletePGPKey(ctx(t), "A-1", "k-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.PGPKey(ctx(t), "A-1", "k-1"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("deleted key: %v", err)
	}
	if err := st.DeletePGPKey(ctx(t), "A-1", "k-1"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("delete twice: %v", err)
	}
	if _, err := st.AddPGPKey(ctx(t), pgpKey("A-1", "k-7", "FP7", t0), 2); err != nil {
		t.Fatalf("add after delete frees a place: %v", err)
	}
	if ks, err := st.ListPGPKeys(ctx(t), "C-1"); err != nil || len(ks) != 0 || ks == nil {
		t.Fatalf("list of an account without keys is empty, not nil: %#v %v", ks, err)
	}
}
