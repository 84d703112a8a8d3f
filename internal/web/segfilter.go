package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"sluice/internal/segment"
)

// The JSON of the conditions a row makes, keys in the filter language's order.
type propCond struct {
	Property string `json:"property"`
	Op       string `json:"op"`
	Value    any    `json:"value,omitempty"`
}

type eventCond struct {
	Event  string           `json:"event"`
	Count  map[string]int64 `json:"count,omitempty"`
	Within map[string]any   `json:"within,omitempty"`
	Where  []propCond       `json:"where,omitempty"`
}

type reachCond struct {
	Reachable string `json:"reachable"`
}

// rowsFilter is the filter the rows make: {"all"|"any": [one condition a
// filled row]}. A row that cannot make a condition gets its Error, and ok is false.
func (f *segForm) rowsFilter(props, evProps kinds) (raw []byte, ok bool) {
	conds := []any{}
	ok = true
	for _, r := range f.filled() {
		c, err := r.condition(props, evProps)
		if err != nil {
			r.Error, ok = err.Error(), false
			continue
		}
		conds = append(conds, c)
	}
	raw, err := json.Marshal(map[string]any{f.Match: conds})
	return raw, ok && err == nil
}

func (r *condRow) condition(props, evProps kinds) (any, error) {
	switch r.Kind {
	case "reachable":
		return reachCond{Reachable: r.Channel}, nil
	case "event":
		return r.eventCondition(evProps)
	}
	return propCondition(r.Prop, r.Op, r.Value, props)
}

func propCondition(name, op, text string, k kinds) (propCond, error) {
	name = strings.TrimSpace(name)
	v, err := formValue(name, text, k.of(name), segment.Op(op))
	return propCond{Property: name, Op: op, Value: v}, err
}

func (r *condRow) eventCondition(evProps kinds) (eventCond, error) {
	c := eventCond{Event: strings.TrimSpace(r.Event)}
	op, n := countOp(r.CountOp), strings.TrimSpace(r.CountN)
	switch {
	case r.Did == "didnot":
		c.Count = map[string]int64{"eq": 0}
	case n != "" || op != "gte": // a blank "at least" is the default, once
		times, err := strconv.ParseInt(n, 10, 64)
		if err != nil || times < 0 {
			return c, errors.New("how many times: write a whole number from 0, like 2")
		}
		c.Count = map[string]int64{op: times}
	}
	if d := strings.TrimSpace(r.LastDays); d != "" {
		days, err := strconv.Atoi(d)
		if err != nil {
			return c, fmt.Errorf("in the last … days: write a whole number of days, like 30, or leave it empty for any time")
		}
		c.Within = map[string]any{"lastDays": days}
	}
	if strings.TrimSpace(r.WhereProp) != "" {
		w, err := propCondition(r.WhereProp, r.WhereOp, r.WhereValue, evProps)
		if err != nil {
			return c, err
		}
		c.Where = []propCond{w}
	}
	return c, nil
}

func countOp(op string) string {
	if op == "lte" || op == "eq" {
		return op
	}
	return "gte"
}

// rowsOf shows a filter as rows, if the form can: a condition, or an
// all/any of conditions, each a property, a reachable, or an event counted
// one way (at least, at most, exactly) in the last N days or any time, with
// at most one where. ok is false for anything else (not, nested groups,
// absolute time ranges …); the page then keeps the filter as JSON.
func rowsOf(n segment.Node) (match string, rows []condRow, ok bool) {
	nodes := []segment.Node{n}
	match = "all"
	switch x := n.(type) {
	case segment.All:
		nodes = x.Nodes
	case segment.Any:
		match, nodes = "any", x.Nodes
	}
	for i, c := range nodes {
		r, ok := rowOf(c)
		if !ok {
			return "", nil, false
		}
		r.Key = strconv.Itoa(i)
		rows = append(rows, r)
	}
	return match, rows, true
}

func rowOf(n segment.Node) (condRow, bool) {
	r := condRow{Kind: "property", Op: "eq", Did: "did", CountOp: "gte"}
	switch x := n.(type) {
	case segment.Prop:
		r.Prop, r.Op, r.Value = x.Name, string(x.Op), valueText(x.Values)
	case segment.Reachable:
		r.Kind, r.Channel = "reachable", x.Channel
	case segment.Event:
		return eventRow(r, x)
	default:
		return r, false
	}
	return r, true
}

func eventRow(r condRow, e segment.Event) (condRow, bool) {
	r.Kind, r.Event = "event", e.Name
	c := e.Count
	switch {
	case c.Min == 0 && c.Max == 0:
		r.Did = "didnot"
	case c.Min == c.Max:
		r.CountOp, r.CountN = "eq", strconv.FormatInt(c.Min, 10)
	case c.Max < 0:
		r.CountN = strconv.FormatInt(c.Min, 10)
	case c.Min == 0:
		r.CountOp, r.CountN = "lte", strconv.FormatInt(c.Max, 10)
	default:
		return r, false // at least N and at most M: JSON only
	}
	if e.Within.From != nil || e.Within.To != nil || len(e.Where) > 1 {
		return r, false
	}
	if e.Within.LastDays > 0 {
		r.LastDays = strconv.Itoa(e.Within.LastDays)
	}
	if len(e.Where) == 1 {
		w := e.Where[0]
		r.WhereProp, r.WhereOp, r.WhereValue = w.Name, string(w.Op), valueText(w.Values)
	}
	return r, true
}
