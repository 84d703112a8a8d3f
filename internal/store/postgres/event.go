package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"sluice/internal/record"
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
	var dec record.PropsDecoder
	for rows.Next() {
		var e store.Event
		if err := rows.Scan(&e.ID, &e.AccountID, &e.ProfileID, &e.ImportID, &e.Row, &e.Name, &e.Time, &ids, &props); err != nil {
			return nil, fmt.Errorf("scan event: %w", err)
		}
		if e.Identifiers, err = sqlrow.DecodeIdentifiers(ids); err != nil {
			return nil, err
		}
		if e.Props, err = dec.Decode(props); err != nil {
			return nil, fmt.Errorf("event %d: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// conds builds a WHERE clause with numbered placeholders.
type conds struct {
	where []string
	args  []any
}

func (c *conds) add(cond string, v any) {
	c.args = append(c.args, v)
	c.where = append(c.where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(c.args))))
}

// ListEvents lists an account's events, most recently imported first. An
// identifier filter finds the user's profile and lists all its events.
func (db *DB) ListEvents(ctx context.Context, accountID string, f store.EventFilter) ([]store.Event, error) {
	p := f.Norm()
	var c conds
	c.add("account_id = $?", accountID)
	if f.Identifier != "" {
		c.add(`profile_id IN (SELECT profile_id FROM identifiers WHERE account_id = $1 AND value = $?)`, f.Identifier)
	}
	if f.Name != "" {
		c.add("name = $?", f.Name)
	}
	if f.From != 0 {
		c.add("ts >= $?", f.From)
	}
	if f.To != 0 {
		c.add("ts <= $?", f.To)
	}
	if p.Before != 0 {
		c.add("id < $?", p.Before)
	}
	c.args = append(c.args, p.Limit)
	q := `SELECT ` + sqlrow.EventCols + ` FROM events WHERE ` + strings.Join(c.where, " AND ") +
		` ORDER BY id DESC LIMIT $` + strconv.Itoa(len(c.args))
	return scanEvents(db.db.QueryContext(ctx, q, c.args...))
}

// ProfileEvents lists a profile's latest events by event time.
func (db *DB) ProfileEvents(ctx context.Context, accountID string, profileID int64, limit int) ([]store.Event, error) {
	return scanEvents(db.db.QueryContext(ctx, `SELECT `+sqlrow.EventCols+` FROM events WHERE profile_id = $1 AND account_id = $2
		ORDER BY ts DESC, id DESC LIMIT $3`, profileID, accountID, limit))
}
