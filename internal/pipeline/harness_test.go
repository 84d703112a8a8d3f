package pipeline_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"sluice/internal/blob"
	"sluice/internal/pipeline"
	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/postgres/pgtest"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// opener gives a test a fresh store, closed when the test ends.
type opener func(t *testing.T) store.Store

func openSQLite(t *testing.T) store.Store { return sqlitetest.Open(t, "", sqlite.Options{}) }

func openPostgres(t *testing.T) store.Store { return pgtest.Open(t, postgres.Options{}) }

// eachStore runs fn as a subtest on SQLite and one on PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, open opener)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, openSQLite) })
	t.Run("postgres", func(t *testing.T) { fn(t, openPostgres) })
}

// harness runs a real pipeline on a real store (SQLite unless the test
// asks for another) and local blob store;
// uploads go in the way sftpd puts them: blob committed, upload recorded,
// subscriber told.
type harness struct {
	t     *testing.T
	st    store.Store
	blobs *blob.Local
	p     *pipeline.Pipeline
	clock func() time.Time
}

func newHarness(t *testing.T, tune func(*pipeline.Config)) *harness {
	t.Helper()
	return newHarnessOn(t, openSQLite, tune)
}

func newHarnessOn(t *testing.T, open opener, tune func(*pipeline.Config)) *harness {
	t.Helper()
	return startHarness(t, open(t), newBlobs(t), tune)
}

func newBlobs(t *testing.T) *blob.Local {
	t.Helper()
	blobs, err := blob.NewLocal(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	return blobs
}

// startHarness runs a pipeline on st and blobs until the test ends.
func startHarness(t *testing.T, st store.Store, blobs *blob.Local, tune func(*pipeline.Config)) *harness {
	t.Helper()
	return startHarnessReading(t, st, blobs, blobs, tune)
}

// startHarnessReading is startHarness with a pipeline that reads the files
// the harness uploads to blobs through read.
func startHarnessReading(t *testing.T, st store.Store, blobs *blob.Local, read blob.Store, tune func(*pipeline.Config)) *harness {
	t.Helper()
	cfg := pipeline.Config{Workers: 2, BatchRows: 3, IdentityCacheMiB: 1, LeaseDuration: 5 * time.Second, WaitTimeout: time.Minute,
		PollEvery: 50 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}
	if tune != nil {
		tune(&cfg)
	}
	h := &harness{t: t, st: st, blobs: blobs, p: pipeline.New(cfg, st, read)}
	h.p.Start(context.Background())
	t.Cleanup(func() { h.p.Close() })
	return h
}

func (h *harness) account(id string) {
	h.t.Helper()
	if err := h.st.CreateAccount(h.t.Context(), store.Account{ID: id, Name: id, CreatedAt: time.Now()}, []byte(id)); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) upload(acct, name, content string) {
	h.t.Helper()
	key := blob.NewKey(acct)
	w, err := h.blobs.Create(h.t.Context(), key)
	if err != nil {
		h.t.Fatal(err)
	}
	w.WriteAt([]byte(content), 0)
	if err := w.Commit(); err != nil {
		h.t.Fatal(err)
	}
	kind := store.KindData
	if filepath.Ext(name) == ".manifest" {
		kind = store.KindManifest
	}
	sum := sha256.Sum256([]byte(content))
	u, _, err := h.st.RecordUpload(h.t.Context(), store.Upload{AccountID: acct, Name: name, Kind: kind,
		Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), BlobKey: key, CreatedAt: time.Now()})
	if err != nil {
		h.t.Fatal(err)
	}
	h.p.UploadCompleted(h.t.Context(), u)
}

// ended waits for the import of a manifest to end and returns it.
func (h *harness) ended(acct, manifest string) store.Import {
	h.t.Helper()
	return h.until(acct, manifest, "end", func(imp store.Import) bool { return imp.Status.Ended() })
}

// until polls the import of manifest until ok holds for it; what names the
// awaited state in the failure.
func (h *harness) until(acct, manifest, what string, ok func(store.Import) bool) store.Import {
	h.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		imps, err := h.st.ListImports(h.t.Context(), acct, store.ImportFilter{})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, imp := range imps {
			if imp.ManifestName == manifest && ok(imp) {
				return imp
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.t.Fatalf("import of %s did not %s within 60 s", manifest, what)
	return store.Import{}
}

func (h *harness) errorFile(imp store.Import) string {
	h.t.Helper()
	out := string(imp.ErrorHeader)
	err := h.st.ErrorRows(h.t.Context(), imp.ID, func(l []byte) error { out += string(l); return nil })
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

func (h *harness) profile(acct, ident string) store.Profile {
	h.t.Helper()
	p, err := h.st.ProfileByIdentifier(h.t.Context(), acct, ident)
	if err != nil {
		h.t.Fatalf("profile %s: %v", ident, err)
	}
	return p
}

func (h *harness) outbox() []store.OutboxItem {
	h.t.Helper()
	items, err := h.st.PendingOutbox(h.t.Context(), 1000)
	if err != nil {
		h.t.Fatal(err)
	}
	return items
}
