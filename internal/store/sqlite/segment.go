package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"sluice/internal/record"
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
	out := []store.Profile{}
	err := db.segmentRows(ctx, accountID, q, after, limit, func(p store.Profile) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// ExportSegment streams every matching profile from one cursor.
func (db *DB) ExportSegment(ctx context.Context, accountID string, q store.SegmentQuery, fn func(store.Profile) error) error {
	return db.segmentRows(ctx, accountID, q, 0, 0, fn)
}

func (db *DB) segmentRows(ctx context.Context, accountID string, q store.SegmentQuery, after int64, limit int, fn func(store.Profile) error) error {
	stmt, args := segsql.Select(dialect{}, accountID, q.Filter, q.Now, after, limit)
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
		if err := json.Unmarshal(props, &p.Props); err != nil {
			return fmt.Errorf("decode profile %d: %w", p.ID, err)
		}
		if p.Identifiers, err = decodeIdentifierPairs(ids); err != nil {
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

// decodeIdentifierPairs reads [[kind, value], …] and orders it as the API shows identifiers.
func decodeIdentifierPairs(b []byte) ([]store.Identifier, error) {
	if len(b) == 0 {
		return nil, nil
	}
	var pairs [][2]string
	if err := json.Unmarshal(b, &pairs); err != nil {
		return nil, fmt.Errorf("decode identifiers: %w", err)
	}
	out := make([]store.Identifier, len(pairs))
	for i, pr := range pairs {
		out[i] = store.Identifier{Kind: pr[0], Value: pr[1]}
	}
	slices.SortFunc(out, compareIdentifiers)
	return out, nil
}

func compareIdentifiers(a, b store.Identifier) int {
	if c := kindRank(a.Kind) - kindRank(b.Kind); c != 0 {
		return c
	}
	switch {
	case a.Value < b.Value:
		return -1
	case a.Value > b.Value:
		return 1
	}
	return 0
}

func kindRank(kind string) int {
	if i := slices.Index(record.IdentifierKinds, kind); i >= 0 {
		return i
	}
	return len(record.IdentifierKinds)
}
