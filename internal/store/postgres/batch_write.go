package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"sluice/internal/store"
)

// CreateProfiles takes ids for the new profiles from the sequence in one
// query, in ascending order, and copies the profiles in.
func (b *batch) CreateProfiles(ctx context.Context, ps []*store.Profile) error {
	if len(ps) == 0 {
		return nil
	}
	ids, err := b.newProfileIDs(ctx, len(ps))
	if err != nil {
		return err
	}
	for i, p := range ps {
		p.ID = ids[i]
	}
	src := newRowSource(len(ps), 5, func(i int, row []any) {
		p := ps[i]
		row[0], row[1], row[2], row[3], row[4] = p.ID, p.AccountID, p.Props.AppendJSON(nil), ms(p.CreatedAt), ms(p.UpdatedAt)
	})
	_, err = b.tx.CopyFrom(ctx, pgx.Identifier{"profiles"}, []string{"id", "account_id", "props", "created_at", "updated_at"}, src)
	if err != nil {
		return fmt.Errorf("copy profiles: %w", err)
	}
	return nil
}

func (b *batch) newProfileIDs(ctx context.Context, n int) ([]int64, error) {
	rows, err := b.tx.Query(ctx, `SELECT nextval('profiles_id_seq') FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, fmt.Errorf("take profile ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("take profile ids: %w", err)
	}
	slices.Sort(ids)
	return ids, nil
}

// SaveProfiles writes the props and update times of profiles, a chunk of
// them per statement (see probeChunk), all chunks in one round trip.
func (b *batch) SaveProfiles(ctx context.Context, ps []*store.Profile) error {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(x, y *store.Profile) int { return cmp.Compare(x.ID, y.ID) }) // pages in order
	var pb pgx.Batch
	var buf []byte
	for start := 0; start < len(ps); start += probeChunk {
		chunk := ps[start:min(start+probeChunk, len(ps))]
		ids, props, updated := make([]int64, len(chunk)), make([]string, len(chunk)), make([]int64, len(chunk))
		for i, p := range chunk {
			buf = p.Props.AppendJSON(buf[:0])
			ids[i], props[i], updated[i] = p.ID, string(buf), ms(p.UpdatedAt)
		}
		pb.Queue(`UPDATE profiles p SET props = v.props, updated_at = v.updated
			FROM unnest($1::bigint[], $2::jsonb[], $3::bigint[]) AS v(id, props, updated) WHERE p.id = v.id`, ids, props, updated)
	}
	if pb.Len() == 0 {
		return nil
	}
	if err := b.tx.SendBatch(ctx, &pb).Close(); err != nil {
		return fmt.Errorf("save profiles: %w", err)
	}
	return nil
}

// LinkIdentifiers collects links; flushLinks writes them.
func (b *batch) LinkIdentifiers(ctx context.Context, accountID string, profileID int64, ids []store.Identifier) error {
	b.links.Add(accountID, profileID, ids)
	return nil
}

// flushLinks upserts the collected links in one statement.
func (b *batch) flushLinks(ctx context.Context) error {
	keep := b.links.Take()
	if len(keep) == 0 {
		return nil
	}
	n := len(keep)
	accts, values, kinds, pids := make([]string, n), make([]string, n), make([]string, n), make([]int64, n)
	for i, l := range keep {
		accts[i], values[i], kinds[i], pids[i] = l.AccountID, l.ID.Value, l.ID.Kind, l.ProfileID
	}
	_, err := b.tx.Exec(ctx, `INSERT INTO identifiers (account_id, value, kind, profile_id)
		SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[])
		ON CONFLICT (account_id, value, kind) DO UPDATE SET profile_id = EXCLUDED.profile_id`, accts, values, kinds, pids)
	if err != nil {
		return fmt.Errorf("link identifiers: %w", err)
	}
	return nil
}

// MergeProfiles moves identifiers and events of from into into and deletes
// from, in one round trip.
func (b *batch) MergeProfiles(ctx context.Context, accountID string, into int64, from []int64) error {
	if len(from) == 0 {
		return nil
	}
	if err := b.flushLinks(ctx); err != nil {
		return err
	}
	var pb pgx.Batch
	pb.Queue(`UPDATE identifiers SET profile_id = $1 WHERE account_id = $2 AND profile_id = ANY($3)`, into, accountID, from)
	pb.Queue(`UPDATE events SET profile_id = $1 WHERE account_id = $2 AND profile_id = ANY($3)`, into, accountID, from)
	pb.Queue(`DELETE FROM profiles WHERE account_id = $1 AND id = ANY($2)`, accountID, from)
	if err := b.tx.SendBatch(ctx, &pb).Close(); err != nil {
		return fmt.Errorf("merge profiles: %w", err)
	}
	return nil
}

// InsertEvents copies events in, with their props and identifiers as JSON
// (encoded ahead by the pipeline when it can).
func (b *batch) InsertEvents(ctx context.Context, evs []store.Event) error {
	if len(evs) == 0 {
		return nil
	}
	src := newRowSource(len(evs), 8, func(i int, row []any) {
		e := &evs[i]
		props, ids := e.StoredJSON()
		row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] =
			e.AccountID, e.ProfileID, e.ImportID, e.Row, e.Name, e.Time, ids, props
	})
	cols := []string{"account_id", "profile_id", "import_id", "row", "name", "ts", "identifiers", "props"}
	if _, err := b.tx.CopyFrom(ctx, pgx.Identifier{"events"}, cols, src); err != nil {
		return fmt.Errorf("copy events: %w", err)
	}
	return nil
}
