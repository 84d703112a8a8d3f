package segsql

import (
	"sluice/internal/segment"
	"time"
)

// ProfileColumns are the columns Select returns, in order: the profile id,
// its props JSON, created_at, updated_at, and its identifiers (IdentifiersJSON).
const ProfileColumns = "p.id, p.props, p.created_at, p.updated_at, "

// Count is the statement counting the account's profiles that match n.
func Count(d Dialect, accountID string, n segment.Node, now time.Time) (string, []any) {
	b := NewBuilder(d, now)
	acct := b.Arg(accountID)
	q := "SELECT COUNT(*) FROM profiles p WHERE p.account_id = " + acct + " AND (" + b.Where(n, acct) + ")"
	return q, b.Args()
}

// Select is the statement listing the account's profiles that match n, by
// ascending id above after, at most limit of them (limit ≤ 0: all).
func Select(d Dialect, accountID string, n segment.Node, now time.Time, after int64, limit int) (string, []any) {
	b := NewBuilder(d, now)
	acct := b.Arg(accountID)
	q := "SELECT " + ProfileColumns + d.IdentifiersJSON("p.id") + " FROM profiles p WHERE p.account_id = " + acct +
		" AND p.id > " + b.Arg(after) + " AND (" + b.Where(n, acct) + ") ORDER BY p.id"
	if limit > 0 {
		q += " LIMIT " + b.Arg(limit)
	}
	return q, b.Args()
}
