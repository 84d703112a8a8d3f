// Package notify tells customers what happened to their imports: it turns
// outbox items (written by the store in the same transaction as each import
// milestone) into deliveries, one per channel, and sends them by mail (SMTP,
// or .eml files when no SMTP server is configured) and by signed webhook,
// retrying with backoff and logging every attempt.
//
// Two loops do the work, both owned by the Notifier: fan-out (outbox item →
// deliveries + item done, one transaction) and send (claim due deliveries,
// send, record the attempt). A crash loses nothing due: an item not fanned
// out is still pending, and a claimed delivery whose attempt was never
// recorded is due again when its claim lapses.
package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sluice/internal/config"
	"sluice/internal/store"
)

// Store is what the notifier reads and writes.
type Store interface {
	store.Outbox
	store.Deliveries
	Import(ctx context.Context, accountID string, id int64) (store.Import, error)
	ErrorRows(ctx context.Context, importID int64, fn func(line []byte) error) error
	Webhook(ctx context.Context, accountID string, id int64) (store.Webhook, error)
	NotificationWebhook(ctx context.Context, accountID string) (store.Webhook, error)
}

// Options are the notifier's dependencies beyond the config; the zero value works.
type Options struct {
	Logger     *slog.Logger          // default: slog.Default()
	Registerer prometheus.Registerer // nil: metrics are kept but not registered
	TLSConfig  *tls.Config           // base TLS settings for SMTP (e.g. RootCAs); default: system roots
	Workers    int                   // deliveries sent at once; default 4
	// PublicURL gives the dashboard's base URL for links in mails, asked at
	// send time (an app listening on :0 knows its port only once it listens).
	// Default: cfg.PublicURL, else http://localhost:<port of cfg.HTTPAddr>.
	PublicURL func() string
}

// batchSize bounds how many outbox items or deliveries one loop pass takes.
const batchSize = 100

// Notifier sends notifications. New, then Start; Close stops it.
type Notifier struct {
	cfg      config.Config
	st       Store
	log      *slog.Logger
	mail     mailer
	compose  *composer
	hooks    *webhookSender
	retry    retryPolicy
	metrics  *metrics
	workers  int
	claimFor time.Duration
	wake     chan struct{} // fan-out → sender: new deliveries are due
	gaugeSet bool          // the pending gauge was read from the store once (send loop only)
	gaugeMu  sync.Mutex    // one pending-gauge refresh at a time (updatePending)

	mu     sync.Mutex
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New builds a notifier from the config: SMTP when cfg.SMTPURL is set, else
// .eml files under <DataDir>/outbox.
func New(cfg config.Config, st Store, o Options) (*Notifier, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	n := &Notifier{cfg: cfg, st: st, log: o.Logger.With(slog.String("component", "notify")), workers: o.Workers,
		retry: retryPolicy{Min: cfg.RetryMin, Max: cfg.RetryMax, For: cfg.RetryFor}, wake: make(chan struct{}, 1)}
	// An attempt is cut off by its channel's timeout well before its claim
	// lapses, so no other sender can start the same delivery meanwhile.
	n.claimFor = 2*max(cfg.SMTPTimeout, cfg.WebhookTimeout) + cfg.NotifyPoll
	var err error
	if n.mail, err = newMailer(cfg, o.TLSConfig, n.log); err != nil {
		return nil, err
	}
	if n.compose, err = newComposer(cfg, st, o.PublicURL); err != nil {
		return nil, err
	}
	n.hooks = newWebhookSender(st, cfg.WebhookTimeout)
	if n.metrics, err = newMetrics(o.Registerer); err != nil {
		return nil, err
	}
	return n, nil
}

// Start runs the fan-out and send loops until ctx ends or Close is called.
func (n *Notifier) Start(ctx context.Context) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.cancel != nil {
		return
	}
	ctx, n.cancel = context.WithCancel(ctx)
	n.wg.Go(func() { n.fanOutLoop(ctx) })
	n.wg.Go(func() { n.sendLoop(ctx) })
	n.log.Info("notifier started", slog.String("mail", n.mail.String()))
}

// Close stops both loops and waits for them. An attempt cut short is due
// again at once; nothing is lost.
func (n *Notifier) Close() error {
	n.mu.Lock()
	cancel := n.cancel
	n.mu.Unlock()
	if cancel != nil {
		cancel()
	}
	n.wg.Wait()
	n.hooks.client.CloseIdleConnections() // kept-alive connections end with us
	return nil
}

// every runs fn now and then each interval, or at once when wake fires,
// until ctx ends.
func every(ctx context.Context, interval time.Duration, wake <-chan struct{}, fn func(context.Context)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		fn(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-wake:
		}
	}
}

func (n *Notifier) wakeSender() {
	select {
	case n.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

func errorString(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprint(err)
}
