package record

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// Row messages fixed by SPEC §4, word for word.
const (
	MsgIdentity     = "Atleast one of identity / fbId / gpId / objectId is mandatory under 1024 chars to identify the user"
	MsgPhone        = "Phone number is not valid"
	MsgEmail        = "Email is not valid"
	MsgEventName    = "Event name is mandatory"
	MsgRestricted   = "Event name belongs to restricted system events"
	MsgTooManyProps = "Cannot have more than 100 event properties"
	MsgOperation    = "Profile operation must be one of $add, $set, $remove, $delete"
)

// Limits of SPEC §4.
const (
	MaxStringChars   = 512  // a string value, in characters
	MaxNameChars     = 120  // a property name, in characters
	MaxIdentityChars = 1023 // an identifier must be under 1024 characters
	MaxEventProps    = 100  // properties on one event
	MaxListItems     = 100  // items of a multi-value property
	maxEpoch         = 253402300799
	minEpoch         = -62135596800 // 0001-01-01T00:00:00Z
)

// RowFieldCount is the row error for a row whose field count differs from
// the header's.
func RowFieldCount(got, want int) string {
	return fmt.Sprintf("Row has %s, the header has %d", plural(got, "field"), want)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// ErrHeader is what every header problem of NewConverter wraps: the
// pipeline shows the user "File couldn't be read" and logs the reason.
var ErrHeader = errors.New("File couldn't be read")

// HeaderError is a CSV header that cannot be used (empty or duplicate names).
type HeaderError struct{ Reason string }

func (e *HeaderError) Error() string { return ErrHeader.Error() + ": " + e.Reason }
func (e *HeaderError) Unwrap() error { return ErrHeader }

// quote shows a value in a message: quoted, escaped, and cut after 40
// characters so that a huge cell does not make a huge error file.
func quote(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) > max {
		n := 0
		for i := range s {
			if n == max {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return strconv.Quote(s)
}

func invalidValue(col, value, what string) string {
	return col + ": " + quote(value) + " is not a valid " + what
}

func tooLong(col, value string, n int) string {
	return fmt.Sprintf("%s: %s has %d characters; at most %d are allowed", col, quote(value), n, MaxStringChars)
}

func notUTF8(col string) string {
	return col + ": value is not valid UTF-8 text"
}
