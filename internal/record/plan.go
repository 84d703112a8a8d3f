package record

import (
	"fmt"
	"strings"

	"sluice/internal/manifest"
)

// kindOf maps a column's declared type. Manifests from manifest.Parse are
// already checked; hand-built ones are normalized the same way.
func kindOf(mc manifest.Column, csv string) (colKind, layout, string) {
	dt, ok := manifest.NormalizeDataType(mc.DataType)
	if !ok {
		return 0, 0, fmt.Sprintf("dataType %q of column %q is not one of %s", mc.DataType, csv, strings.Join(manifest.DataTypes, ", "))
	}
	switch dt {
	case manifest.DataInteger:
		return kInt32, 0, ""
	case manifest.DataLong:
		return kInt64, 0, ""
	case manifest.DataFloat:
		return kFloat, 0, ""
	case manifest.DataBoolean:
		return kBool, 0, ""
	case manifest.DataDate:
		f, _ := manifest.NormalizeDateFormat(mc.DateFormat)
		if l, ok := layouts[f]; ok {
			return kDate, l, ""
		}
		return 0, 0, fmt.Sprintf("dateFormat %q of column %q is not one of %s", mc.DateFormat, csv, strings.Join(manifest.DateFormats, ", "))
	}
	return kString, 0, ""
}

// columnLookup finds a header's mapping: by the exact header text, then by
// the trimmed name, then by a manifest key that trims to it (if only one does).
func columnLookup(cols map[string]manifest.Column) func(raw, name string) manifest.Column {
	trimmed := make(map[string]manifest.Column, len(cols))
	ambiguous := map[string]bool{}
	for k, v := range cols {
		t := trim(k)
		if _, dup := trimmed[t]; dup {
			ambiguous[t] = true
		}
		trimmed[t] = v
	}
	return func(raw, name string) manifest.Column {
		if c, ok := cols[raw]; ok {
			return c
		}
		if c, ok := cols[name]; ok {
			return c
		}
		if ambiguous[name] {
			return manifest.Column{}
		}
		return trimmed[name]
	}
}

// operationColumns finds "<col>.operation" columns (suffix in any case):
// field → <col>.
func operationColumns(names []string) map[int]string {
	const suffix = ".operation"
	ops := map[int]string{}
	for i, n := range names {
		if len(n) > len(suffix) && strings.EqualFold(n[len(n)-len(suffix):], suffix) {
			ops[i] = n[:len(n)-len(suffix)]
		}
	}
	return ops
}

// index checks that no two columns end up with one name, sorts the
// identifier columns and counts the property columns.
func (c *Converter) index(m manifest.Manifest) error {
	byName := make(map[string]string, len(c.cols))
	for i, col := range c.cols {
		if col.role == roleEventOp {
			continue
		}
		if other, dup := byName[col.name]; dup {
			return problem(m, fmt.Sprintf("columns %q and %q both map to %q", other, col.csv, col.name))
		}
		byName[col.name] = col.csv
		switch col.role {
		case roleIdent:
			c.idents = append(c.idents, i)
		case roleProp:
			c.nprops++
		}
	}
	sortByIdentOrder(c.idents, c.cols)
	return nil
}

func sortByIdentOrder(idx []int, cols []column) {
	for i := 1; i < len(idx); i++ { // at most four: insertion sort
		for j := i; j > 0 && identOrder[cols[idx[j]].name] < identOrder[cols[idx[j-1]].name]; j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

// problem is a mapping that cannot work, told like a manifest problem.
func problem(m manifest.Manifest, reason string) *manifest.Problem {
	p := &manifest.Problem{Reason: reason, Type: m.Type, FileName: m.FileName}
	if manifest.ValidEmail(m.ClientEmail) {
		p.ClientEmail, p.SendMail = m.ClientEmail, true
	}
	return p
}

// IdentifierColumns is how many columns of the file hold identifiers: with
// one, no row can join two identifiers.
func (c *Converter) IdentifierColumns() int { return len(c.idents) }
