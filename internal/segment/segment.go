// Package segment is the filter language of segments (SPEC section 10): a
// JSON tree of conditions on an account's profile properties and events,
// parsed and validated into typed nodes. It is pure code: the stores turn a
// tree into SQL (see store/segsql), nothing here does I/O.
//
// Every condition is either true or false for a profile, never unknown: an
// absent property makes eq, gt, contains … false, and ne, notExists true.
// ne is exactly "not eq", and not negates exactly.
package segment

import (
	"time"

	"sluice/internal/record"
)

// Limits on one filter, so that the SQL a filter becomes stays small.
const (
	MaxDepth      = 10   // levels of nested all / any / not
	MaxConditions = 200  // property and event conditions in one filter, where-conditions included
	MaxInValues   = 1000 // values of one in
	MaxValues     = 5000 // values in one filter, all in-lists together
	MaxWhere      = 20   // property conditions in one event condition's where
	MaxLastDays   = 36500
	MaxCount      = 1_000_000_000
	MaxTextLen    = 1024                // a string value, an event name
	MaxNameLen    = record.MaxNameChars // a property name (as the import allows)
)

// Node is one condition of a filter: All, Any, Not, Prop, Event or Reachable.
type Node interface {
	isNode()
}

// All holds when every node holds; an empty All holds for every profile.
type All struct{ Nodes []Node }

// Any holds when at least one node holds; it is never empty.
type Any struct{ Nodes []Node }

// Not holds when its node does not.
type Not struct{ Node Node }

// Prop is a condition on one property of a profile (or, in Event.Where, of an event).
type Prop struct {
	Name   string
	Op     Op
	Values []Value // none for exists/notExists, two for between, one or more for in, one otherwise
}

// Event holds for a profile whose events named Name, within the time range
// and matching every Where condition, number within Count.
type Event struct {
	Name   string
	Count  Count
	Within Within
	Where  []Prop
}

// Count bounds how many matching events a profile has: Min ≤ n ≤ Max, Max < 0 meaning no upper bound.
type Count struct {
	Min int64
	Max int64
}

// DefaultCount is "did the event at least once", when a condition gives no count.
func DefaultCount() Count { return Count{Min: 1, Max: -1} }

// Within is a time range of events. LastDays > 0: from now minus that many
// days on, with no upper bound. Otherwise From and To (inclusive; nil = open).
// The zero Within is all time.
type Within struct {
	LastDays int
	From, To *time.Time
}

// Range returns the range as inclusive epoch seconds at now; has* say whether each end is bounded.
func (w Within) Range(now time.Time) (from int64, hasFrom bool, to int64, hasTo bool) {
	if w.LastDays > 0 {
		return now.Unix() - int64(w.LastDays)*86400, true, 0, false
	}
	if w.From != nil {
		from, hasFrom = w.From.Unix(), true
	}
	if w.To != nil {
		to, hasTo = w.To.Unix(), true
	}
	return from, hasFrom, to, hasTo
}

// Reachable holds for a profile that may be messaged on Channel (a shorthand; see Expand).
type Reachable struct{ Channel string }

func (All) isNode()       {}
func (Any) isNode()       {}
func (Not) isNode()       {}
func (Prop) isNode()      {}
func (Event) isNode()     {}
func (Reachable) isNode() {}

// Op is a property operator.
type Op string

// The property operators.
const (
	OpEq        Op = "eq"
	OpNe        Op = "ne"
	OpGt        Op = "gt"
	OpGte       Op = "gte"
	OpLt        Op = "lt"
	OpLte       Op = "lte"
	OpIn        Op = "in"
	OpContains  Op = "contains"
	OpExists    Op = "exists"
	OpNotExists Op = "notExists"
	OpBetween   Op = "between"
)

// Ops lists the property operators in the order error messages show them.
var Ops = []Op{OpEq, OpNe, OpGt, OpGte, OpLt, OpLte, OpIn, OpContains, OpExists, OpNotExists, OpBetween}

// Kind is the type of a filter value.
type Kind uint8

// Value kinds. A JSON string that is an RFC 3339 time or "$D_<epoch>" is a KindDate.
const (
	KindString Kind = iota + 1
	KindInt
	KindFloat
	KindBool
	KindDate
)

// Value is one typed value of a property condition.
type Value struct {
	Kind  Kind
	Str   string  // KindString; KindDate: the text as written
	Int   int64   // KindInt; KindDate: epoch seconds
	Float float64 // KindFloat
	Bool  bool    // KindBool
}

// IsNumber reports whether v is an int or a float.
func (v Value) IsNumber() bool { return v.Kind == KindInt || v.Kind == KindFloat }
