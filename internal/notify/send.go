package notify

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

func (n *Notifier) sendLoop(ctx context.Context) {
	every(ctx, n.cfg.NotifyPoll, n.wake, n.sendDue)
}

// sendDue sends deliveries until none is due. A claim holds at most one
// delivery per target (the store keeps each target's order), so the next
// one to that target comes with the next claim.
func (n *Notifier) sendDue(ctx context.Context) {
	sent := false
	for ctx.Err() == nil {
		now := time.Now()
		ds, err := n.st.ClaimDeliveries(ctx, now, now.Add(n.claimFor), batchSize)
		if err != nil {
			n.logErr(ctx, "claim deliveries", err)
			break
		}
		if len(ds) == 0 {
			break
		}
		n.sendAll(ctx, ds)
		sent = true
	}
	// The gauge changes only when deliveries are made or sent; an idle
	// notifier leaves the database alone.
	if sent || !n.gaugeSet {
		n.updatePending(ctx)
		n.gaugeSet = true
	}
}

// sendAll sends ds with at most n.workers at once and waits for all.
func (n *Notifier) sendAll(ctx context.Context, ds []store.Delivery) {
	sem := make(chan struct{}, n.workers)
	var wg sync.WaitGroup
	for _, d := range ds {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			n.deliver(ctx, d)
		})
	}
	wg.Wait()
}

// deliver makes one attempt and records it at once: the gap between "sent"
// and "marked sent" is one local transaction.
func (n *Notifier) deliver(ctx context.Context, d store.Delivery) {
	start := time.Now()
	o := n.attempt(ctx, d)
	took := time.Since(start)
	// Records are written even while shutting down: an attempt that was made
	// must not be lost, or it would be made again.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if o.Err != nil && ctx.Err() != nil {
		// Cut short by Close: not the receiver's fault; due again at once.
		if err := n.st.RescheduleDelivery(rec, d.ID, time.Now()); err != nil {
			n.log.Error("reschedule delivery", slog.Int64("delivery", d.ID), slog.Any("err", err))
		}
		return
	}
	status, next := n.retry.next(d, o, time.Now(), rand.Float64())
	a := store.DeliveryAttempt{DeliveryID: d.ID, At: start, StatusCode: o.Code, Error: errorString(o.Err), Duration: took}
	err := n.st.RecordAttempt(rec, a, status, next)
	if err != nil && !errs.Is(err, errs.NotFound) {
		n.log.Error("record delivery attempt", slog.Int64("delivery", d.ID), slog.Any("err", err))
	}
	n.report(d, a, status, next)
}

func (n *Notifier) attempt(ctx context.Context, d store.Delivery) outcome {
	switch d.Channel {
	case store.ChannelEmail:
		return n.sendMail(ctx, d)
	case store.ChannelWebhook:
		return n.hooks.send(ctx, d)
	}
	return outcome{Err: errs.E(errs.Internal, "unknown channel %q", d.Channel), Permanent: true}
}

func (n *Notifier) sendMail(ctx context.Context, d store.Delivery) outcome {
	msg, o := n.compose.message(ctx, d)
	if o.Err != nil {
		return o
	}
	ctx, cancel := context.WithTimeout(ctx, n.cfg.SMTPTimeout)
	defer cancel()
	return n.mail.send(ctx, msg, d)
}

// report logs an attempt and counts it.
func (n *Notifier) report(d store.Delivery, a store.DeliveryAttempt, status store.DeliveryStatus, next time.Time) {
	attrs := []any{slog.Int64("delivery", d.ID), slog.String("channel", string(d.Channel)),
		slog.String("event", string(d.Milestone)), slog.Int64("import", d.ImportID), slog.String("target", d.Target),
		slog.Int("attempt", d.Attempts+1), slog.Int("code", a.StatusCode), slog.Duration("took", a.Duration)}
	switch status {
	case store.DeliveryDelivered:
		n.metrics.sent.WithLabelValues(string(d.Channel)).Inc()
		n.log.Info("notification delivered", attrs...)
	case store.DeliveryFailed:
		n.metrics.attemptErrors.WithLabelValues(string(d.Channel)).Inc()
		n.metrics.failed.WithLabelValues(string(d.Channel)).Inc()
		n.log.Error("notification given up", append(attrs, slog.String("err", a.Error))...)
	default:
		n.metrics.attemptErrors.WithLabelValues(string(d.Channel)).Inc()
		n.log.Warn("notification attempt failed; will retry", append(attrs, slog.String("err", a.Error),
			slog.Time("next", next))...)
	}
}

// updatePending refreshes the pending gauge from the store, so that it is
// right across restarts and several nodes. The fan-out and send loops both
// refresh it: one at a time, so that a count read before a delivery was
// sent is never set after the count read once it was (the gauge then stayed
// at 1 with nothing pending, until the next delivery).
func (n *Notifier) updatePending(ctx context.Context) {
	n.gaugeMu.Lock()
	defer n.gaugeMu.Unlock()
	counts, err := n.st.PendingDeliveries(ctx)
	if err != nil {
		n.logErr(ctx, "count pending deliveries", err)
		return
	}
	for _, c := range store.Channels() {
		n.metrics.pending.WithLabelValues(string(c)).Set(float64(counts[c]))
	}
}
