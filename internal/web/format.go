package web

import (
	"fmt"
	"strconv"
	"time"
)

// formatter shows times in the account's time zone (UTC when it has none),
// so that "received at" reads like the clock on the user's wall.
type formatter struct {
	loc *time.Location
}

func newFormatter(tz string) formatter {
	loc, err := time.LoadLocation(tz) // "" is UTC
	if err != nil {
		loc = time.UTC
	}
	return formatter{loc: loc}
}

// when is a time ready for a <time> element.
type when struct {
	Zero bool
	ISO  string // machine-readable, for the datetime attribute
	Text string
}

// When accepts time.Time or *time.Time (nil and zero show as a dash).
func (f formatter) When(v any) when {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	}
	if t.IsZero() {
		return when{Zero: true, Text: "—"}
	}
	t = t.In(f.loc)
	return when{ISO: t.Format(time.RFC3339), Text: t.Format("2 Jan 2006, 15:04:05 MST")}
}

// Date shows a date property. SPEC §3 gives a value with only a date part
// the time 00:00:01, so such values show as the date alone.
func (f formatter) Date(t time.Time) when {
	t = t.In(f.loc)
	w := when{ISO: t.Format(time.RFC3339), Text: t.Format("2 Jan 2006, 15:04:05 MST")}
	if h, m, s := t.Clock(); h == 0 && m == 0 && s <= 1 {
		w.Text = t.Format("2 Jan 2006")
	}
	return w
}

// Since is a duration between two times for people: "3.2 s", "4 min 5 s".
func (f formatter) Since(from, to *time.Time) string {
	if from == nil || to == nil {
		return ""
	}
	d := to.Sub(*from)
	switch {
	case d < time.Second:
		return strconv.FormatInt(d.Milliseconds(), 10) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 1, 64) + " s"
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
}

// formatInt groups digits by thousands: 1234567 → 1,234,567.
func formatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// formatBytes shows a size in binary units: 1536 → 1.5 KiB.
func formatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return strconv.FormatFloat(float64(n)/float64(div), 'f', 1, 64) + " " + string("KMGTP"[exp]) + "iB"
}

// percent is how far along part is of whole, 0–100.
func percent(part, whole int64) int {
	if whole <= 0 || part <= 0 {
		return 0
	}
	if part >= whole {
		return 100
	}
	return int(part * 100 / whole)
}
