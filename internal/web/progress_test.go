package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store"
	"sluice/internal/web"
)

// runningStore holds one import that advances by a quarter of its file each
// time it is read by id (which only the page's progress poll does), so the
// test controls the pace without timing the pipeline.
type runningStore struct {
	mu  sync.Mutex
	imp store.Import
}

func (s *runningStore) Import(_ context.Context, acct string, id int64) (store.Import, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if acct != s.imp.AccountID || id != s.imp.ID {
		return store.Import{}, errs.E(errs.NotFound, "no such import")
	}
	if s.imp.Status == store.StatusProcessing {
		s.imp.BytesRead += s.imp.SizeBytes / 4
		s.imp.RowsRead += 100
		s.imp.RowsImported += 100
	}
	if s.imp.BytesRead >= s.imp.SizeBytes {
		now := time.Now()
		s.imp.Status, s.imp.FinishedAt = store.StatusSucceeded, &now
	}
	return s.imp, nil
}

func (s *runningStore) ListImports(context.Context, string, store.ImportFilter) ([]store.Import, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return []store.Import{s.imp}, nil
}

func (s *runningStore) ErrorRows(context.Context, int64, func([]byte) error) error { return nil }

func (s *runningStore) ProfileByIdentifier(context.Context, string, string) (store.Profile, error) {
	return store.Profile{}, errs.E(errs.NotFound, "no profile")
}

func (s *runningStore) ProfileEvents(context.Context, string, int64, int) ([]store.Event, error) {
	return nil, nil
}

type oneToken struct{ acct store.Account }

func (o oneToken) Authenticate(_ context.Context, token string) (store.Account, error) {
	if token != "sluice_progress" {
		return store.Account{}, errs.E(errs.Unauthorized, "no")
	}
	return o.acct, nil
}

// TestProgressBarMoves watches a processing import's bar fill up in the
// browser and its row turn succeeded, with no reload of the page.
func TestProgressBarMoves(t *testing.T) {
	acct := store.Account{ID: "PROG-0001", Name: "Progress Ltd"}
	started := time.Now()
	st := &runningStore{imp: store.Import{ID: 7, AccountID: acct.ID, ManifestName: "big.manifest", FileName: "big.csv",
		Type: "event", Status: store.StatusProcessing, SizeBytes: 10 << 20, ReceivedAt: started, StartedAt: &started}}
	d, err := web.New(web.Deps{Auth: oneToken{acct}, Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Server: func() httpapi.ServerInfo { return httpapi.ServerInfo{Host: "sftp.example.com", Port: 2022} }})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	d.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tab := newBrowser(t)
	run(t, tab, "log in", chromedp.Navigate(srv.URL+"/login"), chromedp.SendKeys("#token", "sluice_progress"),
		chromedp.Click("button.primary"), chromedp.WaitVisible(chromedp.CSS("progress")))
	first := get(t, tab, "first value", chromedp.Evaluate[float64](`document.querySelector("progress").value`))
	get(t, tab, "bar moves", chromedp.Poll[bool](`document.querySelector("progress") !== null && document.querySelector("progress").value >= 40`,
		chromedp.WithPollingTimeout(10*time.Second)))
	newShots(t).take(t, tab, "05b-activity-processing")
	run(t, tab, "import ends", chromedp.WaitVisible("tr[data-import='7'] .badge-succeeded"))
	if left := get(t, tab, "bar gone", chromedp.Evaluate[int](`document.querySelectorAll("progress").length`)); left != 0 || first >= 40 {
		t.Fatalf("first value %v, bars left at the end %d", first, left)
	}
}
