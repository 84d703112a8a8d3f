package segsql

import (
	"strings"

	"sluice/internal/segment"
)

// Prop is the condition that the JSON object in col satisfies p. Values are
// typed: a number only matches stored numbers, a date only stored dates
// (compared by epoch), a string only stored strings, a boolean only booleans.
func (b *Builder) Prop(col string, p segment.Prop) string {
	path := b.Arg(b.d.PathArg(p.Name))
	leaf := "COALESCE(" + b.cond(col, path, p) + ", FALSE)"
	if p.Op == segment.OpNe || p.Op == segment.OpNotExists {
		return "NOT " + leaf
	}
	return leaf
}

var compareOps = map[segment.Op]string{
	segment.OpEq: "=", segment.OpNe: "=", // ne is NOT eq
	segment.OpGt: ">", segment.OpGte: ">=", segment.OpLt: "<", segment.OpLte: "<=",
}

func (b *Builder) cond(col, path string, p segment.Prop) string {
	switch p.Op {
	case segment.OpIn:
		return b.in(col, path, p.Values)
	case segment.OpBetween:
		return b.between(col, path, p.Values[0], p.Values[1])
	case segment.OpContains:
		return b.contains(col, path, p.Values[0].Str)
	case segment.OpExists, segment.OpNotExists:
		return b.d.IsType(col, path, TypeAny)
	}
	return b.compare(col, path, compareOps[p.Op], p.Values[0])
}

// typed is "value test AND type test": the value test comes first, so that
// the rows it rejects (most, usually) skip the second JSON call.
func typed(valueTest, typeTest string) string { return valueTest + " AND " + typeTest }

func (b *Builder) compare(col, path, sym string, v segment.Value) string {
	switch v.Kind {
	case segment.KindBool:
		if v.Bool {
			return b.d.IsType(col, path, TypeTrue)
		}
		return b.d.IsType(col, path, TypeFalse)
	case segment.KindInt, segment.KindFloat:
		return typed(b.d.Number(col, path)+" "+sym+" "+b.Arg(number(v)), b.d.IsType(col, path, TypeNumber))
	case segment.KindDate:
		return typed(b.date(col, path)+" "+sym+" "+b.Arg(v.Int), b.d.IsType(col, path, TypeString))
	}
	return typed(b.d.Text(col, path)+" "+sym+" "+b.Arg(v.Str), b.d.IsType(col, path, TypeString))
}

func number(v segment.Value) any {
	if v.Kind == segment.KindInt {
		return v.Int
	}
	return v.Float
}

func (b *Builder) date(col, path string) string {
	return b.d.DateEpoch(b.d.Text(col, path))
}

// in groups the values by type, so that a long list is one IN per type
// (an OR chain of a thousand terms would be too deep for SQLite).
func (b *Builder) in(col, path string, vals []segment.Value) string {
	var nums, strs, dates, bools []string
	for _, v := range vals {
		switch v.Kind {
		case segment.KindInt, segment.KindFloat:
			nums = append(nums, b.Arg(number(v)))
		case segment.KindDate:
			dates = append(dates, b.Arg(v.Int))
		case segment.KindBool:
			bools = append(bools, "("+b.compare(col, path, "=", v)+")")
		default:
			strs = append(strs, b.Arg(v.Str))
		}
	}
	parts := bools
	if len(nums) > 0 {
		parts = append(parts, "("+typed(b.d.Number(col, path)+" IN ("+strings.Join(nums, ", ")+")", b.d.IsType(col, path, TypeNumber))+")")
	}
	if len(strs) > 0 {
		parts = append(parts, "("+typed(b.d.Text(col, path)+" IN ("+strings.Join(strs, ", ")+")", b.d.IsType(col, path, TypeString))+")")
	}
	if len(dates) > 0 {
		parts = append(parts, "("+typed(b.date(col, path)+" IN ("+strings.Join(dates, ", ")+")", b.d.IsType(col, path, TypeString))+")")
	}
	return strings.Join(parts, " OR ")
}

func (b *Builder) between(col, path string, lo, hi segment.Value) string {
	if lo.Kind == segment.KindDate {
		return typed(b.date(col, path)+" BETWEEN "+b.Arg(lo.Int)+" AND "+b.Arg(hi.Int), b.d.IsType(col, path, TypeString))
	}
	return typed(b.d.Number(col, path)+" BETWEEN "+b.Arg(number(lo))+" AND "+b.Arg(number(hi)), b.d.IsType(col, path, TypeNumber))
}

// contains is membership for a multi-value list, a substring test for a string.
func (b *Builder) contains(col, path, s string) string {
	item := b.Arg(s)
	text := b.d.Substring(b.d.Text(col, path), item)
	list := b.d.IsType(col, path, TypeArray) + " AND " + b.d.ListHas(col, path, item)
	if verbatimInJSON(s) {
		// Cheap necessary condition first: such an item appears as is in the list's JSON text.
		list = text + " AND " + list
	}
	return "(" + list + ") OR (" + typed(text, b.d.IsType(col, path, TypeString)) + ")"
}

// verbatimInJSON reports whether no JSON encoder escapes s: printable ASCII
// without quote, backslash and the HTML characters Go escapes (< > &).
func verbatimInJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
