package notify_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sluice/internal/blob"
	"sluice/internal/blob/blobtest"
	"sluice/internal/notify/notifytest"
	"sluice/internal/pipeline"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

// TestStillProcessingMailRepeats runs the real pipeline on an import held in
// processing: its lease renewals write import.still_processing every
// ProcessingMailEvery, and each becomes a mail, until the import ends.
func TestStillProcessingMailRepeats(t *testing.T) {
	st := newStore(t)
	sink := notifytest.StartSMTP(t, notifytest.Options{})
	startNotifier(t, fastConfig(t, "smtp://"+sink.Addr+"?starttls=none"), st, nil)
	var csv strings.Builder
	csv.WriteString("identity,ts,evtName\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "user-%02d,1700000000,Opened\n", i)
	}
	// The header (20 bytes), ten rows (26 bytes each) and half the eleventh
	// pass: two batches of five commit, then reading waits.
	p, blobs := startPipeline(t, st, 20+10*26+13)
	upload(t, st, blobs, p, "long.csv", csv.String())
	upload(t, st, blobs, p, "long.manifest", `{"type": "event", "fileName": "long.csv", "clientEmail": "ops@example.com"}`)
	const reminders = 3
	mails := sink.WaitMails(t, 1+reminders) // picked up, then the reminders while the import is held
	blobs.Release()
	mails = sink.WaitMails(t, len(mails)+1)
	events := map[string]int{}
	ids := map[string]bool{}
	for i, m := range mails {
		p := notifytest.Parse(t, m.Data)
		ev := p.Header.Get("X-Sluice-Event")
		events[ev]++
		ids[p.Header.Get("Message-Id")] = true
		if ev == string(store.MilestoneProcessing) && !strings.Contains(p.Text, "still importing long.csv: 10 rows read so far") {
			t.Errorf("reminder %d:\n%s", i, p.Text)
		}
		if last := i == len(mails)-1; last != (ev == string(store.MilestoneSucceeded)) {
			t.Errorf("mail %d of %d is %s: the success mail must come last, after every reminder", i+1, len(mails), ev)
		}
	}
	if events[string(store.MilestonePickedUp)] != 1 || events[string(store.MilestoneProcessing)] < reminders || len(ids) != len(mails) {
		t.Fatalf("mails by event %v, %d distinct Message-IDs of %d", events, len(ids), len(mails))
	}
}

// startPipeline runs a pipeline whose blobs read only their first free
// bytes until the returned store is released.
func startPipeline(t *testing.T, st *sqlite.DB, free int64) (*pipeline.Pipeline, *blobtest.Gated) {
	t.Helper()
	local, err := blob.NewLocal(filepath.Join(t.TempDir(), "files"))
	if err != nil {
		t.Fatal(err)
	}
	blobs := blobtest.NewGated(local, "", free)
	p := pipeline.New(pipeline.Config{Workers: 1, BatchRows: 5, LeaseDuration: 150 * time.Millisecond,
		WaitTimeout: time.Minute, ProcessingMailEvery: 100 * time.Millisecond, PollEvery: 20 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)}, st, blobs)
	p.Start(context.Background())
	t.Cleanup(func() {
		blobs.Release() // a held read must end before the pipeline can stop
		p.Close()
		local.Close()
	})
	return p, blobs
}

// upload stores a file as sftpd does: blob committed, upload recorded, pipeline told.
func upload(t *testing.T, st *sqlite.DB, blobs blob.Store, p *pipeline.Pipeline, name, content string) {
	t.Helper()
	key := blob.NewKey(acct)
	w, err := blobs.Create(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteAt([]byte(content), 0); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	kind := store.KindData
	if strings.HasSuffix(name, ".manifest") {
		kind = store.KindManifest
	}
	sum := sha256.Sum256([]byte(content))
	u, _, err := st.RecordUpload(t.Context(), store.Upload{AccountID: acct, Name: name, Kind: kind,
		Size: int64(len(content)), SHA256: hex.EncodeToString(sum[:]), BlobKey: key, CreatedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	p.UploadCompleted(t.Context(), u)
}
