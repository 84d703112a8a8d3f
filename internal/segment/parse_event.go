package segment

import (
	"encoding/json"
	"strconv"
	"time"
)

func (p *parser) event(obj map[string]any, path string) (Event, error) {
	if err := onlyFields(obj, path, "an event condition", "event", "count", "within", "where"); err != nil {
		return Event{}, err
	}
	ev := Event{Count: DefaultCount()}
	name, ok := obj["event"].(string)
	if !ok || name == "" || len(name) > MaxTextLen {
		return ev, errAt(path+".event", "expected an event name (a non-empty string), got %s", describe(obj["event"]))
	}
	ev.Name = name
	var err error
	if v, ok := obj["count"]; ok {
		if ev.Count, err = parseCount(v, path+".count"); err != nil {
			return ev, err
		}
	}
	if v, ok := obj["within"]; ok {
		if ev.Within, err = parseWithin(v, path+".within"); err != nil {
			return ev, err
		}
	}
	if v, ok := obj["where"]; ok {
		if ev.Where, err = p.where(v, path+".where"); err != nil {
			return ev, err
		}
	}
	return ev, nil
}

var countOps = []string{"eq", "gte", "lte"}

const countExample = `expected an object like {"gte": 2} (eq, gte, lte; did not do: {"eq": 0})`

func parseCount(v any, path string) (Count, error) {
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return Count{}, errAt(path, "%s, got %s", countExample, describe(v))
	}
	if err := onlyFields(obj, path, "a count", countOps...); err != nil {
		return Count{}, err
	}
	c := Count{Max: -1}
	for _, k := range countOps {
		raw, ok := obj[k]
		if !ok {
			continue
		}
		n, err := wholeNumber(raw, path+"."+k, 0, MaxCount)
		if err != nil {
			return c, err
		}
		switch k {
		case "eq":
			if len(obj) > 1 {
				return c, errAt(path, "eq cannot be combined with gte or lte")
			}
			c = Count{Min: n, Max: n}
		case "gte":
			c.Min = n
		case "lte":
			c.Max = n
		}
	}
	if c.Max >= 0 && c.Min > c.Max {
		return c, errAt(path, "gte %d is above lte %d, so no profile could match", c.Min, c.Max)
	}
	return c, nil
}

func wholeNumber(v any, path string, lo, hi int64) (int64, error) {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil && i >= lo && i <= hi {
			return i, nil
		}
	}
	return 0, errAt(path, "expected a whole number from %d to %d, got %s", lo, hi, describe(v))
}

const withinExample = `expected an object like {"lastDays": 30} or {"from": "2026-01-01T00:00:00Z", "to": "2026-02-01T00:00:00Z"}`

func parseWithin(v any, path string) (Within, error) {
	obj, ok := v.(map[string]any)
	if !ok || len(obj) == 0 {
		return Within{}, errAt(path, "%s, got %s", withinExample, describe(v))
	}
	if err := onlyFields(obj, path, "within", "lastDays", "from", "to"); err != nil {
		return Within{}, err
	}
	if raw, ok := obj["lastDays"]; ok {
		if len(obj) > 1 {
			return Within{}, errAt(path, "give either lastDays or from/to, not both")
		}
		n, err := wholeNumber(raw, path+".lastDays", 1, MaxLastDays)
		return Within{LastDays: int(n)}, err
	}
	var w Within
	var err error
	if w.From, err = timeField(obj, "from", path); err != nil {
		return w, err
	}
	if w.To, err = timeField(obj, "to", path); err != nil {
		return w, err
	}
	if w.From != nil && w.To != nil && w.From.After(*w.To) {
		return w, errAt(path, "from is after to")
	}
	return w, nil
}

func timeField(obj map[string]any, key, path string) (*time.Time, error) {
	raw, ok := obj[key]
	if !ok {
		return nil, nil
	}
	s, _ := raw.(string)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return nil, errAt(path+"."+key, "expected an RFC 3339 time like \"2026-01-31T00:00:00Z\", got %s", describe(raw))
	}
	t = t.UTC()
	return &t, nil
}

func (p *parser) where(v any, path string) ([]Prop, error) {
	items, ok := v.([]any)
	if !ok || len(items) == 0 || len(items) > MaxWhere {
		return nil, errAt(path, "expected an array of 1 to %d property conditions, got %s", MaxWhere, describeLen(v))
	}
	props := make([]Prop, len(items))
	for i, it := range items {
		ipath := path + "[" + strconv.Itoa(i) + "]"
		obj, ok := it.(map[string]any)
		if !ok {
			return nil, errAt(ipath, "expected a property condition like {\"property\": \"Price\", \"op\": \"gt\", \"value\": 100}, got %s", describe(it))
		}
		if _, ok := obj["property"]; !ok {
			return nil, errAt(ipath, "where holds property conditions only (objects with \"property\", \"op\", \"value\")")
		}
		if err := p.count(ipath); err != nil {
			return nil, err
		}
		prop, err := p.prop(obj, ipath)
		if err != nil {
			return nil, err
		}
		props[i] = prop
	}
	return props, nil
}
