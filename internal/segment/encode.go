package segment

import (
	"encoding/json"
	"time"
)

// Marshal writes a filter back as JSON; Parse reads it back to the same tree.
func Marshal(n Node) ([]byte, error) {
	return json.Marshal(toJSON(n))
}

func toJSON(n Node) any {
	switch x := n.(type) {
	case All:
		return struct {
			All []any `json:"all"`
		}{listJSON(x.Nodes)}
	case Any:
		return struct {
			Any []any `json:"any"`
		}{listJSON(x.Nodes)}
	case Not:
		return struct {
			Not any `json:"not"`
		}{toJSON(x.Node)}
	case Prop:
		return propJSON(x)
	case Event:
		return eventJSON(x)
	case Reachable:
		return struct {
			Reachable string `json:"reachable"`
		}{x.Channel}
	}
	return nil
}

func listJSON(nodes []Node) []any {
	out := make([]any, len(nodes))
	for i, n := range nodes {
		out[i] = toJSON(n)
	}
	return out
}

type propOut struct {
	Property string `json:"property"`
	Op       Op     `json:"op"`
	Value    any    `json:"value,omitempty"`
}

func propJSON(p Prop) propOut {
	out := propOut{Property: p.Name, Op: p.Op}
	switch {
	case p.Op == OpIn || p.Op == OpBetween:
		vals := make([]any, len(p.Values))
		for i, v := range p.Values {
			vals[i] = valueJSON(v)
		}
		out.Value = vals
	case len(p.Values) == 1:
		out.Value = valueJSON(p.Values[0])
	}
	return out
}

func valueJSON(v Value) any {
	switch v.Kind {
	case KindInt:
		return v.Int
	case KindFloat:
		return v.Float
	case KindBool:
		return v.Bool
	default:
		return v.Str
	}
}

type eventOut struct {
	Event  string           `json:"event"`
	Count  map[string]int64 `json:"count,omitempty"`
	Within map[string]any   `json:"within,omitempty"`
	Where  []propOut        `json:"where,omitempty"`
}

func eventJSON(e Event) eventOut {
	out := eventOut{Event: e.Name}
	if e.Count != DefaultCount() {
		out.Count = countJSON(e.Count)
	}
	out.Within = withinJSON(e.Within)
	for _, p := range e.Where {
		out.Where = append(out.Where, propJSON(p))
	}
	return out
}

func countJSON(c Count) map[string]int64 {
	if c.Min == c.Max {
		return map[string]int64{"eq": c.Min}
	}
	m := map[string]int64{}
	if c.Min != 0 || c.Max < 0 {
		m["gte"] = c.Min
	}
	if c.Max >= 0 {
		m["lte"] = c.Max
	}
	return m
}

func withinJSON(w Within) map[string]any {
	if w.LastDays > 0 {
		return map[string]any{"lastDays": w.LastDays}
	}
	m := map[string]any{}
	if w.From != nil {
		m["from"] = w.From.Format(time.RFC3339Nano)
	}
	if w.To != nil {
		m["to"] = w.To.Format(time.RFC3339Nano)
	}
	if len(m) == 0 {
		return nil
	}
	return m
}
