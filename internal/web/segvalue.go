package web

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"sluice/internal/record"
	"sluice/internal/segment"
	"sluice/internal/store"
)

// kinds maps property names to the kind their values mostly have, from the
// account's known names; the form turns what is typed into a value of that
// kind, so "21" is the number 21 for Age and the text "21" for a ZIP code.
type kinds map[string]record.Kind

func kindsOf(ps []store.KnownProperty) kinds {
	k := make(kinds, len(ps))
	for _, p := range ps {
		k[p.Name] = p.Kind
	}
	return k
}

// of is the kind of a property; special names (Email, MSG-sms …) match
// ignoring case, as filters match them. 0 when unknown.
func (k kinds) of(name string) record.Kind {
	if kind, ok := k[name]; ok {
		return kind
	}
	return k[record.CanonicalProperty(name)]
}

// formValue turns the text typed for op into the filter's JSON value: one
// value, a list for "in", two for "between", none for exists/notExists.
func formValue(name, text string, kind record.Kind, op segment.Op) (any, error) {
	switch op {
	case segment.OpExists, segment.OpNotExists:
		return nil, nil
	case segment.OpContains:
		return text, nil
	case segment.OpIn, segment.OpBetween:
		parts := strings.Split(text, ",")
		if op == segment.OpBetween && len(parts) != 2 {
			return nil, fmt.Errorf("“between” needs two values separated by a comma, like 18, 30")
		}
		out := make([]any, len(parts))
		for i, p := range parts {
			v, err := scalarValue(name, strings.TrimSpace(p), kind)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return scalarValue(name, text, kind)
}

// scalarValue reads one typed value as the property's kind, or, for a
// property the sample has not seen, as what it looks like: true/false, a
// number, else text.
func scalarValue(name, text string, kind record.Kind) (any, error) {
	t := strings.TrimSpace(text)
	switch kind {
	case record.KindInt, record.KindFloat:
		if n, ok := number(t); ok {
			return n, nil
		}
		return nil, fmt.Errorf("%s holds numbers; “%s” is not a number", name, text)
	case record.KindBool:
		if l := strings.ToLower(t); l == "true" || l == "false" {
			return l == "true", nil
		}
		return nil, fmt.Errorf("%s holds true or false, not “%s”", name, text)
	case record.KindDate:
		if d, ok := dateValue(t); ok {
			return d, nil
		}
		return nil, fmt.Errorf("%s holds dates; write one like 2026-01-31 or 2026-01-31T09:30:00Z, not “%s”", name, text)
	case record.KindString, record.KindList:
		return text, nil
	}
	if t == "true" || t == "false" {
		return t == "true", nil
	}
	if n, ok := number(t); ok {
		return n, nil
	}
	return text, nil
}

// number accepts a JSON number as typed.
func number(t string) (json.Number, bool) {
	if t == "" || !(t[0] == '-' || (t[0] >= '0' && t[0] <= '9')) || !json.Valid([]byte(t)) {
		return "", false
	}
	return json.Number(t), true
}

// dateValue accepts RFC 3339, or a day (2026-01-31) meaning its midnight UTC.
func dateValue(t string) (string, bool) {
	if _, ok := segment.ParseDate(t); ok {
		return t, true
	}
	if d, err := time.Parse(time.DateOnly, t); err == nil {
		return d.Format(time.RFC3339), true
	}
	return "", false
}

// valueText is a filter value as the form shows it.
func valueText(vals []segment.Value) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch v.Kind {
		case segment.KindInt:
			parts[i] = strconv.FormatInt(v.Int, 10)
		case segment.KindFloat:
			parts[i] = strconv.FormatFloat(v.Float, 'g', -1, 64)
		case segment.KindBool:
			parts[i] = strconv.FormatBool(v.Bool)
		default:
			parts[i] = v.Str
		}
	}
	return strings.Join(parts, ", ")
}
