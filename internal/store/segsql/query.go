package segsql

import (
	"time"

	"sluice/internal/segment"
)

// Count is the statement counting the account's profiles that match n.
func Count(d Dialect, accountID string, n segment.Node, now time.Time) (string, []any) {
	b := NewBuilder(d, now)
	acct := b.Arg(accountID)
	q := "SELECT COUNT(*) FROM profiles p WHERE p.account_id = " + acct + " AND (" + b.Where(n, acct) + ")"
	return q, b.Args()
}

// SelectPage is the statement listing the account's profiles that match n,
// by ascending id above after, at most limit. Columns: p.id, p.props (the
// whole JSON object), p.created_at, p.updated_at, identifiers (IdentifiersJSON).
func SelectPage(d Dialect, accountID string, n segment.Node, now time.Time, after int64, limit int) (string, []any) {
	b := NewBuilder(d, now)
	acct := b.Arg(accountID)
	q := "SELECT p.id, p.props, p.created_at, p.updated_at, " + d.IdentifiersJSON("p.id") +
		" FROM profiles p WHERE p.account_id = " + acct + " AND p.id > " + b.Arg(after) +
		" AND (" + b.Where(n, acct) + ") ORDER BY p.id LIMIT " + b.Arg(limit)
	return q, b.Args()
}

// SelectExport is the statement listing every profile of the account that
// matches n, by ascending id. Columns: p.id, the named properties' values as
// one JSON array (PickJSON; null where absent), p.created_at, p.updated_at, identifiers.
func SelectExport(d Dialect, accountID string, n segment.Node, now time.Time, props []string) (string, []any) {
	b := NewBuilder(d, now)
	acct := b.Arg(accountID)
	paths := make([]string, len(props))
	for i, p := range props {
		paths[i] = b.Arg(d.PathArg(p))
	}
	q := "SELECT p.id, " + d.PickJSON("p.props", paths) + ", p.created_at, p.updated_at, " + d.IdentifiersJSON("p.id") +
		" FROM profiles p WHERE p.account_id = " + acct + " AND (" + b.Where(n, acct) + ") ORDER BY p.id"
	return q, b.Args()
}
