package pipeline

import (
	"context"

	"sluice/internal/store"
)

// singleIdentifier reports whether every event of b names one identifier.
// Such rows join no identifiers, so none can link or merge profiles: a
// row's profile is its identifier's, stored or new.
func (b *batch) singleIdentifier() bool {
	if len(b.profiles) > 0 {
		return false
	}
	for i := range b.events {
		if len(b.events[i].Identifiers) != 1 {
			return false
		}
	}
	return true
}

// applySingle resolves a batch of single-identifier events without the
// resolver's per-profile bookkeeping: most rows take their profile from the
// cache directly (writer CPU on 4M events of 1M users: 53 → 44 s).
func (b *batch) applySingle(ctx context.Context, tx store.BatchTx, account string, cache *idCache) error {
	var unplaced, misses []store.Identifier // unplaced in order of first appearance; misses: those the store may hold
	rows := map[store.Identifier][]int{}    // the rows of each unplaced identifier
	for i := range b.events {
		id := b.events[i].Identifiers[0]
		pid, ok := cache.get(id)
		if ok && pid != 0 {
			b.events[i].ProfileID = pid
			continue
		}
		if _, seen := rows[id]; !seen {
			unplaced = append(unplaced, id)
			if !ok {
				misses = append(misses, id)
			}
		}
		rows[id] = append(rows[id], i)
	}
	if len(unplaced) > 0 {
		if err := b.placeNew(ctx, tx, account, cache, unplaced, misses, rows); err != nil {
			return err
		}
	}
	return tx.InsertEvents(ctx, b.events)
}

// placeNew gives the rows of identifiers the cache did not place their
// profile: found in the store, or new (one per identifier, created in the
// order the identifiers first appear, as the resolver does).
func (b *batch) placeNew(ctx context.Context, tx store.BatchTx, account string, cache *idCache,
	unplaced, misses []store.Identifier, rows map[store.Identifier][]int) error {
	found := map[store.Identifier]int64{}
	if len(misses) > 0 {
		var err error
		if found, err = tx.LookupIdentifiers(ctx, account, misses); err != nil {
			return err
		}
	}
	var fresh []store.Identifier
	var created []*store.Profile
	for _, id := range unplaced {
		if pid, ok := found[id]; ok {
			cache.note(id, pid)
		} else {
			fresh = append(fresh, id)
			created = append(created, &store.Profile{AccountID: account, CreatedAt: b.now, UpdatedAt: b.now})
		}
	}
	if err := createLinked(ctx, tx, account, cache, fresh, created); err != nil {
		return err
	}
	for i, id := range fresh {
		found[id] = created[i].ID
	}
	for _, id := range unplaced {
		for _, i := range rows[id] {
			b.events[i].ProfileID = found[id]
		}
	}
	return nil
}

// createLinked creates ps, links each to its one identifier ids[i], and
// notes the links in the cache.
func createLinked(ctx context.Context, tx store.BatchTx, account string, cache *idCache, ids []store.Identifier, ps []*store.Profile) error {
	if err := tx.CreateProfiles(ctx, ps); err != nil {
		return err
	}
	for i, id := range ids {
		if err := tx.LinkIdentifiers(ctx, account, ps[i].ID, []store.Identifier{id}); err != nil {
			return err
		}
		cache.note(id, ps[i].ID)
	}
	return nil
}
