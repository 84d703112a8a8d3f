package record

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// role is what a column is for.
type role uint8

const (
	roleProp    role = iota // a property
	roleIdent               // a user identifier
	roleTS                  // event / update time
	roleEvtName             // the event name (events only)
	roleEventOp             // "<col>.operation" in an event file: refused when filled
)

// colKind is what a column's cells become.
type colKind uint8

const (
	kString colKind = iota
	kInt32
	kInt64
	kFloat
	kBool
	kDate
	kEmail
	kPhone
)

// special is a property name with a fixed meaning.
type special struct {
	name  string  // canonical spelling
	role  role    // identifiers, ts and evtName are not properties
	kind  colKind // Email, Phone, Name and MSG-* ignore the declared dataType
	fixed bool    // "$D_…" is not a date here: the value must be what the name says
}

// specials are matched ignoring case (keys are lower case).
var specials = map[string]special{
	"identity":        {name: IDIdentity, role: roleIdent},
	"objectid":        {name: IDObjectID, role: roleIdent},
	"guid":            {name: IDObjectID, role: roleIdent},
	"fbid":            {name: IDFbID, role: roleIdent},
	"gpid":            {name: IDGpID, role: roleIdent},
	"ts":              {name: "ts", role: roleTS},
	"evtname":         {name: "evtName", role: roleEvtName},
	"email":           {name: "Email", kind: kEmail, fixed: true},
	"phone":           {name: "Phone", kind: kPhone, fixed: true},
	"name":            {name: "Name", kind: kString},
	"msg-sms":         {name: "MSG-sms", kind: kBool, fixed: true},
	"msg-email":       {name: "MSG-email", kind: kBool, fixed: true},
	"msg-whatsapp":    {name: "MSG-whatsapp", kind: kBool, fixed: true},
	"msg-push":        {name: "MSG-push", kind: kBool, fixed: true},
	"msg-dndsms":      {name: "MSG-dndSMS", kind: kBool, fixed: true},
	"msg-dndphone":    {name: "MSG-dndSMS", kind: kBool, fixed: true},
	"msg-dndwhatsapp": {name: "MSG-dndWhatsApp", kind: kBool, fixed: true},
	"msg-dndemail":    {name: "MSG-dndEmail", kind: kBool, fixed: true},
}

// identOrder is the order of Row.Identifiers, whatever the column order.
var identOrder = map[string]int{IDIdentity: 0, IDObjectID: 1, IDFbID: 2, IDGpID: 3}

// restricted holds the restricted system events, lower case without spaces.
var restricted = setOf(
	"notificationsent", "notificationviewed", "notificationclicked",
	"notificationdelivered", "notificationreplied", "utmvisited",
	"applaunched", "appuninstalled", "appversionchanged", "stayed",
	"replysent", "experimentrendered", "reachableby", "identityreset",
	"identityset", "identityerror",
)

// placeholders are identifier values that identify nobody (lower case).
var placeholders = setOf(
	"undefined", "null", "na", "n/a", "0", "nil", "-1", "infinity",
	"-infinity", "inf", "-inf", "nan", "-nan", "empty", "xxxxxx", "none",
)

func setOf(s ...string) map[string]struct{} {
	m := make(map[string]struct{}, len(s))
	for _, x := range s {
		m[x] = struct{}{}
	}
	return m
}

// isRestricted compares ignoring case and spaces without allocating: the
// folded name is built in a stack buffer (map lookups of string(b[:n]) do
// not allocate).
func isRestricted(name string) bool {
	name = trim(name)
	if name == "" || strings.IndexByte("NUASREInuasrei", name[0]) < 0 {
		return false // the common case: no restricted name starts so
	}
	var b [24]byte // longer than every restricted name
	n := 0
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isSpace(c) {
			continue
		}
		if n == len(b) {
			return false
		}
		b[n] = lower(c)
		n++
	}
	_, ok := restricted[string(b[:n])]
	return ok
}

// isPlaceholder matches ignoring case, without allocating.
func isPlaceholder(v string) bool {
	var b [9]byte // len("-infinity")
	if len(v) > len(b) {
		return false
	}
	for i := 0; i < len(v); i++ {
		b[i] = lower(v[i])
	}
	_, ok := placeholders[string(b[:len(v)])]
	return ok
}

// BadNameChars may not appear in a property name (SPEC section 4); a profile
// property may not hold '#' either.
const BadNameChars = `%><!|&.:;$'"\`

// CanonicalProperty is name as imports store it: the properties SPEC
// section 3 gives a meaning (Email, MSG-sms …) match ignoring case, and
// MSG-dndPhone is MSG-dndSMS; other names are exact.
func CanonicalProperty(name string) string {
	if sp, ok := specials[strings.ToLower(name)]; ok && sp.role == roleProp {
		return sp.name
	}
	return name
}

// nameProblem is why name cannot be a property name, or "". column is the
// CSV column it came from, shown when the manifest renamed it.
func nameProblem(name, column string, profile bool) string {
	forbidden := BadNameChars
	if profile {
		forbidden += "#"
	}
	label := fmt.Sprintf("Property name %q", name)
	if column != name {
		label += fmt.Sprintf(" (column %q)", column)
	}
	switch n := utf8.RuneCountInString(name); {
	case !utf8.ValidString(name):
		return label + " is not valid UTF-8 text"
	case strings.IndexByte(name, 0) >= 0:
		return label + " contains a NUL character" // no store can hold it in a JSON key (PostgreSQL)
	case n > MaxNameChars:
		return fmt.Sprintf("%s has %d characters; at most %d are allowed", label, n, MaxNameChars)
	case strings.ContainsAny(name, forbidden):
		return label + " must not contain any of " + spaced(forbidden)
	}
	return ""
}

// spaced writes "abc" as "a b c", the way the SPEC lists forbidden characters.
func spaced(s string) string {
	return strings.Join(strings.Split(s, ""), " ")
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// trim cuts ASCII whitespace without the unicode tables of strings.TrimSpace.
func trim(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}
