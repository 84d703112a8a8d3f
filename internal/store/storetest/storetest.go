// Package storetest is the store conformance suite: one set of tests that
// every store implementation (SQLite, PostgreSQL) must pass.
package storetest

import (
	"context"
	"testing"
	"time"

	"sluice/internal/store"
)

// Opener gives a fresh, empty, migrated store for one test.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("Accounts", func(t *testing.T) { testAccounts(t, open) })
	t.Run("Keys", func(t *testing.T) { testKeys(t, open) })
	t.Run("PGPKeys", func(t *testing.T) { testPGPKeys(t, open) })
	t.Run("Uploads", func(t *testing.T) { testUploads(t, open) })
	t.Run("ImportLifecycle", func(t *testing.T) { testImportLifecycle(t, open) })
	t.Run("ClaimOrder", func(t *testing.T) { testClaimOrder(t, open) })
	t.Run("Leases", func(t *testing.T) { testLeases(t, open) })
	t.Run("Batch", func(t *testing.T) { testBatch(t, open) })
	t.Run("Merge", func(t *testing.T) { testMerge(t, open) })
	t.Run("Relink", func(t *testing.T) { testRelink(t, open) })
	t.Run("MixedBatch", func(t *testing.T) { testMixedBatch(t, open) })
	t.Run("Webhooks", func(t *testing.T) { testWebhooks(t, open) })
	t.Run("FanOut", func(t *testing.T) { testFanOut(t, open) })
	t.Run("ClaimDeliveries", func(t *testing.T) { testClaimDeliveries(t, open) })
	t.Run("DeliveryOrder", func(t *testing.T) { testDeliveryOrder(t, open) })
	t.Run("RecordAttempts", func(t *testing.T) { testRecordAttempts(t, open) })
	t.Run("DeliveryPages", func(t *testing.T) { testDeliveryPages(t, open) })
	t.Run("SegmentQueries", func(t *testing.T) { testSegmentQueries(t, open) })
	t.Run("SegmentPages", func(t *testing.T) { testSegmentPages(t, open) })
	t.Run("SegmentExportStops", func(t *testing.T) { testSegmentExportStops(t, open) })
	t.Run("SavedSegments", func(t *testing.T) { testSavedSegments(t, open) })
	t.Run("KnownNames", func(t *testing.T) { testKnownNames(t, open) })
	t.Run("KnownNamesBounded", func(t *testing.T) { testKnownNamesBounded(t, open) })
	t.Run("HostKeys", func(t *testing.T) { testHostKeys(t, open) })
	t.Run("HostKeysRace", func(t *testing.T) { testHostKeysRace(t, open) })
	t.Run("Bans", func(t *testing.T) { testBans(t, open) })
	t.Run("Reservations", func(t *testing.T) { testReservations(t, open) })
}

// t0 is the suite's fixed clock start; times are whole milliseconds so they
// survive every store's time resolution.
var t0 = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

func ctx(t *testing.T) context.Context { return t.Context() }

// MustAccount creates an account with a token derived from its id.
func MustAccount(t *testing.T, st store.Store, id string) store.Account {
	t.Helper()
	a := store.Account{ID: id, Name: "Account " + id, CreatedAt: t0}
	if err := st.CreateAccount(ctx(t), a, []byte("hash-"+id)); err != nil {
		t.Fatalf("create account %s: %v", id, err)
	}
	return a
}

// MustUpload records a completed upload.
func MustUpload(t *testing.T, st store.Store, acct, name string, kind store.UploadKind, at time.Time) store.Upload {
	t.Helper()
	u, _, err := st.RecordUpload(ctx(t), store.Upload{AccountID: acct, Name: name, Kind: kind, Size: 10,
		SHA256: "00", BlobKey: acct + "/" + name, CreatedAt: at})
	if err != nil {
		t.Fatalf("record upload %s: %v", name, err)
	}
	return u
}

// MustImport creates a waiting import for a manifest naming file, and binds
// the file if it was uploaded.
func MustImport(t *testing.T, st store.Store, acct, manifestName, file string, at time.Time) store.Import {
	t.Helper()
	mu := MustUpload(t, st, acct, manifestName, store.KindManifest, at)
	imp, err := st.CreateImport(ctx(t), store.Import{AccountID: acct, ManifestName: manifestName, ManifestUploadID: mu.ID,
		FileName: file, Type: "event", Status: store.StatusWaiting, ClientEmail: "ops@example.com",
		Manifest: []byte(`{}`), ReceivedAt: at}, "")
	if err != nil {
		t.Fatalf("create import: %v", err)
	}
	return imp
}
