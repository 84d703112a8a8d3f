package sqlite

import (
	"strconv"
	"strings"

	"sluice/internal/store/segsql"
)

// dialect is SQLite's half of segment SQL: json1 functions on the props text.
type dialect struct{}

func (dialect) Param(n int) string { return "?" + strconv.Itoa(n) }

// PathArg quotes the name as one JSON path label; segment refuses names with quotes or backslashes.
func (dialect) PathArg(property string) any { return `$."` + property + `"` }

var sqliteTypes = map[segsql.Type]string{
	segsql.TypeNumber: "IN ('integer', 'real')",
	segsql.TypeString: "= 'text'",
	segsql.TypeTrue:   "= 'true'",
	segsql.TypeFalse:  "= 'false'",
	segsql.TypeArray:  "= 'array'",
}

func (dialect) IsType(col, path string, t segsql.Type) string {
	if t == segsql.TypeAny {
		return "json_type(" + col + ", " + path + ") IS NOT NULL"
	}
	return "json_type(" + col + ", " + path + ") " + sqliteTypes[t]
}

func (dialect) Number(col, path string) string { return "json_extract(" + col + ", " + path + ")" }

func (dialect) Text(col, path string) string { return "json_extract(" + col + ", " + path + ")" }

func (dialect) DateEpoch(text string) string {
	return "(CASE WHEN " + text + " GLOB '$D_[0-9]*' OR " + text + " GLOB '$D_-[0-9]*' THEN CAST(substr(" + text + ", 4) AS INTEGER) END)"
}

func (dialect) ListHas(col, path, item string) string {
	return "EXISTS (SELECT 1 FROM json_each(" + col + ", " + path + ") WHERE json_each.value = " + item + ")"
}

func (dialect) Substring(text, sub string) string { return "instr(" + text + ", " + sub + ") > 0" }

func (dialect) PickJSON(col string, paths []string) string {
	parts := make([]string, len(paths))
	for i, p := range paths {
		parts[i] = col + " -> " + p // -> keeps the JSON type, so json_array nests it as JSON
	}
	return "json_array(" + strings.Join(parts, ", ") + ")"
}

func (dialect) IdentifiersJSON(pid string) string {
	return "(SELECT json_group_array(json_array(i.kind, i.value)) FROM identifiers i WHERE i.profile_id = " + pid + ")"
}
