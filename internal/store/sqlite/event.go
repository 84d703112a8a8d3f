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
	q, args := listEventsQuery(accountID, f)
	return scanEvents(db.r.QueryContext(ctx, q, args...))
}

const byIdentifier = `SELECT profile_id FROM identifiers WHERE account_id = ? AND value = ?`

func listEventsQuery(accountID string, f store.EventFilter) (string, []any) {
	p := f.Norm()
	where := []string{"account_id = ?"}
	args := []any{accountID}
	if f.Identifier != "" {
		// The profile's events are few: they, not the account's, lead the search.
		where[0] = "+account_id = ?"
		where = append(where, `id IN (SELECT event_id FROM event_profiles WHERE `+inEpochs+` AND profile_id IN (`+byIdentifier+`)
			UNION ALL SELECT id FROM events WHERE `+tailEvents+` AND profile_id IN (`+byIdentifier+`))`)
		args = append(args, accountID, f.Identifier, accountID, f.Identifier)
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
	return `SELECT ` + sqlrow.EventCols + ` FROM events WHERE ` + strings.Join(where, " AND ") + ` ORDER BY id DESC LIMIT ?`, args
}

// profileEventsQuery lists a profile's latest events by event time: the
// latest of event_profiles, and the events not yet in it.
const profileEventsQuery = `SELECT ` + sqlrow.EventCols + ` FROM events WHERE +account_id = ?2 AND id IN
	(SELECT event_id FROM event_profiles WHERE ` + inEpochs + ` AND profile_id = ?1 ORDER BY ts DESC, event_id DESC LIMIT ?3)
	UNION ALL SELECT ` + sqlrow.EventCols + ` FROM events WHERE ` + tailEvents + ` AND profile_id = ?1 AND +account_id = ?2
	ORDER BY ts DESC, id DESC LIMIT ?3`

// ProfileEvents lists a profile's latest events by event time.
func (db *DB) ProfileEvents(ctx context.Context, accountID string, profileID int64, limit int) ([]store.Event, error) {
	return scanEvents(db.r.QueryContext(ctx, profileEventsQuery, profileID, accountID, limit))
}
