package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"sluice/internal/store"
	"sluice/internal/store/sqlrow"
)

func scanEvents(rows *sql.Rows, err error) ([]store.Event, error) {
	if err != nil {
		return nil, fmt.Errorf("list events: %w", err)
	}
	defer rows.Close()
	out := []store.Event{}
	var ids, props []byte
	for rows.Next() {
		var e store.Event
		if err := rows.Scan(&e.ID, &e.AccountID, &e.ProfileID, &e.ImportID, &e.Row, &e.Name, &e.Time, &ids, &props); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		if e.Identifiers, err = sqlrow.DecodeIdentifiers(ids); err != nil {
			return nil, err
		}
		if err := decodeInto(props, &e.Props); err != nil {
			return nil, fmt.Errorf("decode event props: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// ListEvents lists an account's events, most recently imported first. An
// identifier filter finds the user's profile and lists all its events.
func (db *DB) ListEvents(ctx context.Context, accountID string, f store.EventFilter) ([]store.Event, error) {
	p := f.Norm()
	where := []string{"account_id = ?"}
	args := []any{accountID}
	if f.Identifier != "" {
		where = append(where, `profile_id IN (SELECT profile_id FROM identifiers WHERE account_id = ? AND value = ?)`)
		args = append(args, accountID, f.Identifier)
	}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.Name != "" {
		add("name = ?", f.Name)
	}
	if f.From != 0 {
		add("ts >= ?", f.From)
	}
	if f.To != 0 {
		add("ts <= ?", f.To)
	}
	if p.Before != 0 {
		add("id < ?", p.Before)
	}
	args = append(args, p.Limit)
	return scanEvents(db.r.QueryContext(ctx, `SELECT `+sqlrow.EventCols+` FROM events WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ?`, args...))
}

// ProfileEvents lists a profile's latest events by event time.
func (db *DB) ProfileEvents(ctx context.Context, accountID string, profileID int64, limit int) ([]store.Event, error) {
	return scanEvents(db.r.QueryContext(ctx, `SELECT `+sqlrow.EventCols+` FROM events WHERE profile_id = ? AND account_id = ?
		ORDER BY ts DESC, id DESC LIMIT ?`, profileID, accountID, limit))
}
