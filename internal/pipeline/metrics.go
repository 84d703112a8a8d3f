package pipeline

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sluice/internal/store"
)

type metrics struct {
	imports  *prometheus.CounterVec
	rows     *prometheus.CounterVec
	bytes    prometheus.Counter
	duration prometheus.Histogram
	rate     prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		imports: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_imports_total",
			Help: "Imports that ended, by final status."}, []string{"status"}),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "sluice_import_rows_total",
			Help: "Data rows applied, by result (imported or refused)."}, []string{"result"}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "sluice_import_bytes_total",
			Help: "Data file bytes read by imports."}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sluice_import_duration_seconds",
			Help: "Time from claim to end of an import run.", Buckets: prometheus.ExponentialBuckets(0.05, 4, 10)}),
		rate: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "sluice_import_rows_per_second",
			Help: "Rows per second of each finished import run.", Buckets: prometheus.ExponentialBuckets(1000, 2, 12)}),
	}
	reg.MustRegister(m.imports, m.rows, m.bytes, m.duration, m.rate)
	return m
}

func (m *metrics) observeBatch(before, after store.Checkpoint) {
	m.rows.WithLabelValues("imported").Add(float64(after.RowsImported - before.RowsImported))
	m.rows.WithLabelValues("refused").Add(float64(after.RowsFailed - before.RowsFailed))
	m.bytes.Add(float64(after.BytesRead - before.BytesRead))
}

func (m *metrics) observeDone(imp store.Import, d time.Duration) {
	m.duration.Observe(d.Seconds())
	if s := d.Seconds(); s > 0 {
		m.rate.Observe(float64(imp.RowsRead) / s)
	}
}
