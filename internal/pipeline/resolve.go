package pipeline

import (
	"context"
	"slices"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
)

// resolver finds the profile of each row of a batch by its identifiers, in
// file order, entirely in memory after one lookup: identifiers seen together
// link to one profile, and profiles they join are merged. flush then writes
// each touched profile once.
type resolver struct {
	account string
	now     time.Time
	byID    map[store.Identifier]*prof
	stored  map[int64]*prof
	all     []*prof
	cache   *idCache // may be nil
}

type prof struct {
	id      int64 // 0 until a new profile is created by flush
	props   record.Props
	into    *prof              // set once merged into another profile
	merged  []int64            // stored profiles merged into this one
	links   []store.Identifier // identifiers to point at this profile
	dirty   bool
	updated time.Time
}

func newResolver(account string, now time.Time, cache *idCache) *resolver {
	return &resolver{account: account, now: now, byID: map[store.Identifier]*prof{}, stored: map[int64]*prof{}, cache: cache}
}

func root(p *prof) *prof {
	for p.into != nil {
		p = p.into
	}
	return p
}

// load looks up every identifier of the batch (in the cache, then the
// store), and the props of the profiles found when the batch changes props.
func (r *resolver) load(ctx context.Context, tx store.BatchTx, ids []store.Identifier, withProps bool) error {
	var misses []store.Identifier
	for _, id := range ids {
		switch pid, ok := r.cache.get(id); {
		case ok && pid != 0:
			r.found(id, pid)
		case ok: // not in the store
		default:
			misses = append(misses, id)
		}
	}
	if len(misses) > 0 {
		found, err := tx.LookupIdentifiers(ctx, r.account, misses)
		if err != nil {
			return err
		}
		for id, pid := range found {
			r.found(id, pid)
		}
	}
	if !withProps || len(r.stored) == 0 {
		return nil
	}
	pids := make([]int64, 0, len(r.stored))
	for pid := range r.stored {
		pids = append(pids, pid)
	}
	slices.Sort(pids)
	loaded, err := tx.LoadProfiles(ctx, r.account, pids)
	if err != nil {
		return err
	}
	for pid, sp := range loaded {
		r.stored[pid].props = sp.Props
	}
	return nil
}

func (r *resolver) found(id store.Identifier, pid int64) {
	p := r.stored[pid]
	if p == nil {
		p = &prof{id: pid}
		r.stored[pid] = p
		r.all = append(r.all, p)
	}
	r.byID[id] = p
}

// resolve returns the profile of a row's identifiers, creating, linking and
// merging as needed.
func (r *resolver) resolve(ids []store.Identifier) *prof {
	var p *prof
	for _, id := range ids {
		if q := r.byID[id]; q != nil {
			p = r.join(p, root(q))
		}
	}
	if p == nil {
		p = &prof{updated: r.now}
		r.all = append(r.all, p)
	}
	for _, id := range ids {
		if q := r.byID[id]; q == nil || root(q) != p {
			r.byID[id] = p
			p.links = append(p.links, id)
		}
	}
	return p
}

// join merges two profiles (either may be nil) and returns the survivor:
// a stored profile over a new one, the oldest stored one over the others.
func (r *resolver) join(a, b *prof) *prof {
	if a == nil || a == b {
		return b
	}
	if b.id != 0 && (a.id == 0 || b.id < a.id) {
		a, b = b, a
	}
	b.into = a
	if b.id != 0 {
		a.merged = append(a.merged, b.id)
	}
	a.merged = append(a.merged, b.merged...)
	a.links = append(a.links, b.links...)
	if len(b.props) > 0 {
		if a.props == nil {
			a.props = record.Props{}
		}
		mergeProps(a.props, b.props)
	}
	a.dirty = a.dirty || b.dirty || len(b.props) > 0
	if b.updated.After(a.updated) {
		a.updated = b.updated
	}
	return a
}

// mergeProps adds what the survivor lacks; multi-value lists are united,
// the survivor's items first.
func mergeProps(into, from record.Props) {
	for k, v := range from {
		have, ok := into[k]
		switch {
		case !ok:
			into[k] = v
		case have.Kind == record.KindList && v.Kind == record.KindList:
			into[k] = record.List(unionList(have.L, v.L))
		}
	}
}

func unionList(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) > record.MaxListItems {
		out = out[len(out)-record.MaxListItems:]
	}
	return out
}

// flush writes the batch's profile changes: new profiles, merges, identifier
// links, and changed props, each profile once; and notes in the cache where
// the batch's identifiers now belong.
func (r *resolver) flush(ctx context.Context, tx store.BatchTx) error {
	var created, saved []*store.Profile
	var newRoots []*prof
	for _, p := range r.all {
		if p.into != nil {
			continue
		}
		if p.id == 0 {
			created = append(created, &store.Profile{AccountID: r.account, Props: p.props, CreatedAt: r.now, UpdatedAt: p.updated})
			newRoots = append(newRoots, p)
		} else if p.dirty {
			saved = append(saved, &store.Profile{ID: p.id, AccountID: r.account, Props: p.props, UpdatedAt: p.updated})
		}
	}
	if err := tx.CreateProfiles(ctx, created); err != nil {
		return err
	}
	for i, p := range newRoots {
		p.id = created[i].ID
	}
	for _, p := range r.all {
		if p.into != nil {
			continue
		}
		if len(p.merged) > 0 {
			r.cache.forget(true)
		}
		if err := tx.MergeProfiles(ctx, r.account, p.id, p.merged); err != nil {
			return err
		}
		if len(p.links) > 0 {
			if err := tx.LinkIdentifiers(ctx, r.account, p.id, p.links); err != nil {
				return err
			}
		}
	}
	for id, p := range r.byID {
		r.cache.note(id, root(p).id)
	}
	return tx.SaveProfiles(ctx, saved)
}
