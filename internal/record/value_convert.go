package record

import (
	"strconv"
	"unicode/utf8"
)

const datePrefixLen = len(datePrefix)

// value converts a filled cell of a property column. raw is the cell as
// uploaded (kept verbatim for STRING), t the cell trimmed.
// Numbers, booleans and dates parse ASCII only, so only text kinds check
// UTF-8 (ValidEmail does its own check).
func (c *Converter) value(col *column, raw, t string) (Value, string) {
	if !col.fixed && len(t) >= datePrefixLen && t[:datePrefixLen] == datePrefix {
		return dollarDate(col, t)
	}
	switch col.kind {
	case kInt32:
		if n, err := strconv.ParseInt(t, 10, 32); err == nil {
			return Int(n), ""
		}
		return Value{}, invalidValue(col.csv, t, "INTEGER (whole number from -2147483648 to 2147483647)")
	case kInt64:
		if n, err := strconv.ParseInt(t, 10, 64); err == nil {
			return Int(n), ""
		}
		return Value{}, invalidValue(col.csv, t, "LONG (whole number from -9223372036854775808 to 9223372036854775807)")
	case kFloat:
		if f, ok := parseFloat(t); ok {
			return Float(f), ""
		}
		return Value{}, invalidValue(col.csv, t, "FLOAT (finite decimal number, e.g. 12.5 or -3.2e4)")
	case kBool:
		if b, ok := parseBool(t); ok {
			return Bool(b), ""
		}
		return Value{}, invalidValue(col.csv, t, "BOOLEAN (true/false, 1/0, yes/no or y/n, any case)")
	case kDate:
		if n, ok := parseDate(t, col.layout, c.loc); ok {
			return Date(n), ""
		}
		return Value{}, invalidValue(col.csv, t, dateWhat(col.layout))
	}
	return stringValue(col, raw, t)
}

// stringValue converts the string kinds: plain strings, Email and Phone.
func stringValue(col *column, raw, t string) (Value, string) {
	switch col.kind {
	case kEmail:
		if ValidEmail(t) {
			return String(t), ""
		}
		return Value{}, MsgEmail
	case kPhone:
		if p, ok := NormalizePhone(t); ok {
			return String(p), ""
		}
		return Value{}, MsgPhone
	}
	if !utf8.ValidString(raw) {
		return Value{}, notUTF8(col.csv)
	}
	if len(raw) > MaxStringChars { // bytes ≥ characters: count only when it can matter
		if n := utf8.RuneCountInString(raw); n > MaxStringChars {
			return Value{}, tooLong(col.csv, raw, n)
		}
	}
	return String(raw), ""
}

// dollarDate reads CleverTap's "$D_<epoch seconds>", a date in any column.
func dollarDate(col *column, t string) (Value, string) {
	if n, ok := parseEpoch(t[datePrefixLen:]); ok {
		return Date(n), ""
	}
	return Value{}, invalidValue(col.csv, t, "$D_ date ($D_ followed by epoch seconds, e.g. $D_1735689599)")
}
