package postgres

import (
	"context"
	"fmt"

	"sluice/internal/record"
	"sluice/internal/store"
)

// kindOfJSON maps a sampled value's jsonb type to a record kind (1 String,
// 2 Int, 3 Float, 4 Bool, 5 Date, 6 List; the conformance suite checks
// them). jsonb has one number type: a whole number is written without a
// point or exponent. Stored dates are strings "$D_<epoch>".
const kindOfJSON = `CASE jsonb_typeof(j.value)
  WHEN 'number' THEN (CASE WHEN j.value::text ~ '[.eE]' THEN 3 ELSE 2 END)
  WHEN 'boolean' THEN 4 WHEN 'array' THEN 6
  WHEN 'string' THEN (CASE WHEN j.value #>> '{}' ~ '^\$D_-?[0-9]+$' THEN 5 ELSE 1 END) ELSE 0 END`

// knownProfileProps reads the property names of the account's newest
// profiles: an index range of profiles(account_id, id), backwards.
const knownProfileProps = `SELECT j.key, ` + kindOfJSON + `, COUNT(*)
FROM (SELECT props FROM profiles WHERE account_id = $1 ORDER BY id DESC LIMIT $2) p, jsonb_each(p.props) j
GROUP BY 1, 2`

// knownEventNames walks the distinct names of the account's events with one
// index seek each (a loose index scan of events(account_id, name, …)), so it
// costs the number of names, not the number of events.
const knownEventNames = `WITH RECURSIVE n(name) AS (
  SELECT (SELECT name FROM events WHERE account_id = $1 ORDER BY name LIMIT 1)
  UNION ALL
  SELECT (SELECT e.name FROM events e WHERE e.account_id = $1 AND e.name > n.name ORDER BY e.name LIMIT 1)
  FROM n WHERE n.name IS NOT NULL
)
SELECT name FROM n WHERE name IS NOT NULL LIMIT $2`

// knownEventProps reads the property names of the latest events of each
// of the names, in one statement.
const knownEventProps = `SELECT j.key, ` + kindOfJSON + `, COUNT(*)
FROM unnest($2::text[]) AS n(name)
CROSS JOIN LATERAL (SELECT x.props FROM events x WHERE x.account_id = $1 AND x.name = n.name ORDER BY x.ts DESC LIMIT $3) e,
jsonb_each(e.props) j
GROUP BY 1, 2`

// KnownNames lists the names the account's data uses, from a bounded sample.
func (db *DB) KnownNames(ctx context.Context, accountID string) (store.KnownNames, error) {
	out := store.KnownNames{Events: []string{}}
	var props, evProps store.KindTally
	if err := db.tally(ctx, &props, knownProfileProps, accountID, store.KnownProfileSample); err != nil {
		return out, fmt.Errorf("known property names: %w", err)
	}
	var err error
	if out.Events, err = db.eventNames(ctx, accountID); err != nil {
		return out, err
	}
	if err := db.tally(ctx, &evProps, knownEventProps, accountID, out.Events, store.KnownEventSample); err != nil {
		return out, fmt.Errorf("known event properties: %w", err)
	}
	out.Properties, out.EventProperties = props.Properties(), evProps.Properties()
	return out, nil
}

func (db *DB) eventNames(ctx context.Context, accountID string) ([]string, error) {
	rows, err := db.db.QueryContext(ctx, knownEventNames, accountID, store.MaxKnownEvents)
	if err != nil {
		return nil, fmt.Errorf("known event names: %w", err)
	}
	defer rows.Close()
	names := []string{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, fmt.Errorf("scan event name: %w", err)
		}
		names = append(names, name)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("known event names: %w", err)
	}
	return names, nil
}

// tally adds the (name, kind, count) rows of a sample query to t.
func (db *DB) tally(ctx context.Context, t *store.KindTally, query string, args ...any) error {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		var kind, n int64
		if err := rows.Scan(&name, &kind, &n); err != nil {
			return err
		}
		t.Add(name, record.Kind(kind), n)
	}
	return rows.Err()
}
