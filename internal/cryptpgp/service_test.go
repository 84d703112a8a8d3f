package cryptpgp_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"sluice/internal/cryptpgp"
	"sluice/internal/cryptpgp/pgptest"
	"sluice/internal/errs"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

func newService(t *testing.T, secret byte, max int) (*cryptpgp.Service, *sqlite.DB) {
	t.Helper()
	st := sqlitetest.Open(t, "", sqlite.Options{})
	for _, id := range []string{"ACME-1", "EVIL-1"} {
		if err := st.CreateAccount(t.Context(), store.Account{ID: id, Name: id, CreatedAt: time.Now()}, []byte(id)); err != nil {
			t.Fatal(err)
		}
	}
	sealer, _ := cryptpgp.NewSealer(bytes.Repeat([]byte{secret}, 32))
	return &cryptpgp.Service{Store: st, Sealer: sealer, Max: max, Algorithm: cryptpgp.Curve25519, Now: time.Now}, st
}

// TestServiceLifecycle: generated and imported keys decrypt what gpg
// encrypted to them, stay within their account, and are gone once deleted.
func TestServiceLifecycle(t *testing.T) {
	g := pgptest.New(t)
	svc, st := newService(t, 1, 3)
	ctx := t.Context()
	gen, err := svc.Generate(ctx, "ACME-1", "  nightly export ")
	if err != nil || !cryptpgp.IsUUID(gen.ID) || gen.Name != "nightly export" || gen.Kind != store.PGPKeyGenerated {
		t.Fatalf("generate: %+v %v", gen, err)
	}
	fpr := g.GenKey("Customer <c@example.com>", "pw", "future-default", "default")
	imp, err := svc.Import(ctx, "ACME-1", "", g.ExportSecret(fpr, "pw"), "pw")
	if err != nil || imp.Name != "Customer <c@example.com>" || imp.Fingerprint != fpr || imp.Kind != store.PGPKeyImported {
		t.Fatalf("import: %+v %v", imp, err)
	}
	stored, _ := st.PGPKey(ctx, "ACME-1", imp.ID)
	if bytes.Contains(stored.Sealed, []byte("PRIVATE")) || len(stored.Sealed) < 100 {
		t.Fatalf("sealed key looks wrong: %d bytes", len(stored.Sealed))
	}
	g.Import(gen.PublicKey)
	for _, k := range []store.PGPKey{gen, imp} {
		key, err := svc.DecryptionKey(ctx, "ACME-1", strings.ToUpper(k.ID))
		if err != nil {
			t.Fatalf("unseal %s: %v", k.Name, err)
		}
		if got, err := decryptAll(g.Encrypt(plainCSV, k.Fingerprint), false, key); err != nil || !bytes.Equal(got, plainCSV) {
			t.Fatalf("decrypt with %s: %v", k.Name, err)
		}
	}
	if _, err := svc.Import(ctx, "ACME-1", "again", g.ExportSecret(fpr, "pw"), "pw"); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("the same key twice: %v", err)
	}
	if _, err := svc.Import(ctx, "EVIL-1", "mine now", g.ExportSecret(fpr, "pw"), "pw"); err != nil {
		t.Fatalf("another account may hold the same key: %v", err)
	}
	if _, err := svc.Get(ctx, "EVIL-1", gen.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another account's key: %v", err)
	}
	if _, err := svc.DecryptionKey(ctx, "EVIL-1", gen.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another account's key for decrypting: %v", err)
	}
	if err := svc.Delete(ctx, "EVIL-1", gen.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("delete another account's key: %v", err)
	}
	if err := svc.Delete(ctx, "ACME-1", gen.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.DecryptionKey(ctx, "ACME-1", gen.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("deleted key: %v", err)
	}
	ks, err := svc.List(ctx, "ACME-1")
	if err != nil || len(ks) != 1 || ks[0].ID != imp.ID {
		t.Fatalf("list after delete: %+v %v", ks, err)
	}
}

func TestServiceRefusals(t *testing.T) {
	svc, _ := newService(t, 1, 2)
	ctx := t.Context()
	for range 2 {
		if _, err := svc.Generate(ctx, "ACME-1", "k"); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		run  func() error
		code errs.Code
		msg  string
	}{
		{"over the maximum", func() error { _, err := svc.Generate(ctx, "ACME-1", "third"); return err }, errs.Invalid, "the most allowed"},
		{"no name", func() error { _, err := svc.Generate(ctx, "EVIL-1", " "); return err }, errs.Invalid, "name"},
		{"long name", func() error { _, err := svc.Generate(ctx, "EVIL-1", strings.Repeat("é", 101)); return err }, errs.Invalid, "at most 100"},
		{"bad armor", func() error { _, err := svc.Import(ctx, "EVIL-1", "x", "nope", ""); return err }, errs.Invalid, "ASCII-armored"},
		{"get, not a UUID", func() error { _, err := svc.Get(ctx, "ACME-1", "../../x"); return err }, errs.NotFound, "no decryption key"},
		{"delete, not a UUID", func() error { return svc.Delete(ctx, "ACME-1", "1") }, errs.NotFound, "no decryption key"},
		{"unknown id", func() error { _, err := svc.DecryptionKey(ctx, "ACME-1", cryptpgp.NewUUID()); return err }, errs.NotFound, "in this account"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if errs.CodeOf(err) != c.code || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("error %v, want %s with %q", err, c.code, c.msg)
			}
		})
	}
}

// TestServiceOtherSecret: keys sealed under one server secret do not open
// under another, with an error that says so.
func TestServiceOtherSecret(t *testing.T) {
	svc, st := newService(t, 1, 2)
	k, err := svc.Generate(t.Context(), "ACME-1", "k")
	if err != nil {
		t.Fatal(err)
	}
	other, _ := cryptpgp.NewSealer(bytes.Repeat([]byte{2}, 32))
	moved := &cryptpgp.Service{Store: st, Sealer: other, Max: 2, Now: time.Now}
	if _, err := moved.DecryptionKey(t.Context(), "ACME-1", k.ID); !errors.Is(err, cryptpgp.ErrUnseal) {
		t.Fatalf("other secret: %v", err)
	}
}

func TestUUID(t *testing.T) {
	a, b := cryptpgp.NewUUID(), cryptpgp.NewUUID()
	if a == b || !cryptpgp.IsUUID(a) || a[14] != '4' || !strings.ContainsRune("89ab", rune(a[19])) {
		t.Fatalf("uuids %s %s", a, b)
	}
	for _, bad := range []string{"", "x", strings.Repeat("a", 36), "0000000-00000-0000-0000-000000000000", "g0000000-0000-0000-0000-000000000000"} {
		if cryptpgp.IsUUID(bad) {
			t.Errorf("%q taken for a UUID", bad)
		}
	}
}
