package sqlite

import (
	"context"
	"fmt"

	"sluice/internal/store"
	"sluice/internal/store/segsql"
)

// CountSegment counts the account's profiles that match the filter.
func (db *DB) CountSegment(ctx context.Context, accountID string, q store.SegmentQuery) (int64, error) {
	stmt, args := segsql.Count(dialect{}, accountID, q.Filter, q.Now)
	var n int64
	if err := db.r.QueryRowContext(ctx, stmt, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count segment: %w", err)
	}
	return n, nil
}

// SegmentProfiles lists one page of matching profiles by ascending id.
func (db *DB) SegmentProfiles(ctx context.Context, accountID string, q store.SegmentQuery, after int64, limit int) ([]store.Profile, error) {
	limit = store.Page{Limit: limit}.Norm().Limit
	stmt, args := segsql.SelectPage(dialect{}, accountID, q.Filter, q.Now, after, limit)
	out := []store.Profile{}
	err := db.segmentRows(ctx, accountID, stmt, args, segsql.DecodeAll, func(p store.Profile) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// ExportSegment streams every matching profile from one cursor; only the
// named properties leave the database.
func (db *DB) ExportSegment(ctx context.Context, accountID string, q store.SegmentQuery, props []string, fn func(store.Profile) error) error {
	stmt, args := segsql.SelectExport(dialect{}, accountID, q.Filter, q.Now, props)
	return db.segmentRows(ctx, accountID, stmt, args, segsql.DecodePicked(props), fn)
}

func (db *DB) segmentRows(ctx context.Context, accountID, stmt string, args []any, decode segsql.PropsDecoder, fn func(store.Profile) error) error {
	rows, err := db.r.QueryContext(ctx, stmt, args...)
	if err != nil {
		return fmt.Errorf("query segment: %w", err)
	}
	defer rows.Close()
	var props, ids []byte
	for rows.Next() {
		p := store.Profile{AccountID: accountID}
		var created, updated int64
		if err := rows.Scan(&p.ID, &props, &created, &updated, &ids); err != nil {
			return fmt.Errorf("scan segment profile: %w", err)
		}
		p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
		if p.Props, err = decode(props); err != nil {
			return fmt.Errorf("decode profile %d: %w", p.ID, err)
		}
		if p.Identifiers, err = segsql.DecodeIdentifierPairs(ids); err != nil {
			return fmt.Errorf("profile %d: %w", p.ID, err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read segment: %w", err)
	}
	return nil
}
