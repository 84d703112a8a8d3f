package storetest

import (
	"testing"

	"sluice/internal/errs"
	"sluice/internal/store"
)

func testAccounts(t *testing.T, open Opener) {
	st := open(t)
	a := MustAccount(t, st, "ACME-0001")
	got, err := st.AccountByToken(ctx(t), []byte("hash-ACME-0001"))
	if err != nil || got.ID != a.ID || got.Name != a.Name || !got.CreatedAt.Equal(t0) {
		t.Fatalf("by token: %+v %v", got, err)
	}
	if _, err := st.AccountByToken(ctx(t), []byte("nope")); errs.CodeOf(err) != errs.Unauthorized {
		t.Fatalf("unknown token: %v", err)
	}
	if err := st.CreateAccount(ctx(t), store.Account{ID: a.ID, Name: "x", CreatedAt: t0}, []byte("h2")); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("duplicate id: %v", err)
	}
	if err := st.AddToken(ctx(t), a.ID, []byte("second"), t0); err != nil {
		t.Fatal(err)
	}
	if got, err := st.AccountByToken(ctx(t), []byte("second")); err != nil || got.ID != a.ID {
		t.Fatalf("second token: %+v %v", got, err)
	}
	if _, err := st.Account(ctx(t), "NOPE-0000"); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("missing account: %v", err)
	}
}

func testKeys(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustAccount(t, st, "B-1")
	k := func(acct, fp string) store.ImportKey {
		return store.ImportKey{AccountID: acct, Name: "k", PublicKey: "ssh-ed25519 AAAA", Fingerprint: fp, CreatedAt: t0}
	}
	k1, err := st.AddKey(ctx(t), k("A-1", "SHA256:one"), 2)
	if err != nil || k1.ID == 0 {
		t.Fatalf("add: %+v %v", k1, err)
	}
	if _, err := st.AddKey(ctx(t), k("B-1", "SHA256:one"), 2); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("same key, other account: %v", err)
	}
	if _, err := st.AddKey(ctx(t), k("A-1", "SHA256:two"), 2); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddKey(ctx(t), k("A-1", "SHA256:three"), 2); errs.CodeOf(err) != errs.TooLarge {
		t.Fatalf("over max: %v", err)
	}
	if err := st.DeleteKey(ctx(t), "B-1", k1.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("delete another account's key: %v", err)
	}
	if err := st.TouchKey(ctx(t), k1.ID, t0); err != nil {
		t.Fatal(err)
	}
	got, err := st.KeyByFingerprint(ctx(t), "SHA256:one")
	if err != nil || got.LastUsedAt == nil || !got.LastUsedAt.Equal(t0) {
		t.Fatalf("touched key: %+v %v", got, err)
	}
	if err := st.DeleteKey(ctx(t), "A-1", k1.ID); err != nil {
		t.Fatal(err)
	}
	live, err := st.LiveKeys(ctx(t), []int64{k1.ID, k1.ID + 1})
	if err != nil || live[k1.ID] || !live[k1.ID+1] {
		t.Fatalf("live keys: %v %v", live, err)
	}
	ks, err := st.ListKeys(ctx(t), "A-1")
	if err != nil || len(ks) != 1 || ks[0].Fingerprint != "SHA256:two" {
		t.Fatalf("list: %+v %v", ks, err)
	}
}

func testUploads(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	first := MustUpload(t, st, "A-1", "e.csv", store.KindData, t0)
	second, replaced, err := st.RecordUpload(ctx(t), store.Upload{AccountID: "A-1", Name: "e.csv", Kind: store.KindData,
		Size: 20, SHA256: "11", BlobKey: "A-1/second", CreatedAt: t0})
	if err != nil || replaced != first.BlobKey {
		t.Fatalf("replace: %q %v", replaced, err)
	}
	vis, err := st.VisibleUploads(ctx(t), "A-1")
	if err != nil || len(vis) != 1 || vis[0].ID != second.ID {
		t.Fatalf("visible after replace: %+v %v", vis, err)
	}
	imp := MustImport(t, st, "A-1", "e.manifest", "e.csv", t0)
	if _, err := st.BindData(ctx(t), imp.ID, t0); err != nil {
		t.Fatal(err)
	}
	if locked, err := st.NameLocked(ctx(t), "A-1", "e.csv"); err != nil || !locked {
		t.Fatalf("locked: %v %v", locked, err)
	}
	if _, _, err := st.RecordUpload(ctx(t), store.Upload{AccountID: "A-1", Name: "e.csv", Kind: store.KindData,
		BlobKey: "x", CreatedAt: t0}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("upload onto locked name: %v", err)
	}
	if used, err := st.ManifestNameUsed(ctx(t), "A-1", "e.manifest"); err != nil || !used {
		t.Fatalf("manifest used: %v %v", used, err)
	}
	if _, _, err := st.RecordUpload(ctx(t), store.Upload{AccountID: "A-1", Name: "e.manifest", Kind: store.KindManifest,
		BlobKey: "y", CreatedAt: t0}); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("manifest reuse: %v", err)
	}
	if n, err := st.StoredBytes(ctx(t), "A-1"); err != nil || n != 30 {
		t.Fatalf("stored bytes %d %v, want 30 (data 20 + manifest 10)", n, err)
	}
}
