package notify_test

import (
	"crypto/tls"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sluice/internal/config"
	"sluice/internal/notify"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
	"sluice/internal/store/storetest"
)

const acct = "ACME-0001"

// openStore opens a SQLite store at path (fresh or existing) and closes it with the test.
func openStore(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	return sqlitetest.Open(t, path, sqlite.Options{})
}

// newStore is a fresh store with one account.
func newStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db := openStore(t, filepath.Join(t.TempDir(), "sluice.db"))
	storetest.MustAccount(t, db, acct)
	return db
}

// fastConfig polls and retries in milliseconds so tests finish quickly.
func fastConfig(t *testing.T, smtpURL string) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.SMTPURL = smtpURL
	cfg.PublicURL = "https://sluice.example.com/"
	cfg.NotifyPoll = 20 * time.Millisecond
	cfg.RetryMin, cfg.RetryMax, cfg.RetryFor = 30*time.Millisecond, 150*time.Millisecond, time.Hour
	cfg.SMTPTimeout, cfg.WebhookTimeout = 5*time.Second, 2*time.Second
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

type started struct {
	*notify.Notifier
	reg *prometheus.Registry
}

// startNotifier runs a notifier until the test ends (or it is closed earlier).
func startNotifier(t *testing.T, cfg config.Config, st notify.Store, tc *tls.Config) started {
	t.Helper()
	reg := prometheus.NewRegistry()
	log := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	n, err := notify.New(cfg, st, notify.Options{Registerer: reg, TLSConfig: tc, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	n.Start(t.Context())
	t.Cleanup(func() { n.Close() })
	return started{n, reg}
}

// runImport takes an import through the store as the pipeline does: bind,
// claim (picked up), one batch with the refused rows, finish.
func runImport(t *testing.T, st store.Store, name string, status store.Status, refused []string) store.Import {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	storetest.MustUpload(t, st, acct, name+".csv", store.KindData, now)
	imp := storetest.MustImport(t, st, acct, name+".manifest", name+".csv", now)
	if _, err := st.BindData(t.Context(), imp.ID, now); err != nil {
		t.Fatal(err)
	}
	lease := store.Lease{Owner: "test", Until: now.Add(time.Hour)}
	imp, err := st.Claim(t.Context(), lease, now)
	if err != nil {
		t.Fatal(err)
	}
	imp.Checkpoint = store.Checkpoint{BytesRead: 10, RowsRead: 1000, RowsImported: 1000 - int64(len(refused)), RowsFailed: int64(len(refused))}
	if len(refused) > 0 {
		batch(t, st, &imp, refused)
	}
	imp.Status = status
	if status == store.StatusFailed {
		imp.Error = "File couldn't be read"
	}
	m := map[store.Status]store.Milestone{store.StatusSucceeded: store.MilestoneSucceeded,
		store.StatusPartial: store.MilestonePartial, store.StatusFailed: store.MilestoneFailed}[status]
	if err := st.Finish(t.Context(), imp, "test", now, m); err != nil {
		t.Fatal(err)
	}
	return imp
}

const errHeader = "identity,evtName,Failure Description\n"

func batch(t *testing.T, st store.Store, imp *store.Import, refused []string) {
	t.Helper()
	imp.ErrorBytes = int64(len(errHeader))
	var rows []store.ErrorRow
	for i, l := range refused {
		rows = append(rows, store.ErrorRow{Row: int64(i + 2), Line: []byte(l)})
		imp.ErrorBytes += int64(len(l))
	}
	err := st.InBatch(t.Context(), func(tx store.BatchTx) error {
		if err := tx.SetErrorHeader(t.Context(), imp.ID, []byte(errHeader)); err != nil {
			return err
		}
		if err := tx.InsertErrorRows(t.Context(), imp.ID, rows); err != nil {
			return err
		}
		return tx.Checkpoint(t.Context(), imp.ID, store.Lease{Owner: "test", Until: time.Now().Add(time.Hour)}, imp.Checkpoint)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// invalidManifest records a manifest that failed on arrival, as the pipeline
// does: clientEmail empty when no mail may be sent.
func invalidManifest(t *testing.T, st store.Store, name, clientEmail, reason string) store.Import {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Millisecond)
	mu := storetest.MustUpload(t, st, acct, name, store.KindManifest, now)
	imp, err := st.CreateImport(t.Context(), store.Import{AccountID: acct, ManifestName: name, ManifestUploadID: mu.ID,
		Status: store.StatusFailed, Error: reason, ClientEmail: clientEmail, Manifest: []byte(`{`), ReceivedAt: now,
		FinishedAt: &now}, store.MilestoneFailed)
	if err != nil {
		t.Fatal(err)
	}
	return imp
}
