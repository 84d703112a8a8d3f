package segsql

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"sluice/internal/store"
)

// Segments runs the segment statements of one dialect on a database: the
// store.Segments methods of every SQL store. Times are stored as Unix
// milliseconds in both.
type Segments struct {
	DB      *sql.DB
	Dialect Dialect
}

// CountSegment counts the account's profiles that match the filter.
func (s Segments) CountSegment(ctx context.Context, accountID string, q store.SegmentQuery) (int64, error) {
	stmt, args := Count(s.Dialect, accountID, q.Filter, q.Now)
	var n int64
	if err := s.DB.QueryRowContext(ctx, stmt, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count segment: %w", err)
	}
	return n, nil
}

// SegmentProfiles lists one page of matching profiles by ascending id.
func (s Segments) SegmentProfiles(ctx context.Context, accountID string, q store.SegmentQuery, after int64, limit int) ([]store.Profile, error) {
	limit = store.Page{Limit: limit}.Norm().Limit
	stmt, args := SelectPage(s.Dialect, accountID, q.Filter, q.Now, after, limit)
	out := []store.Profile{}
	err := s.rows(ctx, accountID, stmt, args, DecodeAll, func(p store.Profile) error {
		out = append(out, p)
		return nil
	})
	return out, err
}

// ExportSegment streams every matching profile from one cursor; only the
// named properties leave the database.
func (s Segments) ExportSegment(ctx context.Context, accountID string, q store.SegmentQuery, props []string, fn func(store.Profile) error) error {
	stmt, args := SelectExport(s.Dialect, accountID, q.Filter, q.Now, props)
	return s.rows(ctx, accountID, stmt, args, DecodePicked(props), fn)
}

// rows reads a segment statement's rows as they come (both drivers stream a
// result without buffering it whole) and hands each profile to fn.
func (s Segments) rows(ctx context.Context, accountID, stmt string, args []any, decode PropsDecoder, fn func(store.Profile) error) error {
	rows, err := s.DB.QueryContext(ctx, stmt, args...)
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
		p.CreatedAt, p.UpdatedAt = time.UnixMilli(created).UTC(), time.UnixMilli(updated).UTC()
		if p.Props, err = decode(props); err != nil {
			return fmt.Errorf("decode profile %d: %w", p.ID, err)
		}
		if p.Identifiers, err = DecodeIdentifierPairs(ids); err != nil {
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
