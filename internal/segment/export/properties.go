package export

import (
	"slices"
	"strings"

	"sluice/internal/errs"
	"sluice/internal/record"
)

// ParseProperties reads a comma-separated list of property names ("a,b");
// empty gives none. Names are trimmed; duplicates, identifier column names
// and names a property cannot have are refused.
func ParseProperties(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	return CheckProperties(strings.Split(s, ","))
}

// CheckProperties validates a list of property names for the export columns.
func CheckProperties(names []string) ([]string, error) {
	if len(names) > MaxProperties {
		return nil, errs.E(errs.Invalid, "properties: at most %d columns", MaxProperties)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			return nil, errs.E(errs.Invalid, "properties: an empty name; give names separated by commas, like Age,City")
		case len(n) > record.MaxNameChars || strings.ContainsAny(n, record.BadNameChars):
			return nil, errs.E(errs.Invalid, "properties: %q is not a property name", n)
		case slices.Contains(record.IdentifierKinds, n):
			return nil, errs.E(errs.Invalid, "properties: %q is an identifier column, always exported", n)
		case slices.Contains(out, n):
			return nil, errs.E(errs.Invalid, "properties: %q is given twice", n)
		}
		out = append(out, n)
	}
	return out, nil
}
