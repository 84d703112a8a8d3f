package notify_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"sluice/internal/notify"
	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
)

// lateCounts answers the first count of pending deliveries that sees a
// webhook pending late, with what it saw: once that delivery was sent and
// another count has finished since, or after 300 ms if none can.
type lateCounts struct {
	notify.Store
	held     atomic.Bool
	finished atomic.Int32
}

func (s *lateCounts) PendingDeliveries(ctx context.Context) (map[store.Channel]int, error) {
	counts, err := s.Store.PendingDeliveries(ctx)
	if err != nil || counts[store.ChannelWebhook] == 0 || !s.held.CompareAndSwap(false, true) {
		s.finished.Add(1)
		return counts, err
	}
	before := s.finished.Load()
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		now, err := s.Store.PendingDeliveries(ctx)
		if err == nil && now[store.ChannelWebhook] == 0 && s.finished.Load() > before {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	s.finished.Add(1)
	return counts, err
}

// TestPendingGaugeNotOverwrittenByStaleCount: the fan-out loop counts the
// delivery it made as pending, and its count is answered only after the
// sender has sent it; the gauge still ends at 0. (The two loops' refreshes
// once interleaved, and the stale 1 stayed until the next delivery.)
func TestPendingGaugeNotOverwrittenByStaleCount(t *testing.T) {
	st := newStore(t)
	late := &lateCounts{Store: st}
	// The receiver answers once the fan-out's count has seen the delivery
	// pending, so that the sender cannot send it before that count.
	rc := startReceiver(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		for deadline := time.Now().Add(15 * time.Second); !late.held.Load(); time.Sleep(2 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Error("no count saw the delivery pending within 15 s")
				break
			}
		}
		w.WriteHeader(http.StatusNoContent)
	})
	w := chooseWebhook(t, st, rc.srv.URL)
	n := startNotifier(t, fastConfig(t, ""), late, nil)
	invalidManifest(t, st, "late.manifest", "", "Incorrect details in manifest file: not valid JSON")
	if d := settled(t, st, w); d.Status != store.DeliveryDelivered {
		t.Fatalf("delivery %+v, want delivered", d)
	}
	notifytest.WaitFor(t, func() bool {
		return metricValue(t, n.reg, "sluice_notifications_pending", "webhook") == 0 && late.finished.Load() >= 2
	},
		"sluice_notifications_pending{channel=webhook} to be 0 after the delivery was sent and the late count answered")
}
