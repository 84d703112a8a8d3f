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
	stmt, args := segsql.SelectPage(dialect{}, accountID, q.Filter, q.Now, after, limit)
	out := []store.Profile{}
	err := db.segmentRows(ctx, accountID, stmt, args, decodeAll, func(p store.Profile) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// ExportSegment streams every matching profile from one cursor; only the
// named properties leave the database.
func (db *DB) ExportSegment(ctx context.Context, accountID string, q store.SegmentQuery, props []string, fn func(store.Profile) error) error {
	stmt, args := segsql.SelectExport(dialect{}, accountID, q.Filter, q.Now, props)
	return db.segmentRows(ctx, accountID, stmt, args, decodePicked(props), fn)
}

// propsDecoder reads the props column of a segment statement.
type propsDecoder func(b []byte) (record.Props, error)

func decodeAll(b []byte) (record.Props, error) {
	var p record.Props
	err := json.Unmarshal(b, &p)
	return p, err
}

// decodePicked reads the JSON array of PickJSON: names[i]'s value or null.
func decodePicked(names []string) propsDecoder {
	return func(b []byte) (record.Props, error) {
		var raw []json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil || len(raw) != len(names) {
			return nil, fmt.Errorf("picked properties %.100s: %v", b, err)
		}
		out := make(record.Props, len(names))
		for i, r := range raw {
			if string(r) == "null" {
				continue
			}
			var v record.Value
			if err := v.UnmarshalJSON(r); err != nil {
				return nil, fmt.Errorf("property %s: %w", names[i], err)
			}
			out[names[i]] = v
		}
		return out, nil
	}
}

func (db *DB) segmentRows(ctx context.Context, accountID, stmt string, args []any, decode propsDecoder, fn func(store.Profile) error) error {
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
