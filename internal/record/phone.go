package record

import (
	"github.com/nyaruka/phonenumbers"

	"sluice/internal/manifest"
)

// ValidEmail reports whether s is a plain email address (see manifest.ValidEmail).
func ValidEmail(s string) bool { return manifest.ValidEmail(s) }

// NormalizePhone checks an international number written with its country
// code (+<cc><number>; spaces, dashes, dots and parentheses allowed between
// digits) and returns it in E.164 form (+14155552671), or ok false.
// Letters (vanity numbers) and extensions are refused: a profile's Phone is
// for sending messages to.
func NormalizePhone(s string) (string, bool) {
	if len(s) < 2 || len(s) > 40 || s[0] != '+' {
		return "", false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9', c == ' ', c == '-', c == '.', c == '(', c == ')':
		default:
			return "", false
		}
	}
	n, err := phonenumbers.Parse(s, "ZZ") // "ZZ": no default region, + is required
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}
