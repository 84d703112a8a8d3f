package httpapi_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"sluice/internal/httpapi"
	"sluice/internal/store"
)

// blockingSegments yields `before` profiles, waits for release, then yields `after` more.
type blockingSegments struct {
	store.Segments
	before, after int
	release       chan struct{}
}

func (b *blockingSegments) ExportSegment(ctx context.Context, acct string, q store.SegmentQuery, props []string, fn func(store.Profile) error) error {
	emit := func(from, n int) error {
		for i := from; i < from+n; i++ {
			if err := fn(store.Profile{ID: int64(i + 1), Identifiers: []store.Identifier{{Kind: "identity", Value: fmt.Sprintf("user-%07d", i)}}}); err != nil {
				return err
			}
		}
		return nil
	}
	if err := emit(0, b.before); err != nil {
		return err
	}
	select {
	case <-b.release:
	case <-ctx.Done():
		return ctx.Err()
	}
	return emit(b.before, b.after)
}

// TestSegmentExportStreams: the first rows reach the client while the store
// is still in the middle of its cursor; if the handler buffered the whole
// export, the response would not start until release, which only comes after it.
func TestSegmentExportStreams(t *testing.T) {
	fake := &blockingSegments{before: 10000, after: 5000, release: make(chan struct{})}
	srv := serve(t, httpapi.Deps{Auth: tokenAuth{}, Segments: fake})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/segments/export.csv", strings.NewReader(`{"filter":{"all":[]}}`))
	req.Header.Set("Authorization", "Bearer tok-A")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("no response while the store was mid-export (not streaming?): %v", err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	head, _ := r.ReadString('\n')
	first, _ := r.ReadString('\n')
	if resp.StatusCode != 200 || head != "identity,objectId,fbId,gpId\n" || first != "user-0000000,,,\n" {
		t.Fatalf("%d %q %q", resp.StatusCode, head, first)
	}
	close(fake.release)
	rest, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(rest), "\n"); lines != 15000-1 {
		t.Fatalf("got %d more rows, want %d", lines, 15000-1)
	}
}

// TestSegmentExportCutOff: a store failure after rows went out must not look
// like a complete file: the client sees the body end in an error.
func TestSegmentExportCutOff(t *testing.T) {
	fake := &blockingSegments{before: 10000, release: make(chan struct{})}
	srv := serve(t, httpapi.Deps{Auth: tokenAuth{}, Segments: &failingAfter{fake}})
	req, _ := http.NewRequestWithContext(t.Context(), "POST", srv.URL+"/api/v1/segments/export.csv", strings.NewReader(`{"filter":{"all":[]}}`))
	req.Header.Set("Authorization", "Bearer tok-A")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("a cut-off export read as complete")
	}
}

type failingAfter struct{ *blockingSegments }

func (f *failingAfter) ExportSegment(ctx context.Context, acct string, q store.SegmentQuery, props []string, fn func(store.Profile) error) error {
	close(f.release)
	if err := f.blockingSegments.ExportSegment(ctx, acct, q, props, fn); err != nil {
		return err
	}
	return fmt.Errorf("disk on fire")
}
