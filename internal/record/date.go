package record

import (
	"strings"
	"time"

	"sluice/internal/manifest"
)

// layout is a DATE column's format, decided once per column.
type layout uint8

const (
	layoutNone layout = iota
	layoutDMY
	layoutMDY
	layoutYDM
	layoutYMD
	layoutDMon
	layoutUnix
)

var layouts = map[string]layout{
	manifest.FormatDMY:  layoutDMY,
	manifest.FormatMDY:  layoutMDY,
	manifest.FormatYDM:  layoutYDM,
	manifest.FormatYMD:  layoutYMD,
	manifest.FormatDMon: layoutDMon,
	manifest.FormatUnix: layoutUnix,
}

// examples show each format in the row message.
var examples = [...]string{
	layoutDMY:  "31/12/2024 23:59:59",
	layoutMDY:  "12/31/2024 23:59:59",
	layoutYDM:  "2024/31/12 23:59:59",
	layoutYMD:  "2024/12/31 23:59:59",
	layoutDMon: "31 Dec 2024 23:59:59",
}

func (l layout) String() string {
	for name, x := range layouts {
		if x == l {
			return name
		}
	}
	return "none"
}

// dateWhat explains a DATE column's format in a row message.
func dateWhat(l layout) string {
	if l == layoutUnix {
		return "DATE (format Unix: epoch seconds, e.g. 1735689599)"
	}
	return "DATE (format " + l.String() + ", e.g. " + examples[l] + "; a date alone gets 00:00:01)"
}

// parseDate reads s in layout l; wall times are in loc. A date without a
// time gets 00:00:01, as SPEC §3 says.
func parseDate(s string, l layout, loc *time.Location) (int64, bool) {
	if l == layoutUnix {
		return parseEpoch(s)
	}
	p := scanner{s: s}
	y, m, d := p.date(l)
	h, mi, sec := 0, 0, 1
	if p.ok && p.i < len(s) {
		h, mi, sec = p.clock()
	}
	if !p.ok || p.i != len(s) || !validDate(y, m, d) || h > 23 || mi > 59 || sec > 59 {
		return 0, false
	}
	return time.Date(y, time.Month(m), d, h, mi, sec, 0, loc).Unix(), true
}

func validDate(y, m, d int) bool {
	return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// scanner reads numbers and separators; once ok is false it stays false.
type scanner struct {
	s  string
	i  int
	ok bool
}

func (p *scanner) date(l layout) (y, m, d int) {
	p.ok = true
	switch l {
	case layoutDMY:
		d, m, y = p.num(1, 2), p.sep('/', 1, 2), p.sep('/', 4, 4)
	case layoutMDY:
		m, d, y = p.num(1, 2), p.sep('/', 1, 2), p.sep('/', 4, 4)
	case layoutYDM:
		y, d, m = p.num(4, 4), p.sep('/', 1, 2), p.sep('/', 1, 2)
	case layoutYMD:
		y, m, d = p.num(4, 4), p.sep('/', 1, 2), p.sep('/', 1, 2)
	case layoutDMon:
		d = p.num(1, 2)
		p.spaces()
		m = p.month()
		p.spaces()
		y = p.num(4, 4)
	default:
		p.ok = false
	}
	return y, m, d
}

// clock reads " HH:mm:ss" (seconds optional) after a date.
func (p *scanner) clock() (h, m, s int) {
	p.spaces()
	h, m = p.num(1, 2), p.sep(':', 1, 2)
	if p.i < len(p.s) {
		return h, m, p.sep(':', 1, 2)
	}
	return h, m, 0
}

// num reads min..max digits.
func (p *scanner) num(min, max int) int {
	n, v := 0, 0
	for n < max && p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		v = v*10 + int(p.s[p.i]-'0')
		p.i++
		n++
	}
	p.ok = p.ok && n >= min
	return v
}

func (p *scanner) sep(c byte, min, max int) int {
	if p.i >= len(p.s) || p.s[p.i] != c {
		p.ok = false
		return 0
	}
	p.i++
	return p.num(min, max)
}

// spaces wants at least one space or tab.
func (p *scanner) spaces() {
	start := p.i
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
	p.ok = p.ok && p.i > start
}

var months = [...]string{"january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december"}

// month reads a month name, abbreviated ("Jan") or full, in any case.
func (p *scanner) month() int {
	start := p.i
	for p.i < len(p.s) && (p.s[p.i]|0x20) >= 'a' && (p.s[p.i]|0x20) <= 'z' {
		p.i++
	}
	word := p.s[start:p.i]
	for i, name := range months {
		if strings.EqualFold(word, name) || strings.EqualFold(word, name[:3]) {
			return i + 1
		}
	}
	p.ok = false
	return 0
}
