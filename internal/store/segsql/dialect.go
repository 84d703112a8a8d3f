// Package segsql turns a segment filter into SQL over the store schema
// (profiles p, events e, identifiers), for every SQL store. What differs
// between databases (JSON access, placeholders, casts) is a Dialect: the
// SQLite store and the PostgreSQL store each write one, the rest is shared.
//
// Shape of the SQL: property conditions read the props JSON of the row;
// event conditions are sets of profile ids taken from events through the
// (account_id, name, ts) index, grouped and counted when a count asks for it:
//
//	p.id IN     (SELECT e.profile_id FROM events e WHERE e.account_id = ? AND e.name = ? AND e.ts >= ? …)      did at least once
//	p.id IN     (… GROUP BY e.profile_id HAVING COUNT(*) >= ? [AND COUNT(*) <= ?])                             at least N (and at most M)
//	p.id NOT IN (…)                                                                                          did not do
//	p.id NOT IN (… GROUP BY e.profile_id HAVING COUNT(*) > ?)                                                 at most M
//
// Within a leaf the value comparison comes before the type test, so that the
// rows it rejects skip a second JSON call (SQLite does not share the parse).
// Every condition is two-valued (leaves are wrapped in COALESCE(…, FALSE)),
// so NOT and ne are exact complements.
package segsql

// Type is a JSON type a condition tests for.
type Type uint8

// The JSON types of stored values. TypeAny is "present, whatever its type".
const (
	TypeAny Type = iota
	TypeNumber
	TypeString // dates are strings "$D_<epoch>"
	TypeTrue
	TypeFalse
	TypeArray
)

// Dialect writes the SQL fragments that differ between databases. Arguments
// arrive as placeholders the Builder already bound; a fragment may repeat a
// placeholder. col is a JSON column (p.props, e.props); path is the
// placeholder bound to PathArg(property).
type Dialect interface {
	// Param is the placeholder of the n-th argument (1-based); it may be used more than once.
	Param(n int) string
	// PathArg is the argument that names a property for the JSON functions.
	// Names are validated by package segment: no quotes, backslashes or dots.
	PathArg(property string) any
	// IsType is a condition: the value at path is present and of type t. It may be NULL when absent.
	IsType(col, path string, t Type) string
	// Number is the value at path as a number. It is read before the type
	// test (which then rejects other types), so it must not fail on a value
	// of another type: give any value or NULL (PostgreSQL: CASE on jsonb_typeof).
	Number(col, path string) string
	// Text is the value at path as text (an array: its JSON text); read
	// before the type test like Number, so it must not fail on any type.
	Text(col, path string) string
	// DateEpoch is the epoch seconds of a text "$D_<n>", NULL for any other text.
	DateEpoch(text string) string
	// ListHas is a condition: the JSON array at path holds the string item.
	ListHas(col, path, item string) string
	// Substring is a condition: text contains sub (case-sensitive).
	Substring(text, sub string) string
	// PickJSON is an expression: a JSON array of the values at paths, in
	// order, JSON null where absent (an empty array for no paths).
	PickJSON(col string, paths []string) string
	// IdentifiersJSON is an expression: the identifiers of profile pid as a
	// JSON array of [kind, value] pairs, in any order; NULL or [] if none.
	IdentifiersJSON(pid string) string
}
