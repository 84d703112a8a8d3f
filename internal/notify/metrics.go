package notify

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"sluice/internal/store"
)

// metrics are the notifier's Prometheus series, all by channel.
type metrics struct {
	sent          *prometheus.CounterVec
	failed        *prometheus.CounterVec
	attemptErrors *prometheus.CounterVec
	pending       *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_notifications_sent_total",
			Help: "Notifications delivered (mail accepted by the SMTP server or written as .eml; webhook answered 2xx)."}, []string{"channel"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_notifications_failed_total",
			Help: "Notifications given up: refused for good, or still failing when the retry period ended."}, []string{"channel"}),
		attemptErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_notification_attempt_errors_total",
			Help: "Failed delivery attempts, including those that will be retried."}, []string{"channel"}),
		pending: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "sluice_notifications_pending",
			Help: "Notifications waiting to be delivered (due now or waiting for a retry)."}, []string{"channel"}),
	}
	for _, c := range store.Channels() {
		m.sent.WithLabelValues(string(c))
		m.failed.WithLabelValues(string(c))
		m.attemptErrors.WithLabelValues(string(c))
		m.pending.WithLabelValues(string(c))
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.sent, m.failed, m.attemptErrors, m.pending} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register notification metrics: %w", err)
		}
	}
	return m, nil
}
