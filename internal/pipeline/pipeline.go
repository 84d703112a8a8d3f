// Package pipeline turns uploads into imports and runs them: manifest →
// validated rows → profiles and events, one account's imports in manifest
// order, each batch committed with its checkpoint so that a crash resumes
// where the last batch ended and every row is applied exactly once.
package pipeline

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sluice/internal/blob"
	"sluice/internal/store"
)

// Store is what the pipeline needs of the store.
type Store interface {
	store.Imports
	store.Tx
	identifierScanner
	Upload(ctx context.Context, accountID string, id int64) (store.Upload, error)
	Account(ctx context.Context, id string) (store.Account, error)
}

// Config tunes the pipeline.
type Config struct {
	Workers             int
	BatchRows           int
	ProfileBatchRows    int // for profile files; default BatchRows
	IdentityCacheMiB    int // per running import: identifiers seen → profile; 0: none
	ProfileFoldRows     int // fold kept profile operations after this many entries; 0: only at the end
	LeaseDuration       time.Duration
	WaitTimeout         time.Duration // how long an import waits for its data file
	ProcessingMailEvery time.Duration
	PollEvery           time.Duration // how often the queue is polled without a wake-up; default 1s
	MaxAttempts         int           // internal failures before an import fails; default 3
	Node                string        // lease owner prefix; default random
	Keys                KeySource     // decryption keys of encrypted uploads; nil: they fail
	Limits              Limits        // caps on what compressed and encrypted files expand to
	Now                 func() time.Time
	Logger              *slog.Logger
	Metrics             prometheus.Registerer
}

// Pipeline owns the intake loop and the workers.
type Pipeline struct {
	cfg     Config
	store   Store
	blobs   blob.Store
	log     *slog.Logger
	metrics *metrics
	now     func() time.Time

	intakeWake chan struct{}
	workWake   chan struct{}
	cancel     context.CancelFunc
	wg         sync.WaitGroup
}

// New builds a pipeline; Start runs it.
func New(cfg Config, st Store, blobs blob.Store) *Pipeline {
	if cfg.PollEvery == 0 {
		cfg.PollEvery = time.Second
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.Node == "" {
		cfg.Node = store.NewNodeID()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = prometheus.NewRegistry()
	}
	return &Pipeline{
		cfg: cfg, store: st, blobs: blobs, log: cfg.Logger, now: cfg.Now,
		metrics:    newMetrics(cfg.Metrics),
		intakeWake: make(chan struct{}, 1),
		workWake:   make(chan struct{}, 1),
	}
}

// Start runs the intake loop and the workers until Close.
func (p *Pipeline) Start(ctx context.Context) {
	ctx, p.cancel = context.WithCancel(ctx)
	p.wg.Add(1 + p.cfg.Workers)
	go func() {
		defer p.wg.Done()
		p.intakeLoop(ctx)
	}()
	for i := range p.cfg.Workers {
		go func() {
			defer p.wg.Done()
			p.workLoop(ctx, p.cfg.Node+"/"+itoa(i))
		}()
	}
}

// Close stops the loops and waits for them; running imports are released
// at their last checkpoint.
func (p *Pipeline) Close() error {
	if p.cancel != nil {
		p.cancel()
	}
	p.wg.Wait()
	return nil
}

// UploadCompleted wakes the intake: a manifest may start an import, a data
// file may complete a waiting one.
func (p *Pipeline) UploadCompleted(ctx context.Context, u store.Upload) {
	kick(p.intakeWake)
}

func kick(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// sleep waits for a wake-up, the poll interval, or the end.
func (p *Pipeline) sleep(ctx context.Context, wake <-chan struct{}) bool {
	t := time.NewTimer(p.cfg.PollEvery)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-wake:
	case <-t.C:
	}
	return true
}
