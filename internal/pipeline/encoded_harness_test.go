package pipeline_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"sluice/internal/cryptpgp"
	"sluice/internal/cryptpgp/pgptest"
	"sluice/internal/pipeline"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

// encHarness is a harness whose pipeline decrypts with a key service, and
// whose store can be made to fail one batch (as a crash would end a run).
type encHarness struct {
	*harness
	keys *cryptpgp.Service
	gpg  *pgptest.GPG
}

// flakyStore fails the batch numbered failAt (1-based), once: its
// checkpoint fails, so its transaction, with the batches grouped with it,
// rolls back.
type flakyStore struct {
	*sqlite.DB
	checkpoints atomic.Int64
	failAt      int64
}

var errInjected = errors.New("injected batch failure")

func (f *flakyStore) InBatch(ctx context.Context, fn func(store.BatchTx) error) error {
	return f.DB.InBatch(ctx, func(tx store.BatchTx) error { return fn(flakyTx{BatchTx: tx, f: f}) })
}

type flakyTx struct {
	store.BatchTx
	f *flakyStore
}

func (t flakyTx) Checkpoint(ctx context.Context, importID int64, lease store.Lease, cp store.Checkpoint) error {
	if t.f.checkpoints.Add(1) == t.f.failAt {
		return errInjected
	}
	return t.BatchTx.Checkpoint(ctx, importID, lease, cp)
}

func newEncHarness(t *testing.T, lim pipeline.Limits, failAt int64) *encHarness {
	t.Helper()
	st := openSQLite(t).(*sqlite.DB)
	sealer, _ := cryptpgp.NewSealer(bytes.Repeat([]byte{7}, 32))
	keys := &cryptpgp.Service{Store: st, Sealer: sealer, Max: 20, Algorithm: cryptpgp.Curve25519, Now: time.Now}
	// The harness's own helpers never write batches, so they go through the
	// flaky store without counting.
	h := startHarness(t, &flakyStore{DB: st, failAt: failAt}, newBlobs(t), func(c *pipeline.Config) {
		c.Keys, c.Limits, c.PollEvery = keys, lim, 20*time.Millisecond
	})
	return &encHarness{harness: h, keys: keys, gpg: pgptest.New(t)}
}

// key generates a decryption key for acct and gives its public part to gpg.
func (h *encHarness) key(acct string) store.PGPKey {
	h.t.Helper()
	k, err := h.keys.Generate(h.t.Context(), acct, "test")
	if err != nil {
		h.t.Fatal(err)
	}
	h.gpg.Import(k.PublicKey)
	return k
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// eventManifest is an event manifest for file, with keyId when not empty.
func eventManifest(file, keyID string) string {
	kid := ""
	if keyID != "" {
		kid = fmt.Sprintf(`, "keyId": %q`, keyID)
	}
	return fmt.Sprintf(`{"type": "event", "fileName": %q, "clientEmail": "ops@example.com"%s,
		"columns": {"Amount": {"dataType": "INTEGER"}}}`, file, kid)
}

// manyEvents is an events file of n rows, every 7th refused (no identity).
func manyEvents(n int) []byte {
	var b bytes.Buffer
	b.WriteString("identity,ts,evtName,Amount,Phone,Email\n")
	for i := range n {
		id := fmt.Sprintf("user-%d", i%50)
		if i%7 == 3 {
			id = ""
		}
		fmt.Fprintf(&b, "%s,%d,Purchased,%d,,\n", id, 1700000000+i, i)
	}
	return b.Bytes()
}

// stored is what an import left in the store, without ids, comparable
// between accounts.
func (h *harness) stored(acct string, imp store.Import) string {
	h.t.Helper()
	evs, err := h.st.ListEvents(h.t.Context(), acct, store.EventFilter{Page: store.Page{Limit: store.MaxLimit}})
	if err != nil {
		h.t.Fatal(err)
	}
	var b bytes.Buffer
	for _, e := range evs {
		fmt.Fprintf(&b, "%d %s %d %v %v\n", e.Row, e.Name, e.Time, e.Identifiers, e.Props)
	}
	fmt.Fprintf(&b, "status %s read %d imported %d failed %d errbytes %d\n%s", imp.Status,
		imp.RowsRead, imp.RowsImported, imp.RowsFailed, imp.ErrorBytes, h.errorFile(imp))
	return b.String()
}
