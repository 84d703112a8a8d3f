package record

import (
	"math"
	"strconv"
	"strings"
)

// parseBool accepts true/false, 1/0, yes/no, y/n in any case.
func parseBool(s string) (bool, bool) {
	switch len(s) {
	case 1:
		switch s[0] {
		case '1', 'y', 'Y':
			return true, true
		case '0', 'n', 'N':
			return false, true
		}
	case 2:
		return false, strings.EqualFold(s, "no")
	case 3:
		return true, strings.EqualFold(s, "yes")
	case 4:
		return true, strings.EqualFold(s, "true")
	case 5:
		return false, strings.EqualFold(s, "false")
	}
	return false, false
}

// parseFloat accepts plain decimal notation ([+-]digits[.digits][e±digits]).
// strconv.ParseFloat alone would also take "Inf", "NaN", hex floats and
// underscores, none of which a CSV cell means as a number.
func parseFloat(s string) (float64, bool) {
	if !decimalSyntax(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

func decimalSyntax(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	n := digits(s[i:])
	i += n
	if i < len(s) && s[i] == '.' {
		i++
		f := digits(s[i:])
		i += f
		n += f
	}
	if n == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := digits(s[i:])
		if e == 0 {
			return false
		}
		i += e
	}
	return i == len(s)
}

// digits counts the leading ASCII digits of s.
func digits(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// parseEpoch reads epoch seconds: a whole number, optionally with a
// decimal fraction that is dropped (rounding down, so -1.5 is second -2).
func parseEpoch(s string) (int64, bool) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if hasFrac && (frac == "" || digits(frac) != len(frac)) {
		return 0, false
	}
	if whole == "" || whole == "-" || whole == "+" || strings.IndexByte(whole, '_') >= 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n < minEpoch || n > maxEpoch {
		return 0, false
	}
	if hasFrac && whole[0] == '-' && strings.Trim(frac, "0") != "" {
		n--
	}
	return n, true
}
