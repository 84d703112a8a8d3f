package notify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store"
)

// event is a notification as webhooks receive it; mails are rendered from
// the same record. SentAt is set per attempt; the rest is fixed at fan-out.
type event struct {
	ID     string             `json:"id"`
	Event  store.Milestone    `json:"event"`
	Import httpapi.ImportJSON `json:"import"`
	SentAt *time.Time         `json:"sentAt,omitempty"`
}

func (n *Notifier) fanOutLoop(ctx context.Context) {
	every(ctx, n.cfg.NotifyPoll, nil, n.fanOutPending)
}

// fanOutPending hands every pending outbox item on to its channels.
func (n *Notifier) fanOutPending(ctx context.Context) {
	for ctx.Err() == nil {
		items, err := n.st.PendingOutbox(ctx, batchSize)
		if err != nil {
			n.logErr(ctx, "read outbox", err)
			return
		}
		done := 0
		for _, it := range items {
			if err := n.fanOut(ctx, it); err != nil {
				n.logErr(ctx, "fan out outbox item", err, slog.Int64("outbox", it.ID), slog.Int64("import", it.ImportID))
				continue
			}
			done++
		}
		if done > 0 {
			n.wakeSender()
			n.updatePending(ctx)
		}
		if len(items) < batchSize || done == 0 {
			return
		}
	}
}

// fanOut turns one outbox item into its deliveries and marks it done.
func (n *Notifier) fanOut(ctx context.Context, it store.OutboxItem) error {
	imp, err := n.st.Import(ctx, it.AccountID, it.ImportID)
	if errs.Is(err, errs.NotFound) {
		n.log.Warn("outbox item for a missing import; nothing to send", slog.Int64("outbox", it.ID), slog.Int64("import", it.ImportID))
		return n.st.FanOut(ctx, it.ID, nil, time.Now())
	}
	if err != nil {
		return err
	}
	ds, err := n.deliveriesFor(ctx, it, imp)
	if err != nil {
		return err
	}
	err = n.st.FanOut(ctx, it.ID, ds, time.Now())
	if errs.Is(err, errs.Conflict) {
		return nil // another node fanned it out first
	}
	return err
}

// deliveriesFor lists the channels an item goes to: mail when the item
// allows it (SPEC §3: none for invalid JSON or client email), and the
// account's chosen webhook, if any.
func (n *Notifier) deliveriesFor(ctx context.Context, it store.OutboxItem, imp store.Import) ([]store.Delivery, error) {
	var ds []store.Delivery
	if it.Mail && imp.ClientEmail != "" {
		d, err := newDelivery(it, imp, store.ChannelEmail, imp.ClientEmail, 0)
		if err != nil {
			return nil, err
		}
		ds = append(ds, d)
	}
	hook, err := n.st.NotificationWebhook(ctx, it.AccountID)
	if errs.Is(err, errs.NotFound) {
		return ds, nil
	}
	if err != nil {
		return nil, err
	}
	d, err := newDelivery(it, imp, store.ChannelWebhook, hook.URL, hook.ID)
	if err != nil {
		return nil, err
	}
	return append(ds, d), nil
}

func newDelivery(it store.OutboxItem, imp store.Import, c store.Channel, target string, webhookID int64) (store.Delivery, error) {
	now := time.Now()
	id := "evt_" + rand.Text()
	payload, err := json.Marshal(event{ID: id, Event: it.Milestone, Import: httpapi.ImportOf(imp)})
	if err != nil {
		return store.Delivery{}, fmt.Errorf("encode notification of import %d: %w", imp.ID, err)
	}
	return store.Delivery{AccountID: it.AccountID, ImportID: it.ImportID, Milestone: it.Milestone, Channel: c,
		WebhookID: webhookID, Target: target, IdempotencyID: id, Payload: payload, Status: store.DeliveryPending,
		NextAttemptAt: now, CreatedAt: now}, nil
}

// logErr logs a loop's error unless the loop is shutting down.
func (n *Notifier) logErr(ctx context.Context, msg string, err error, attrs ...any) {
	if ctx.Err() != nil {
		return
	}
	n.log.Error(msg, append(attrs, slog.Any("err", err))...)
}
