package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Size is a byte count that reads and prints with binary units (5GiB, 1MiB, 512).
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10},
	{"TB", 1e12}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"B", 1},
}

// String prints the size in the largest binary unit that divides it.
func (s *Size) String() string {
	if s == nil {
		return "0"
	}
	v := int64(*s)
	for _, u := range sizeUnits[:4] {
		if v != 0 && v%u.mult == 0 {
			return fmt.Sprintf("%d%s", v/u.mult, u.suffix)
		}
	}
	return strconv.FormatInt(v, 10)
}

// Set parses "5GiB", "100MB", "1048576".
func (s *Size) Set(text string) error {
	t := strings.TrimSpace(text)
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(strings.ToUpper(t), strings.ToUpper(u.suffix)) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return fmt.Errorf("size %q: expected a whole number of bytes, optionally with KiB, MiB, GiB, TiB, KB, MB, GB or TB", text)
	}
	*s = Size(n * mult)
	return nil
}
