package segment

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"sluice/internal/record"
)

func (p *parser) prop(obj map[string]any, path string) (Prop, error) {
	if err := onlyFields(obj, path, "a property condition", "property", "op", "value"); err != nil {
		return Prop{}, err
	}
	name, err := propName(obj["property"], path+".property")
	if err != nil {
		return Prop{}, err
	}
	op, err := parseOp(obj, path)
	if err != nil {
		return Prop{}, err
	}
	v, has := obj["value"]
	vals, err := opValues(op, v, has, path)
	if err != nil {
		return Prop{}, err
	}
	if p.values += len(vals); p.values > MaxValues {
		return Prop{}, errAt(path+".value", "a filter holds at most %d values in all", MaxValues)
	}
	return Prop{Name: name, Op: op, Values: vals}, nil
}

func propName(v any, path string) (string, error) {
	s, ok := v.(string)
	switch {
	case !ok:
		return "", errAt(path, "expected a property name, got %s", describe(v))
	case s == "":
		return "", errAt(path, "the property name is empty")
	case utf8.RuneCountInString(s) > MaxNameLen:
		return "", errAt(path, "a property name has at most %d characters", MaxNameLen)
	case strings.ContainsAny(s, record.BadNameChars):
		return "", errAt(path, "a property name cannot hold any of %s", record.BadNameChars)
	}
	return record.CanonicalProperty(s), nil // special names match as the import stores them
}

func parseOp(obj map[string]any, path string) (Op, error) {
	raw, ok := obj["op"]
	if !ok {
		return "", errAt(path, "missing \"op\" (one of %s)", opNames())
	}
	s, ok := raw.(string)
	if !ok {
		return "", errAt(path+".op", "expected one of %s, got %s", opNames(), describe(raw))
	}
	for _, op := range Ops {
		if string(op) == s {
			return op, nil
		}
	}
	return "", errAt(path+".op", "%q is not one of %s", truncate(s, 40), opNames())
}

func opNames() string {
	names := make([]string, len(Ops))
	for i, op := range Ops {
		names[i] = string(op)
	}
	return strings.Join(names, ", ")
}

// opValues checks the value against what op takes.
func opValues(op Op, v any, has bool, path string) ([]Value, error) {
	if op == OpExists || op == OpNotExists {
		if has {
			return nil, errAt(path+".value", "%s takes no value", op)
		}
		return nil, nil
	}
	if !has {
		return nil, errAt(path, "missing \"value\" for %s", op)
	}
	path += ".value"
	switch op {
	case OpIn:
		return inValues(v, path)
	case OpBetween:
		return betweenValues(v, path)
	case OpContains:
		s, ok := v.(string)
		if !ok || s == "" || len(s) > MaxTextLen {
			return nil, errAt(path, "contains needs a non-empty string of at most %d bytes, got %s", MaxTextLen, describe(v))
		}
		return []Value{{Kind: KindString, Str: s}}, nil
	}
	val, err := scalar(v, path)
	if err != nil {
		return nil, err
	}
	if val.Kind == KindBool && op != OpEq && op != OpNe {
		return nil, errAt(path, "%s needs a number, a date or a string, got %s", op, describe(v))
	}
	return []Value{val}, nil
}

func inValues(v any, path string) ([]Value, error) {
	items, ok := v.([]any)
	if !ok || len(items) == 0 || len(items) > MaxInValues {
		return nil, errAt(path, "in needs an array of 1 to %d values, got %s", MaxInValues, describeLen(v))
	}
	vals := make([]Value, len(items))
	for i, it := range items {
		val, err := scalar(it, path+"["+strconv.Itoa(i)+"]")
		if err != nil {
			return nil, err
		}
		vals[i] = val
	}
	return vals, nil
}

func betweenValues(v any, path string) ([]Value, error) {
	items, ok := v.([]any)
	if !ok || len(items) != 2 {
		return nil, errAt(path, "between needs [low, high], two numbers or two dates; got %s", describeLen(v))
	}
	lo, err := scalar(items[0], path+"[0]")
	if err != nil {
		return nil, err
	}
	hi, err := scalar(items[1], path+"[1]")
	if err != nil {
		return nil, err
	}
	switch {
	case lo.IsNumber() && hi.IsNumber():
		if num(lo) > num(hi) {
			return nil, errAt(path, "low %s is above high %s", items[0], items[1])
		}
	case lo.Kind == KindDate && hi.Kind == KindDate:
		if lo.Int > hi.Int {
			return nil, errAt(path, "low %s is after high %s", lo.Str, hi.Str)
		}
	default:
		return nil, errAt(path, "between needs two numbers or two dates (RFC 3339 or $D_<epoch>), got %s and %s",
			describe(items[0]), describe(items[1]))
	}
	return []Value{lo, hi}, nil
}

func num(v Value) float64 {
	if v.Kind == KindInt {
		return float64(v.Int)
	}
	return v.Float
}

func describeLen(v any) string {
	if a, ok := v.([]any); ok {
		return "an array of " + strconv.Itoa(len(a))
	}
	return describe(v)
}

// scalar reads one value: a string (a date if it reads as one), a number or a boolean.
func scalar(v any, path string) (Value, error) {
	switch x := v.(type) {
	case string:
		if len(x) > MaxTextLen {
			return Value{}, errAt(path, "a string value has at most %d bytes", MaxTextLen)
		}
		if epoch, ok := ParseDate(x); ok {
			return Value{Kind: KindDate, Str: x, Int: epoch}, nil
		}
		return Value{Kind: KindString, Str: x}, nil
	case json.Number:
		return number(x, path)
	case bool:
		return Value{Kind: KindBool, Bool: x}, nil
	}
	return Value{}, errAt(path, "expected a string, a number or a boolean, got %s", describe(v))
}

// number normalises: whole numbers that fit exactly are ints, others floats.
func number(n json.Number, path string) (Value, error) {
	if i, err := n.Int64(); err == nil {
		return Value{Kind: KindInt, Int: i}, nil
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return Value{}, errAt(path, "the number %s is out of range", truncate(string(n), 40))
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return Value{Kind: KindInt, Int: int64(f)}, nil
	}
	return Value{Kind: KindFloat, Float: f}, nil
}

// ParseDate reads a date as a filter accepts it: an RFC 3339 time, or
// "$D_<epoch seconds>" as stored. It returns epoch seconds.
func ParseDate(s string) (int64, bool) {
	if rest, ok := strings.CutPrefix(s, "$D_"); ok {
		n, err := strconv.ParseInt(rest, 10, 64)
		return n, err == nil
	}
	if len(s) < len("2006-01-02T15:04:05Z") || s[4] != '-' {
		return 0, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, false
	}
	return t.Unix(), true
}
