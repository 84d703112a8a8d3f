package sftpd

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Upload results, the values of the result label of sluice_sftp_uploads_total.
const (
	resultCompleted = "completed" // recorded and announced
	resultAborted   = "aborted"   // cut off, incomplete, or failed to store
	resultRefused   = "refused"   // name not accepted, in use, or clashing at commit
	resultTooLarge  = "too_large" // over the file size limit or the account quota
)

type metrics struct {
	sessions     prometheus.Gauge
	authFailures prometheus.Counter
	bytes        prometheus.Counter
	uploads      *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		sessions: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sluice_sftp_sessions", Help: "Open authenticated SFTP connections.",
		}),
		authFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sluice_sftp_auth_failures_total", Help: "Failed SSH authentication attempts (each refused key or password).",
		}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sluice_sftp_bytes_uploaded_total", Help: "Bytes of completed uploads.",
		}),
		uploads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sluice_sftp_uploads_total", Help: "Uploads by result: completed, aborted, refused, too_large.",
		}, []string{"result"}),
	}
	for _, r := range []string{resultCompleted, resultAborted, resultRefused, resultTooLarge} {
		m.uploads.WithLabelValues(r)
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.sessions, m.authFailures, m.bytes, m.uploads} {
		if err := reg.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return nil, fmt.Errorf("sftpd metrics already registered (one Server per registry): %w", err)
			}
			return nil, fmt.Errorf("register sftpd metrics: %w", err)
		}
	}
	return m, nil
}

func (m *metrics) upload(result string) { m.uploads.WithLabelValues(result).Inc() }
