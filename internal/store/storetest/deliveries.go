package storetest

import (
	"fmt"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// delivery builds a pending delivery of an outbox item, due at t0.
func delivery(it store.OutboxItem, c store.Channel, w store.Webhook) store.Delivery {
	d := store.Delivery{AccountID: it.AccountID, ImportID: it.ImportID, Milestone: it.Milestone, Channel: c,
		Target: "ops@example.com", IdempotencyID: fmt.Sprintf("evt-%d-%s", it.ID, c),
		Payload: []byte(`{"id":"x"}`), NextAttemptAt: t0, CreatedAt: t0}
	if c == store.ChannelWebhook {
		d.WebhookID, d.Target = w.ID, w.URL
	}
	return d
}

func pendingIDs(t *testing.T, st store.Store) map[int64]bool {
	t.Helper()
	items, err := st.PendingOutbox(ctx(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for _, it := range items {
		ids[it.ID] = true
	}
	return ids
}

func testFanOut(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	w := MustWebhook(t, st, "A-1", "https://a.example/hook")
	it := MustOutboxItem(t, st, "A-1", "a.manifest", t0)
	dup := []store.Delivery{delivery(it, store.ChannelEmail, w), delivery(it, store.ChannelEmail, w)}
	dup[1].IdempotencyID = "other"
	if err := st.FanOut(ctx(t), it.ID, dup, t0); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("two email deliveries for one item: %v", err)
	}
	if !pendingIDs(t, st)[it.ID] {
		t.Fatal("a failed fan-out marked the outbox item done: fan-out is not one transaction")
	}
	if n := pendingCount(t, st); n != 0 {
		t.Fatalf("a failed fan-out left %d deliveries behind", n)
	}
	ds := []store.Delivery{delivery(it, store.ChannelEmail, w), delivery(it, store.ChannelWebhook, w)}
	if err := st.FanOut(ctx(t), it.ID, ds, t0); err != nil {
		t.Fatal(err)
	}
	if pendingIDs(t, st)[it.ID] {
		t.Fatal("outbox item still pending after fan-out")
	}
	if err := st.FanOut(ctx(t), it.ID, nil, t0); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("second fan-out of one item: %v", err)
	}
	if n := pendingCount(t, st); n != 2 {
		t.Fatalf("pending deliveries %d, want 2", n)
	}
	none := MustOutboxItem(t, st, "A-1", "b.manifest", t0)
	if err := st.FanOut(ctx(t), none.ID, nil, t0); err != nil || pendingIDs(t, st)[none.ID] {
		t.Fatalf("fan-out to no channel must still mark the item done: %v", err)
	}
}

func pendingCount(t *testing.T, st store.Store) int {
	t.Helper()
	counts, err := st.PendingDeliveries(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	return counts[store.ChannelEmail] + counts[store.ChannelWebhook]
}

func claimIDs(t *testing.T, st store.Store, now, until time.Time) []int64 {
	t.Helper()
	ds, err := st.ClaimDeliveries(ctx(t), now, until, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range ds {
		if !d.NextAttemptAt.Equal(until) {
			t.Errorf("claimed delivery %d is next due %v, want the claim's end %v", d.ID, d.NextAttemptAt, until)
		}
		ids = append(ids, d.ID)
	}
	return ids
}

func testClaimDeliveries(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	w := MustWebhook(t, st, "A-1", "https://a.example/hook")
	it := MustOutboxItem(t, st, "A-1", "a.manifest", t0)
	late := delivery(it, store.ChannelWebhook, w)
	late.NextAttemptAt = t0.Add(time.Minute)
	if err := st.FanOut(ctx(t), it.ID, []store.Delivery{late, delivery(it, store.ChannelEmail, w)}, t0); err != nil {
		t.Fatal(err)
	}
	first := claimIDs(t, st, t0, t0.Add(10*time.Second))
	if len(first) != 1 {
		t.Fatalf("claimed %v at t0; want only the email, due at t0", first)
	}
	if again := claimIDs(t, st, t0.Add(5*time.Second), t0.Add(time.Hour)); len(again) != 0 {
		t.Fatalf("claimed %v again while the first claim holds", again)
	}
	both := claimIDs(t, st, t0.Add(time.Minute), t0.Add(2*time.Minute))
	if len(both) != 2 || both[0] != first[0] {
		t.Fatalf("after the claim lapsed: %v; want the lapsed email first, then the webhook", both)
	}
	if err := st.RescheduleDelivery(ctx(t), first[0], t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, st, t0.Add(time.Minute), t0.Add(3*time.Minute)); len(got) != 1 || got[0] != first[0] {
		t.Fatalf("rescheduled delivery not due again: %v", got)
	}
}

func testRecordAttempts(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustAccount(t, st, "B-1")
	w := MustWebhook(t, st, "A-1", "https://a.example/hook")
	it := MustOutboxItem(t, st, "A-1", "a.manifest", t0)
	if err := st.FanOut(ctx(t), it.ID, []store.Delivery{delivery(it, store.ChannelWebhook, w)}, t0); err != nil {
		t.Fatal(err)
	}
	id := claimIDs(t, st, t0, t0.Add(time.Minute))[0]
	steps := []struct {
		code   int
		errMsg string
		status store.DeliveryStatus
	}{
		{503, "HTTP 503", store.DeliveryPending},
		{0, "connection refused", store.DeliveryPending},
		{204, "", store.DeliveryDelivered},
	}
	for i, s := range steps {
		at := t0.Add(time.Duration(i) * time.Minute)
		a := store.DeliveryAttempt{DeliveryID: id, At: at, StatusCode: s.code, Error: s.errMsg, Duration: 250 * time.Millisecond}
		if err := st.RecordAttempt(ctx(t), a, s.status, at.Add(time.Minute)); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	late := store.DeliveryAttempt{DeliveryID: id, At: t0.Add(time.Hour)}
	if err := st.RecordAttempt(ctx(t), late, store.DeliveryFailed, t0); errs.CodeOf(err) != errs.Conflict {
		t.Fatalf("attempt on a delivered delivery: %v", err)
	}
	if got := claimIDs(t, st, t0.Add(time.Hour), t0.Add(2*time.Hour)); len(got) != 0 {
		t.Fatalf("delivered delivery claimed again: %v", got)
	}
	ds, err := st.WebhookDeliveries(ctx(t), "A-1", w.ID, store.Page{})
	if err != nil || len(ds) != 1 {
		t.Fatalf("deliveries: %+v %v", ds, err)
	}
	d := ds[0]
	if d.Status != store.DeliveryDelivered || d.Attempts != 3 || d.DeliveredAt == nil ||
		!d.DeliveredAt.Equal(t0.Add(2*time.Minute+250*time.Millisecond)) || d.LastError != "" || d.IdempotencyID == "" {
		t.Fatalf("delivery after three attempts: %+v", d)
	}
	if len(d.AttemptLog) != 3 || d.AttemptLog[0].StatusCode != 503 || d.AttemptLog[1].Error != "connection refused" ||
		d.AttemptLog[2].StatusCode != 204 || d.AttemptLog[2].Duration != 250*time.Millisecond {
		t.Fatalf("attempt log: %+v", d.AttemptLog)
	}
	byImport, err := st.ImportDeliveries(ctx(t), "A-1", it.ImportID)
	if err != nil || len(byImport) != 1 || byImport[0].ID != id || len(byImport[0].AttemptLog) != 3 {
		t.Fatalf("import deliveries: %+v %v", byImport, err)
	}
	if _, err := st.ImportDeliveries(ctx(t), "B-1", it.ImportID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another account's import deliveries: %v", err)
	}
	if _, err := st.WebhookDeliveries(ctx(t), "B-1", w.ID, store.Page{}); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("another account's webhook deliveries: %v", err)
	}
	if err := st.DeleteWebhook(ctx(t), "A-1", w.ID); err != nil {
		t.Fatal(err)
	}
	gone := store.DeliveryAttempt{DeliveryID: id, At: t0}
	if err := st.RecordAttempt(ctx(t), gone, store.DeliveryFailed, t0); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("attempt on a deleted webhook's delivery: %v", err)
	}
}

func testDeliveryPages(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	w := MustWebhook(t, st, "A-1", "https://a.example/hook")
	for i := range 3 {
		it := MustOutboxItem(t, st, "A-1", fmt.Sprintf("m%d.manifest", i), t0)
		if err := st.FanOut(ctx(t), it.ID, []store.Delivery{delivery(it, store.ChannelWebhook, w)}, t0); err != nil {
			t.Fatal(err)
		}
	}
	page1, err := st.WebhookDeliveries(ctx(t), "A-1", w.ID, store.Page{Limit: 2})
	if err != nil || len(page1) != 2 || page1[0].ID < page1[1].ID || page1[0].AttemptLog == nil {
		t.Fatalf("first page: %+v %v", page1, err)
	}
	page2, err := st.WebhookDeliveries(ctx(t), "A-1", w.ID, store.Page{Limit: 2, Before: page1[1].ID})
	if err != nil || len(page2) != 1 || page2[0].ID >= page1[1].ID {
		t.Fatalf("second page: %+v %v", page2, err)
	}
	counts, err := st.PendingDeliveries(ctx(t))
	if err != nil || counts[store.ChannelWebhook] != 3 || counts[store.ChannelEmail] != 0 {
		t.Fatalf("pending counts %v %v", counts, err)
	}
}

// testDeliveryOrder: one target gets its deliveries one at a time, oldest
// first, even while the oldest waits for a retry.
func testDeliveryOrder(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	for _, name := range []string{"first.manifest", "second.manifest"} {
		it := MustOutboxItem(t, st, "A-1", name, t0)
		if err := st.FanOut(ctx(t), it.ID, []store.Delivery{delivery(it, store.ChannelEmail, store.Webhook{})}, t0); err != nil {
			t.Fatal(err)
		}
	}
	other := MustOutboxItem(t, st, "A-1", "other.manifest", t0)
	d := delivery(other, store.ChannelEmail, store.Webhook{})
	d.Target = "someone-else@example.com"
	if err := st.FanOut(ctx(t), other.ID, []store.Delivery{d}, t0); err != nil {
		t.Fatal(err)
	}
	ids := claimIDs(t, st, t0, t0.Add(time.Second))
	if len(ids) != 2 {
		t.Fatalf("claimed %v; want the first delivery to each of the two addresses", ids)
	}
	first := ids[0]
	done := store.DeliveryAttempt{DeliveryID: ids[1], At: t0, StatusCode: 250}
	if err := st.RecordAttempt(ctx(t), done, store.DeliveryDelivered, t0); err != nil {
		t.Fatal(err)
	}
	fail := store.DeliveryAttempt{DeliveryID: first, At: t0, Error: "421 try later"}
	if err := st.RecordAttempt(ctx(t), fail, store.DeliveryPending, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, st, t0.Add(time.Minute), t0.Add(2*time.Minute)); len(got) != 0 {
		t.Fatalf("claimed %v while the address's oldest delivery waits for its retry", got)
	}
	ok := store.DeliveryAttempt{DeliveryID: first, At: t0.Add(time.Hour), StatusCode: 250}
	if err := st.RecordAttempt(ctx(t), ok, store.DeliveryDelivered, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := claimIDs(t, st, t0.Add(time.Hour), t0.Add(2*time.Hour)); len(got) != 1 || got[0] <= first {
		t.Fatalf("after the first was delivered, claimed %v; want the second to that address", got)
	}
}
