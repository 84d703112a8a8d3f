package manifest

import (
	"strings"
	"unicode/utf8"
)

// ValidEmail reports whether s is a plain email address: local@domain, as
// people type them into forms. Display names ("Ann <a@b.c>"), quoted local
// parts and IP-literal domains are refused: net/mail accepts them, but they
// are never what a status mail or a profile's Email should hold.
// It lives here, in the lower of the two pure packages, because record
// imports manifest; record.ValidEmail is the same check.
func ValidEmail(s string) bool {
	if len(s) > 254 || !utf8.ValidString(s) {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 {
		return false
	}
	return validLocal(s[:at]) && validDomain(s[at+1:])
}

// validLocal accepts RFC 5322 dot-atoms plus any non-ASCII (RFC 6531).
func validLocal(l string) bool {
	if len(l) > 64 || l[0] == '.' || l[len(l)-1] == '.' || strings.Contains(l, "..") {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if c >= 0x80 || isAlnum(c) || strings.IndexByte(".!#$%&'*+/=?^_`{|}~-", c) >= 0 {
			continue
		}
		return false
	}
	return true
}

// validDomain wants at least two labels and a top-level label that is not
// all digits, so "a@localhost" and "a@1.2.3.4" are refused. It walks the
// labels without splitting: it runs for every Email cell of an import.
func validDomain(d string) bool {
	if len(d) > 253 || strings.IndexByte(d, '.') < 0 {
		return false
	}
	for {
		label, rest, more := strings.Cut(d, ".")
		if !validLabel(label) {
			return false
		}
		if !more {
			return len(label) >= 2 && strings.Trim(label, "0123456789") != ""
		}
		d = rest
	}
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i]; c < 0x80 && !isAlnum(c) && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
