package segment

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Error is a refused filter. Path names the offending part as a JSON path
// from the filter's root, e.g. filter.all[2].count.
type Error struct {
	Path string
	Msg  string
}

func (e *Error) Error() string { return e.Path + ": " + e.Msg }

func errAt(path, format string, args ...any) error {
	return &Error{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// Root is the path of a filter's root in error messages.
const Root = "filter"

// Parse reads and validates a filter. A refused filter is an *Error.
func Parse(data []byte) (Node, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errAt(Root, "not valid JSON: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errAt(Root, "unexpected data after the filter")
	}
	return ParseValue(v)
}

// ParseValue validates a filter already decoded from JSON (numbers as json.Number).
func ParseValue(v any) (Node, error) {
	var p parser
	return p.node(v, Root, 1)
}

// parser carries the count of conditions across one filter.
type parser struct {
	conds  int
	values int
}

// kindKeys are the keys that say what a condition is; a condition has exactly one.
var kindKeys = []string{"property", "event", "all", "any", "not", "reachable"}

func (p *parser) node(v any, path string, depth int) (Node, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errAt(path, "expected a condition: an object with one of %s; got %s", quoteAll(kindKeys), describe(v))
	}
	kind, err := conditionKind(obj, path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case "all", "any", "not":
		return p.group(obj, kind, path, depth)
	case "property":
		if err := p.count(path); err != nil {
			return nil, err
		}
		return p.prop(obj, path)
	case "event":
		if err := p.count(path); err != nil {
			return nil, err
		}
		return p.event(obj, path)
	default:
		if err := p.count(path); err != nil {
			return nil, err
		}
		return reachable(obj, path)
	}
}

func (p *parser) count(path string) error {
	p.conds++
	if p.conds > MaxConditions {
		return errAt(path, "a filter holds at most %d conditions", MaxConditions)
	}
	return nil
}

func conditionKind(obj map[string]any, path string) (string, error) {
	var found []string
	for _, k := range kindKeys {
		if _, ok := obj[k]; ok {
			found = append(found, k)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if len(obj) > 0 {
			k := sortedKeys(obj)[0]
			return "", errAt(path+"."+k, "unknown field %q; a condition has one of %s", k, quoteAll(kindKeys))
		}
		return "", errAt(path, "empty condition; a condition has one of %s", quoteAll(kindKeys))
	default:
		return "", errAt(path, "a condition has one of %s, this one has both %q and %q", quoteAll(kindKeys), found[0], found[1])
	}
}

func (p *parser) group(obj map[string]any, kind, path string, depth int) (Node, error) {
	article := "an "
	if kind == "not" {
		article = "a "
	}
	if err := onlyFields(obj, path, article+kind+" condition", kind); err != nil {
		return nil, err
	}
	path += "." + kind
	if depth > MaxDepth {
		return nil, errAt(path, "nested deeper than %d levels of all/any/not", MaxDepth)
	}
	if kind == "not" {
		n, err := p.node(obj[kind], path, depth+1)
		return Not{Node: n}, err
	}
	items, ok := obj[kind].([]any)
	if !ok {
		return nil, errAt(path, "expected an array of conditions, got %s", describe(obj[kind]))
	}
	if kind == "any" && len(items) == 0 {
		return nil, errAt(path, "expected at least one condition")
	}
	nodes := make([]Node, 0, len(items))
	for i, it := range items {
		n, err := p.node(it, path+"["+strconv.Itoa(i)+"]", depth+1)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	if kind == "any" {
		return Any{Nodes: nodes}, nil
	}
	return All{Nodes: nodes}, nil
}

func reachable(obj map[string]any, path string) (Node, error) {
	if err := onlyFields(obj, path, "a reachable condition", "reachable"); err != nil {
		return nil, err
	}
	s, ok := obj["reachable"].(string)
	if !ok {
		return nil, errAt(path+".reachable", "expected a channel name (one of %s), got %s", channelNames(), describe(obj["reachable"]))
	}
	if _, ok := channelNamed(s); !ok {
		return nil, errAt(path+".reachable", "%q is not one of %s", s, channelNames())
	}
	return Reachable{Channel: s}, nil
}

// onlyFields refuses any key of obj not in allowed; what names the object in the message.
func onlyFields(obj map[string]any, path, what string, allowed ...string) error {
	for _, k := range sortedKeys(obj) {
		if !slices.Contains(allowed, k) {
			return errAt(path+"."+k, "unknown field %q; %s has %s", k, what, strings.Join(allowed, ", "))
		}
	}
	return nil
}

func sortedKeys(obj map[string]any) []string {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func quoteAll(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// describe names the JSON type of v for messages.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "the string " + strconv.Quote(truncate(x, 40))
	case json.Number:
		return "the number " + truncate(string(x), 40)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "an array"
	default:
		return "an object"
	}
}

// truncate shortens s to at most n runes for a message.
func truncate(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}
