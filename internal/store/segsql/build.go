package segsql

import (
	"strings"
	"time"

	"sluice/internal/segment"
)

// Builder writes one statement: it binds arguments in order and compiles filters.
type Builder struct {
	d    Dialect
	now  time.Time
	args []any
}

// NewBuilder starts a statement; now is where "last N days" counts back from.
func NewBuilder(d Dialect, now time.Time) *Builder {
	return &Builder{d: d, now: now}
}

// Arg binds v and returns its placeholder.
func (b *Builder) Arg(v any) string {
	b.args = append(b.args, v)
	return b.d.Param(len(b.args))
}

// Args are the arguments bound so far, in placeholder order.
func (b *Builder) Args() []any { return b.args }

// Where is the condition that profile row p (of the account whose id is the
// placeholder acct) matches n.
func (b *Builder) Where(n segment.Node, acct string) string {
	switch x := n.(type) {
	case segment.All:
		return b.join(x.Nodes, acct, " AND ", "TRUE")
	case segment.Any:
		return b.join(x.Nodes, acct, " OR ", "FALSE")
	case segment.Not:
		return "NOT (" + b.Where(x.Node, acct) + ")"
	case segment.Prop:
		return b.Prop("p.props", x)
	case segment.Event:
		return b.event(x, acct)
	case segment.Reachable:
		return b.Where(x.Expand(), acct)
	}
	panic("segsql: unknown node type") // unreachable: segment seals Node
}

func (b *Builder) join(nodes []segment.Node, acct, sep, empty string) string {
	if len(nodes) == 0 {
		return empty
	}
	parts := make([]string, len(nodes))
	for i, n := range nodes {
		parts[i] = "(" + b.Where(n, acct) + ")"
	}
	return strings.Join(parts, sep)
}

// event is a set membership of p.id in the profiles whose matching events number within the count.
func (b *Builder) event(ev segment.Event, acct string) string {
	c := ev.Count
	if c.Min == 0 && c.Max < 0 {
		return "TRUE" // at least 0 times: every profile; bind nothing
	}
	conds := []string{"e.account_id = " + acct, "e.name = " + b.Arg(ev.Name)}
	from, hasFrom, to, hasTo := ev.Within.Range(b.now)
	if hasFrom {
		conds = append(conds, "e.ts >= "+b.Arg(from))
	}
	if hasTo {
		conds = append(conds, "e.ts <= "+b.Arg(to))
	}
	for _, w := range ev.Where {
		conds = append(conds, b.Prop("e.props", w))
	}
	sub := "SELECT e.profile_id FROM events e WHERE " + strings.Join(conds, " AND ")
	switch {
	case c.Min == 0 && c.Max == 0:
		return "p.id NOT IN (" + sub + ")"
	case c.Min == 0:
		return "p.id NOT IN (" + sub + " GROUP BY e.profile_id HAVING COUNT(*) > " + b.Arg(c.Max) + ")"
	case c.Min == 1 && c.Max < 0:
		return "p.id IN (" + sub + ")"
	}
	having := "COUNT(*) >= " + b.Arg(c.Min)
	if c.Max >= 0 {
		having += " AND COUNT(*) <= " + b.Arg(c.Max)
	}
	return "p.id IN (" + sub + " GROUP BY e.profile_id HAVING " + having + ")"
}
