package pipeline

import (
	"context"
	"fmt"
	"time"

	"sluice/internal/manifest"
	"sluice/internal/record"
	"sluice/internal/store"
)

// A profile file with one identifier column joins no identifiers, so no row
// can link or merge profiles. Such a file's changes to stored profiles are
// kept as operations (store.ProfileOpLog) and folded into the profiles in
// profile order before the import ends, and, if Config.ProfileFoldRows is
// set, also after every that many entries. Profiles new to the store are
// created with their props at once.

// opsFolder is the store's ProfileFolder, or nil.
func (p *Pipeline) opsFolder() store.ProfileFolder {
	f, _ := p.store.(store.ProfileFolder)
	return f
}

// deferOps reports whether an import's profile changes are kept as operations.
func (p *Pipeline) deferOps(rr *rowReader) bool {
	return p.opsFolder() != nil && rr.typ == manifest.TypeProfile && rr.conv.IdentifierColumns() == 1
}

// fold folds the account's kept operations, if the store keeps any.
func (p *Pipeline) fold(ctx context.Context, accountID string) error {
	f := p.opsFolder()
	if f == nil {
		return nil
	}
	start := time.Now()
	n, err := f.FoldProfileOps(ctx, accountID)
	if err != nil {
		return fmt.Errorf("fold profile changes of account %s: %w", accountID, err)
	}
	if n > 0 {
		p.log.Info("profile changes folded", "account", accountID, "entries", n, "took", time.Since(start))
	}
	return nil
}

// pendingOps is one identifier's rows in a batch, in file order.
type pendingOps struct {
	id      store.Identifier
	enc     []byte       // the rows' operations, for a stored profile
	props   record.Props // the rows applied, for a new one
	updated time.Time
}

// applyDeferred creates the batch's new profiles with their props and keeps
// the changes to stored ones as operations, one entry per profile. It
// returns how many entries it kept.
func (b *batch) applyDeferred(ctx context.Context, tx store.BatchTx, log store.ProfileOpLog, account string, cache *idCache) (int, error) {
	byID := map[store.Identifier]*pendingOps{}
	var order []*pendingOps
	for i := range b.profiles {
		row := &b.profiles[i]
		e := byID[row.ids[0]]
		if e == nil {
			e = &pendingOps{id: row.ids[0]}
			byID[e.id] = e
			order = append(order, e)
		}
		if e.enc == nil {
			e.enc = row.enc // in the arena; its capacity ends with it, so appending copies
		} else {
			e.enc = append(e.enc, row.enc...)
		}
		if row.ts.After(e.updated) || e.updated.IsZero() {
			e.updated = row.ts
		}
	}
	pids, err := b.profileIDs(ctx, tx, account, cache, order)
	if err != nil {
		return 0, err
	}
	var fresh []*pendingOps
	var kept []store.ProfileOps
	for i, e := range order {
		if pids[i] != 0 {
			kept = append(kept, store.ProfileOps{ProfileID: pids[i], UpdatedAt: e.updated, Ops: e.enc})
		} else {
			e.props = record.Props{}
			fresh = append(fresh, e)
		}
	}
	if err := b.createFresh(ctx, tx, account, cache, byID, fresh); err != nil {
		return 0, err
	}
	return len(kept), log.AppendProfileOps(ctx, account, kept)
}

// createFresh creates the profiles of identifiers new to the store, with
// their rows applied in file order, and links them.
func (b *batch) createFresh(ctx context.Context, tx store.BatchTx, account string, cache *idCache,
	byID map[store.Identifier]*pendingOps, fresh []*pendingOps) error {
	if len(fresh) == 0 {
		return nil
	}
	for i := range b.profiles {
		if e := byID[b.profiles[i].ids[0]]; e.props != nil {
			record.ApplyOps(e.props, b.profiles[i].ops)
		}
	}
	ids := make([]store.Identifier, len(fresh))
	created := make([]*store.Profile, len(fresh))
	for i, e := range fresh {
		ids[i] = e.id
		created[i] = &store.Profile{AccountID: account, Props: e.props, CreatedAt: b.now, UpdatedAt: later(b.now, e.updated)}
	}
	return createLinked(ctx, tx, account, cache, ids, created)
}

// profileIDs finds the stored profile of each entry's identifier (0: none),
// in the cache or else the store.
func (b *batch) profileIDs(ctx context.Context, tx store.BatchTx, account string, cache *idCache, order []*pendingOps) ([]int64, error) {
	pids := make([]int64, len(order))
	var misses []store.Identifier
	for i, e := range order {
		pid, ok := cache.get(e.id)
		pids[i] = pid
		if !ok {
			misses = append(misses, e.id)
		}
	}
	if len(misses) == 0 {
		return pids, nil
	}
	found, err := tx.LookupIdentifiers(ctx, account, misses)
	if err != nil {
		return nil, err
	}
	for i, e := range order {
		if pid, ok := found[e.id]; ok {
			pids[i] = pid
			cache.note(e.id, pid)
		}
	}
	return pids, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
