package pipeline

import (
	"context"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
)

// batch is a run of rows read from the file, applied in one transaction
// together with the checkpoint that follows its last row.
type batch struct {
	events   []store.Event
	profiles []profileRow
	errors   []store.ErrorRow
	cp       store.Checkpoint
	now      time.Time // processing time for rows without ts
	arena    []byte    // encoded event props and identifiers of the batch
	deferOps bool      // keep changes to stored profiles as operations (deferred.go)
	deferred int       // operation entries kept, once applied
}

type profileRow struct {
	ids []store.Identifier
	ops []record.Op
	enc []byte // ops, record.AppendOps, when the batch keeps them (deferOps)
	ts  time.Time
}

func (b *batch) rows() int { return len(b.events) + len(b.profiles) + len(b.errors) }

// identifiers lists the batch's distinct identifiers.
func (b *batch) identifiers() []store.Identifier {
	seen := map[store.Identifier]struct{}{}
	var out []store.Identifier
	add := func(ids []store.Identifier) {
		for _, id := range ids {
			if _, ok := seen[id]; !ok {
				seen[id] = struct{}{}
				out = append(out, id)
			}
		}
	}
	for i := range b.events {
		add(b.events[i].Identifiers)
	}
	for i := range b.profiles {
		add(b.profiles[i].ids)
	}
	return out
}

// apply writes the batch and its checkpoint in tx; cache (may be nil) is
// the import's identifier cache.
func (b *batch) apply(ctx context.Context, tx store.BatchTx, imp *store.Import, lease store.Lease, cache *idCache) error {
	if err := b.applyAll(ctx, tx, imp.AccountID, cache); err != nil {
		return err
	}
	if len(b.errors) > 0 {
		if err := tx.InsertErrorRows(ctx, imp.ID, b.errors); err != nil {
			return err
		}
	}
	return tx.Checkpoint(ctx, imp.ID, lease, b.cp)
}

// applyAll resolves the batch's rows to profiles and writes them: through
// applySingle when no row can link identifiers, else the resolver.
func (b *batch) applyAll(ctx context.Context, tx store.BatchTx, account string, cache *idCache) error {
	if log, ok := tx.(store.ProfileOpLog); ok && b.deferOps && len(b.profiles) > 0 {
		var err error
		b.deferred, err = b.applyDeferred(ctx, tx, log, account, cache)
		return err
	}
	if b.singleIdentifier() {
		return b.applySingle(ctx, tx, account, cache)
	}
	r := newResolver(account, b.now, cache)
	if err := r.load(ctx, tx, b.identifiers(), len(b.profiles) > 0); err != nil {
		return err
	}
	return b.applyRows(ctx, tx, r)
}

func (b *batch) applyRows(ctx context.Context, tx store.BatchTx, r *resolver) error {
	if len(b.profiles) > 0 {
		for _, row := range b.profiles {
			p := r.resolve(row.ids)
			if p.props == nil {
				p.props = record.Props{}
			}
			record.ApplyOps(p.props, row.ops)
			p.dirty = true
			if row.ts.After(p.updated) || p.updated.IsZero() {
				p.updated = row.ts
			}
		}
		return r.flush(ctx, tx)
	}
	owners := make([]*prof, len(b.events))
	for i := range b.events {
		owners[i] = r.resolve(b.events[i].Identifiers)
	}
	if err := r.flush(ctx, tx); err != nil {
		return err
	}
	for i := range b.events {
		b.events[i].ProfileID = root(owners[i]).id
	}
	return tx.InsertEvents(ctx, b.events)
}
