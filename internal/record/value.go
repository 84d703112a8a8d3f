package record

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a stored property value.
type Kind uint8

// The kinds of property values. INTEGER and LONG columns both give KindInt.
const (
	KindString Kind = iota + 1
	KindInt
	KindFloat
	KindBool
	KindDate
	KindList // multi-value: unique strings, oldest first
)

// Value is one typed property value.
type Value struct {
	Kind Kind
	S    string   // KindString
	I    int64    // KindInt; KindDate: epoch seconds
	F    float64  // KindFloat
	B    bool     // KindBool
	L    []string // KindList
}

// Constructors for the kinds.
func String(s string) Value    { return Value{Kind: KindString, S: s} }
func Int(i int64) Value        { return Value{Kind: KindInt, I: i} }
func Float(f float64) Value    { return Value{Kind: KindFloat, F: f} }
func Bool(b bool) Value        { return Value{Kind: KindBool, B: b} }
func Date(epoch int64) Value   { return Value{Kind: KindDate, I: epoch} }
func List(l []string) Value    { return Value{Kind: KindList, L: l} }
func DateOf(t time.Time) Value { return Date(t.Unix()) }

// datePrefix marks a date in stored JSON and in CSV cells (CleverTap's $D_<epoch>).
const datePrefix = "$D_"

// Time returns a date value as a UTC time.
func (v Value) Time() time.Time { return time.Unix(v.I, 0).UTC() }

// Text is the value as a plain string, as a list member or a CSV cell would hold it.
func (v Value) Text() string {
	switch v.Kind {
	case KindInt:
		return strconv.FormatInt(v.I, 10)
	case KindFloat:
		return strconv.FormatFloat(v.F, 'g', -1, 64)
	case KindBool:
		return strconv.FormatBool(v.B)
	case KindDate:
		return datePrefix + strconv.FormatInt(v.I, 10)
	case KindList:
		return strings.Join(v.L, ",")
	default:
		return v.S
	}
}

// MarshalJSON stores dates as "$D_<epoch>" so that every kind survives a round trip.
func (v Value) MarshalJSON() ([]byte, error) {
	return v.AppendJSON(nil), nil
}

// UnmarshalJSON reads what MarshalJSON wrote. Whole numbers come back as KindInt.
func (v *Value) UnmarshalJSON(b []byte) error {
	// The props decoder's scanner reads it: one reader of the stored form.
	d := decoder{b: b}
	val, err := d.value()
	if err == nil {
		if d.space(); d.i != len(d.b) {
			err = d.fail("text after the value")
		}
	}
	if err != nil {
		return fmt.Errorf("decode stored value %.40q: %w", b, err)
	}
	*v = val
	return nil
}

func parseStoredString(s string) Value {
	if rest, ok := strings.CutPrefix(s, datePrefix); ok {
		if n, err := strconv.ParseInt(rest, 10, 64); err == nil {
			return Date(n)
		}
	}
	return String(s)
}

// APIValue is the value as the HTTP API shows it: dates as RFC 3339 strings.
func (v Value) APIValue() any {
	switch v.Kind {
	case KindInt:
		return v.I
	case KindFloat:
		return v.F
	case KindBool:
		return v.B
	case KindDate:
		return v.Time().Format(time.RFC3339)
	case KindList:
		if v.L == nil {
			return []string{}
		}
		return v.L
	default:
		return v.S
	}
}

// Props is a profile's or an event's set of named values.
type Props map[string]Value
