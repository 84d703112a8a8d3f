package postgres

import (
	"strconv"
	"strings"

	"sluice/internal/store/segsql"
)

// dialect is PostgreSQL's half of segment SQL: jsonb operators on the props
// column. Texts compare byte-wise (COLLATE "C"), as in SQLite.
type dialect struct{}

func (dialect) Param(n int) string { return "$" + strconv.Itoa(n) }

// PathArg is the property name itself: jsonb's -> and ->> take a key.
func (dialect) PathArg(property string) any { return property }

func field(col, path string) string { return "(" + col + " -> " + path + "::text)" }

var jsonbTypes = map[segsql.Type]string{
	segsql.TypeNumber: "'number'",
	segsql.TypeString: "'string'",
	segsql.TypeArray:  "'array'",
}

func (dialect) IsType(col, path string, t segsql.Type) string {
	switch t {
	case segsql.TypeAny:
		return field(col, path) + " IS NOT NULL"
	case segsql.TypeTrue:
		return field(col, path) + " = 'true'::jsonb"
	case segsql.TypeFalse:
		return field(col, path) + " = 'false'::jsonb"
	}
	return "jsonb_typeof" + field(col, path) + " = " + jsonbTypes[t]
}

// Number is NULL for a value of another type: a cast of one would fail.
func (dialect) Number(col, path string) string {
	return "(CASE WHEN jsonb_typeof" + field(col, path) + " = 'number' THEN (" + col + " ->> " + path + "::text)::numeric END)"
}

func (dialect) Text(col, path string) string {
	return "((" + col + " ->> " + path + "::text) COLLATE \"C\")"
}

// DateEpoch reads "$D_<n>"; at most 18 digits, so the cast cannot overflow.
func (dialect) DateEpoch(text string) string {
	return "(CASE WHEN " + text + ` ~ '^\$D_-?[0-9]{1,18}$' THEN substr(` + text + ", 4)::bigint END)"
}

// ListHas uses jsonb's ?, true for a string element of an array (the
// caller tests that the value is an array).
func (dialect) ListHas(col, path, item string) string {
	return field(col, path) + " ? " + item + "::text"
}

func (dialect) Substring(text, sub string) string {
	return "strpos(" + text + ", " + sub + "::text) > 0"
}

func (dialect) PickJSON(col string, paths []string) string {
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = field(col, p)
	}
	return "jsonb_build_array(" + strings.Join(parts, ", ") + ")"
}

func (dialect) IdentifiersJSON(pid string) string {
	return "(SELECT jsonb_agg(jsonb_build_array(i.kind, i.value)) FROM identifiers i WHERE i.profile_id = " + pid + ")"
}
