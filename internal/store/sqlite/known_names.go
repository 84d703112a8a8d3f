package sqlite

import (
	"context"
	"fmt"

	"sluice/internal/record"
	"sluice/internal/store"
)

// kindOfJSON maps a sampled value's json_type to a record kind (1 String,
// 2 Int, 3 Float, 4 Bool, 5 Date, 6 List; the conformance suite checks
// them); stored dates are text "$D_<epoch>".
const kindOfJSON = `CASE j.type
  WHEN 'integer' THEN 2 WHEN 'real' THEN 3 WHEN 'true' THEN 4 WHEN 'false' THEN 4 WHEN 'array' THEN 6
  WHEN 'text' THEN (CASE WHEN j.atom GLOB '$D_[0-9-]*' THEN 5 ELSE 1 END) ELSE 0 END`

// knownProfileProps reads the property names of the account's newest
// profiles: an index range of profiles(account_id, id), backwards.
const knownProfileProps = `SELECT j.key, ` + kindOfJSON + `, COUNT(*)
FROM (SELECT props FROM profiles WHERE account_id = ?1 ORDER BY id DESC LIMIT ?2) p, json_each(p.props) j
GROUP BY 1, 2`

// knownEventNames walks the distinct names of the account's events with one
// index seek each (a loose index scan of events(account_id, name, …)), so it
// costs the number of names, not the number of events.
const knownEventNames = `WITH RECURSIVE n(name) AS (
  SELECT (SELECT name FROM events WHERE account_id = ?1 ORDER BY name LIMIT 1)
  UNION ALL
  SELECT (SELECT e.name FROM events e WHERE e.account_id = ?1 AND e.name > n.name ORDER BY e.name LIMIT 1)
  FROM n WHERE n.name IS NOT NULL
)
SELECT name FROM n WHERE name IS NOT NULL LIMIT ?2`

// knownEventProps reads the property names of the latest events of one name.
const knownEventProps = `SELECT j.key, ` + kindOfJSON + `, COUNT(*)
FROM events e, json_each(e.props) j
WHERE e.id IN (SELECT x.id FROM events x WHERE x.account_id = ?1 AND x.name = ?2 ORDER BY x.ts DESC LIMIT ?3)
GROUP BY 1, 2`

// KnownNames lists the names the account's data uses, from a bounded sample.
func (db *DB) KnownNames(ctx context.Context, accountID string) (store.KnownNames, error) {
	out := store.KnownNames{Events: []string{}}
	var props, evProps store.KindTally
	if err := db.tally(ctx, &props, knownProfileProps, accountID, store.KnownProfileSample); err != nil {
		return out, fmt.Errorf("known property names: %w", err)
	}
	rows, err := db.r.QueryContext(ctx, knownEventNames, accountID, store.MaxKnownEvents)
	if err != nil {
		return out, fmt.Errorf("known event names: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return out, fmt.Errorf("scan event name: %w", err)
		}
		out.Events = append(out.Events, name)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("known event names: %w", err)
	}
	for _, name := range out.Events {
		if err := db.tally(ctx, &evProps, knownEventProps, accountID, name, store.KnownEventSample); err != nil {
			return out, fmt.Errorf("known properties of event %q: %w", name, err)
		}
	}
	out.Properties, out.EventProperties = props.Properties(), evProps.Properties()
	return out, nil
}

// tally adds the (name, kind, count) rows of a sample query to t.
func (db *DB) tally(ctx context.Context, t *store.KindTally, query string, args ...any) error {
	rows, err := db.r.QueryContext(ctx, query, args...)
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
