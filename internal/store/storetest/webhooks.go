package storetest

import (
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// MustWebhook creates a webhook for an account.
func MustWebhook(t *testing.T, st store.Store, acct, url string) store.Webhook {
	t.Helper()
	w, err := st.CreateWebhook(ctx(t), store.Webhook{AccountID: acct, URL: url, Secret: "s3cret-" + acct, CreatedAt: t0}, 10)
	if err != nil {
		t.Fatalf("create webhook %s: %v", url, err)
	}
	return w
}

func testWebhooks(t *testing.T, open Opener) {
	st := open(t)
	MustAccount(t, st, "A-1")
	MustAccount(t, st, "B-1")
	w1 := MustWebhook(t, st, "A-1", "https://a.example/one")
	w2 := MustWebhook(t, st, "A-1", "http://a.example/two")
	if w1.ID == 0 || w2.ID == w1.ID {
		t.Fatalf("ids %d, %d", w1.ID, w2.ID)
	}
	got, err := st.Webhook(ctx(t), "A-1", w1.ID)
	if err != nil || got.URL != w1.URL || got.Secret != "s3cret-A-1" || !got.CreatedAt.Equal(t0) {
		t.Fatalf("read: %+v %v", got, err)
	}
	if list, err := st.ListWebhooks(ctx(t), "A-1"); err != nil || len(list) != 2 || list[0].ID != w1.ID {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list, err := st.ListWebhooks(ctx(t), "B-1"); err != nil || list == nil || len(list) != 0 {
		t.Fatalf("list of an account without webhooks must be empty, not nil: %#v %v", list, err)
	}
	cases := []struct {
		name string
		err  error
		want errs.Code
	}{
		{"read another account's", second(st.Webhook(ctx(t), "B-1", w1.ID)), errs.NotFound},
		{"delete another account's", st.DeleteWebhook(ctx(t), "B-1", w1.ID), errs.NotFound},
		{"choose another account's", st.SetNotificationWebhook(ctx(t), "B-1", w1.ID), errs.NotFound},
		{"none chosen yet", second(st.NotificationWebhook(ctx(t), "A-1")), errs.NotFound},
		{"over the maximum", second(st.CreateWebhook(ctx(t), store.Webhook{AccountID: "A-1", URL: "http://x", CreatedAt: t0}, 2)), errs.TooLarge},
		{"unknown account", second(st.CreateWebhook(ctx(t), store.Webhook{AccountID: "NOPE", URL: "http://x", CreatedAt: t0}, 2)), errs.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if errs.CodeOf(c.err) != c.want {
				t.Fatalf("got %v, want code %s", c.err, c.want)
			}
		})
	}
	testNotificationChoice(t, st, w1, w2)
}

func second[T any](_ T, err error) error { return err }

func testNotificationChoice(t *testing.T, st store.Store, w1, w2 store.Webhook) {
	chosen := func() int64 {
		t.Helper()
		w, err := st.NotificationWebhook(ctx(t), "A-1")
		if errs.CodeOf(err) == errs.NotFound {
			return 0
		}
		if err != nil {
			t.Fatal(err)
		}
		return w.ID
	}
	for _, step := range []struct {
		name string
		do   func() error
		want int64
	}{
		{"choose the first", func() error { return st.SetNotificationWebhook(ctx(t), "A-1", w1.ID) }, w1.ID},
		{"switch to the second", func() error { return st.SetNotificationWebhook(ctx(t), "A-1", w2.ID) }, w2.ID},
		{"turn off", func() error { return st.SetNotificationWebhook(ctx(t), "A-1", 0) }, 0},
		{"choose the second again", func() error { return st.SetNotificationWebhook(ctx(t), "A-1", w2.ID) }, w2.ID},
		{"delete the chosen one", func() error { return st.DeleteWebhook(ctx(t), "A-1", w2.ID) }, 0},
	} {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := chosen(); got != step.want {
			t.Fatalf("%s: chosen webhook %d, want %d", step.name, got, step.want)
		}
	}
	if _, err := st.Webhook(ctx(t), "A-1", w2.ID); errs.CodeOf(err) != errs.NotFound {
		t.Fatalf("deleted webhook still readable: %v", err)
	}
}

// MustOutboxItem creates an import that failed on arrival, which writes one
// outbox item (import.failed), and returns that item.
func MustOutboxItem(t *testing.T, st store.Store, acct, manifestName string, at time.Time) store.OutboxItem {
	t.Helper()
	mu := MustUpload(t, st, acct, manifestName, store.KindManifest, at)
	imp, err := st.CreateImport(ctx(t), store.Import{AccountID: acct, ManifestName: manifestName, ManifestUploadID: mu.ID,
		Status: store.StatusFailed, Error: "Incorrect details in manifest file: type is missing",
		ClientEmail: "ops@example.com", Manifest: []byte(`{}`), ReceivedAt: at, FinishedAt: &at}, store.MilestoneFailed)
	if err != nil {
		t.Fatalf("create failed import: %v", err)
	}
	items, err := st.PendingOutbox(ctx(t), 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.ImportID == imp.ID {
			return it
		}
	}
	t.Fatalf("no outbox item for import %d in %+v", imp.ID, items)
	return store.OutboxItem{}
}
