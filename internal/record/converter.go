package record

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"sluice/internal/manifest"
)

// Converter turns the CSV rows of one import into Rows. Everything that
// depends only on the manifest and the header is decided once, here, so
// that Convert does no lookups by name. It is safe for concurrent use.
type Converter struct {
	profile bool
	width   int // header fields
	loc     *time.Location
	cols    []column // in column order; op targets the file lacks come last
	idents  []int    // indexes into cols of the identifier columns, in identOrder
	nprops  int      // property columns, to size Props and Ops
}

// column is the plan for one CSV column.
type column struct {
	field   int    // index in the row; -1: an op target the file lacks
	csv     string // CSV header name, as messages show it
	name    string // final name (ctName, special spelling)
	role    role
	kind    colKind
	fixed   bool // "$D_…" is not a date here (Email, Phone, MSG-*)
	layout  layout
	op      int    // field of "<csv>.operation", -1 if none
	opCSV   string // that column's header name
	nameErr string // why name cannot be a property, checked once
}

// NewConverter plans the conversion of rows with this header; wall-clock
// dates are read in loc (nil: UTC). A bad header (no names, an empty or
// duplicate name, two operation columns for one column) gives a
// *HeaderError (errors.Is ErrHeader). A mapping that cannot work (two
// columns onto one name, a type the manifest should not have let through)
// gives a *manifest.Problem, told like an invalid manifest.
func NewConverter(m manifest.Manifest, header []string, loc *time.Location) (*Converter, error) {
	if m.Type != manifest.TypeEvent && m.Type != manifest.TypeProfile {
		return nil, problem(m, fmt.Sprintf("type %q must be event or profile", m.Type))
	}
	names, err := headerNames(header)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = time.UTC
	}
	c := &Converter{profile: m.Type == manifest.TypeProfile, width: len(header), loc: loc}
	if err := c.plan(m, header, names); err != nil {
		return nil, err
	}
	if err := c.index(m); err != nil {
		return nil, err
	}
	return c, nil
}

// headerNames trims the names (and a BOM the reader left on the first).
func headerNames(header []string) ([]string, error) {
	if len(header) == 0 {
		return nil, &HeaderError{Reason: "the header row is missing or empty"}
	}
	names := make([]string, len(header))
	seen := make(map[string]int, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		n := trim(h)
		if n == "" {
			return nil, &HeaderError{Reason: fmt.Sprintf("header column %d has no name", i+1)}
		}
		if j, dup := seen[n]; dup {
			return nil, &HeaderError{Reason: fmt.Sprintf("header name %q is in columns %d and %d", n, j+1, i+1)}
		}
		seen[n] = i
		names[i] = n
	}
	return names, nil
}

// plan makes a column for each header name, attaching "<col>.operation"
// columns to <col> in profile files.
func (c *Converter) plan(m manifest.Manifest, header, names []string) error {
	lookup := columnLookup(m.Columns)
	ops := operationColumns(names)
	targets := map[string]int{} // non-op names → index in c.cols
	for i, name := range names {
		if _, isOp := ops[i]; isOp {
			if !c.profile {
				c.cols = append(c.cols, column{field: i, csv: name, role: roleEventOp, op: -1})
			}
			continue
		}
		col, reason := c.column(lookup(header[i], name), name, name, i)
		if reason != "" {
			return problem(m, reason)
		}
		targets[name] = len(c.cols)
		c.cols = append(c.cols, col)
	}
	if c.profile {
		return c.attachOps(m, lookup, names, ops, targets)
	}
	return nil
}

// attachOps points each operation column at its column; an operation for a
// column the file lacks gets a target whose value is always empty (so only
// $delete does something there).
func (c *Converter) attachOps(m manifest.Manifest, lookup func(string, string) manifest.Column,
	names []string, ops map[int]string, targets map[string]int) error {
	fields := make([]int, 0, len(ops))
	for f := range ops {
		fields = append(fields, f)
	}
	sort.Ints(fields) // virtual targets in column order
	for _, f := range fields {
		base := ops[f]
		i, ok := targets[base]
		if !ok {
			col, reason := c.column(lookup(base, base), names[f], base, -1)
			if reason != "" {
				return problem(m, reason)
			}
			i = len(c.cols)
			targets[base] = i
			c.cols = append(c.cols, col)
		}
		if c.cols[i].op >= 0 {
			return &HeaderError{Reason: fmt.Sprintf("columns %q and %q both give the operation of %q", c.cols[i].opCSV, names[f], base)}
		}
		c.cols[i].op, c.cols[i].opCSV = f, names[f]
	}
	return nil
}

// column plans one column: its final name (ctName, else name), what it is
// for and its type. csv is the header name messages show.
func (c *Converter) column(mc manifest.Column, csv, name string, field int) (column, string) {
	col := column{field: field, csv: csv, name: name, op: -1}
	kind, lay, reason := kindOf(mc, csv)
	if reason != "" {
		return col, reason
	}
	col.kind, col.layout = kind, lay
	if n := trim(mc.CTName); n != "" {
		col.name = n
	}
	if sp, ok := c.special(col.name); ok {
		col.name, col.role = sp.name, sp.role
		if sp.role != roleTS {
			col.layout = layoutNone
		}
		if sp.role == roleProp {
			col.kind, col.fixed = sp.kind, sp.fixed
		}
	}
	if col.role == roleTS && col.kind != kDate {
		col.layout = layoutNone // ts is epoch seconds unless declared DATE
	}
	if col.role == roleProp {
		col.nameErr = nameProblem(col.name, csv, c.profile)
	}
	return col, ""
}

// special finds a fixed-meaning name; evtName means nothing in profiles.
func (c *Converter) special(name string) (special, bool) {
	sp, ok := specials[strings.ToLower(name)]
	if ok && sp.role == roleEvtName && c.profile {
		return special{}, false
	}
	return sp, ok
}
