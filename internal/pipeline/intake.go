package pipeline

import (
	"context"
	"log/slog"

	"sluice/internal/errs"
	"sluice/internal/manifest"
	"sluice/internal/store"
)

// intakeLoop turns manifest uploads into imports and binds waiting imports
// to their data files. It works from the store (the uploads and imports
// tables), so an upload announced just before a crash is picked up after it.
func (p *Pipeline) intakeLoop(ctx context.Context) {
	for {
		if err := p.intake(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("intake", slog.Any("err", err))
		}
		if !p.sleep(ctx, p.intakeWake) {
			return
		}
	}
}

func (p *Pipeline) intake(ctx context.Context) error {
	ups, err := p.store.PendingManifests(ctx, 100)
	if err != nil {
		return err
	}
	for _, u := range ups {
		if err := p.ingest(ctx, u); err != nil {
			return err
		}
	}
	return p.bindWaiting(ctx)
}

// ingest creates the import of one manifest upload.
func (p *Pipeline) ingest(ctx context.Context, u store.Upload) error {
	data, err := p.readManifest(ctx, u)
	if err != nil {
		return err
	}
	imp := store.Import{AccountID: u.AccountID, ManifestName: u.Name, ManifestUploadID: u.ID,
		Manifest: data, ReceivedAt: u.CreatedAt, Status: store.StatusWaiting}
	m, prob := manifest.Parse(data)
	var milestone store.Milestone
	if prob != nil {
		now := p.now()
		imp.Status, imp.Error, imp.FinishedAt = store.StatusFailed, prob.Error(), &now
		imp.Type, imp.FileName = prob.Type, prob.FileName
		if prob.SendMail {
			imp.ClientEmail = prob.ClientEmail
		}
		milestone = store.MilestoneFailed
	} else {
		imp.Type, imp.FileName, imp.ClientEmail = m.Type, m.FileName, m.ClientEmail
	}
	imp, err = p.store.CreateImport(ctx, imp, milestone)
	if errs.Is(err, errs.Conflict) {
		return nil // another intake got there first
	}
	if err != nil {
		return err
	}
	if prob != nil {
		p.metrics.imports.WithLabelValues(string(store.StatusFailed)).Inc()
	}
	p.log.Info("manifest received", slog.Int64("import", imp.ID), slog.String("account", imp.AccountID),
		slog.String("manifest", imp.ManifestName), slog.String("status", string(imp.Status)), slog.String("error", imp.Error))
	return nil
}

func (p *Pipeline) readManifest(ctx context.Context, u store.Upload) ([]byte, error) {
	r, err := p.blobs.Open(ctx, u.BlobKey)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := make([]byte, r.Size())
	if _, err := r.ReadAt(buf, 0); err != nil && r.Size() > 0 {
		return nil, err
	}
	return buf, nil
}

// bindWaiting gives waiting imports their data file, or fails those that
// waited longer than WaitTimeout.
func (p *Pipeline) bindWaiting(ctx context.Context) error {
	waiting, err := p.store.WaitingImports(ctx)
	if err != nil {
		return err
	}
	now := p.now()
	for _, imp := range waiting {
		_, err := p.store.BindData(ctx, imp.ID, now)
		switch {
		case err == nil:
			kick(p.workWake)
		case errs.Is(err, errs.NotFound) && now.Sub(imp.ReceivedAt) >= p.cfg.WaitTimeout:
			if err := p.store.FailWaiting(ctx, imp.ID, msgNoDataFile, now); err != nil && !errs.Is(err, errs.Conflict) {
				return err
			}
			p.metrics.imports.WithLabelValues(string(store.StatusFailed)).Inc()
			kick(p.workWake)
		case errs.Is(err, errs.NotFound), errs.Is(err, errs.Conflict):
		default:
			return err
		}
	}
	return nil
}
