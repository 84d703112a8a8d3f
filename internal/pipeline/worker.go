package pipeline

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

func itoa(i int) string { return strconv.Itoa(i) }

// workLoop claims and runs imports until ctx ends.
func (p *Pipeline) workLoop(ctx context.Context, owner string) {
	for {
		imp, err := p.store.Claim(ctx, p.lease(owner), p.now())
		switch {
		case err == nil:
			p.runClaimed(ctx, imp, owner)
			kick(p.workWake) // the account's next import may be runnable now
			continue
		case !errs.Is(err, errs.NotFound) && ctx.Err() == nil:
			p.log.Error("claim import", slog.Any("err", err))
		}
		if !p.sleep(ctx, p.workWake) {
			return
		}
	}
}

func (p *Pipeline) lease(owner string) store.Lease {
	return store.Lease{Owner: owner, Until: p.now().Add(p.cfg.LeaseDuration)}
}

// runClaimed runs an import while a second goroutine renews its lease; a
// lost lease cancels the run, and an internal failure gives the import back
// for a retry (or fails it after MaxAttempts).
func (p *Pipeline) runClaimed(ctx context.Context, imp store.Import, owner string) {
	runCtx, cancel := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go func() {
		defer close(renewed)
		p.renewLoop(runCtx, cancel, imp, owner)
	}()
	err := p.runOrFail(runCtx, imp, owner)
	cancel()
	<-renewed
	if err == nil {
		return
	}
	if ctx.Err() != nil {
		// Shutting down: give the import back at its last checkpoint.
		p.store.Release(context.WithoutCancel(ctx), imp.ID, owner)
		return
	}
	p.log.Error("import attempt failed; it will be retried", slog.Int64("import", imp.ID),
		slog.Int("attempt", imp.Attempts), slog.Any("err", err))
	p.store.Release(ctx, imp.ID, owner)
}

func (p *Pipeline) runOrFail(ctx context.Context, imp store.Import, owner string) error {
	if imp.Attempts > p.cfg.MaxAttempts {
		p.log.Error("import failed too often; giving up", slog.Int64("import", imp.ID), slog.Int("attempts", imp.Attempts))
		return p.finish(ctx, imp, owner, msgInternal)
	}
	p.log.Info("import started", slog.Int64("import", imp.ID), slog.String("account", imp.AccountID),
		slog.String("file", imp.FileName), slog.Int64("resume_at", imp.BytesRead))
	return p.run(ctx, imp, owner)
}

func (p *Pipeline) renewLoop(ctx context.Context, cancel context.CancelFunc, imp store.Import, owner string) {
	t := time.NewTicker(p.cfg.LeaseDuration / 3)
	defer t.Stop()
	mailed := imp.MailedAt
	if mailed.IsZero() && imp.StartedAt != nil {
		mailed = *imp.StartedAt
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		now := p.now()
		var m store.Milestone
		if p.cfg.ProcessingMailEvery > 0 && now.Sub(mailed) >= p.cfg.ProcessingMailEvery {
			m, mailed = store.MilestoneProcessing, now
		}
		err := p.store.Renew(ctx, imp.ID, p.lease(owner), m, now)
		if errs.Is(err, errs.Conflict) {
			p.log.Warn("lease lost; stopping", slog.Int64("import", imp.ID))
			cancel()
			return
		}
		if err != nil && ctx.Err() == nil {
			p.log.Error("renew lease", slog.Int64("import", imp.ID), slog.Any("err", err))
		}
	}
}
