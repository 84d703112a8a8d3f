package record

import (
	"testing"
	"time"

	"sluice/internal/manifest"
)

func TestDates(t *testing.T) {
	tests := []struct {
		name, format, cell string
		want               int64
	}{
		{"dd/MM/yyyy", manifest.FormatDMY, "31/12/2024 23:59:58", utc(2024, 12, 31, 23, 59, 58)},
		{"dd/MM/yyyy date only", manifest.FormatDMY, "31/12/2024", utc(2024, 12, 31, 0, 0, 1)},
		{"dd/MM/yyyy one digit", manifest.FormatDMY, "1/2/2024 3:04:05", utc(2024, 2, 1, 3, 4, 5)},
		{"dd/MM/yyyy no seconds", manifest.FormatDMY, "01/02/2024 13:45", utc(2024, 2, 1, 13, 45, 0)},
		{"dd/MM/yyyy midnight", manifest.FormatDMY, "01/02/2024 00:00:00", utc(2024, 2, 1, 0, 0, 0)},
		{"MM/dd/yyyy", manifest.FormatMDY, "12/31/2024 23:59:58", utc(2024, 12, 31, 23, 59, 58)},
		{"MM/dd/yyyy date only", manifest.FormatMDY, "02/01/2024", utc(2024, 2, 1, 0, 0, 1)},
		{"yyyy/dd/MM", manifest.FormatYDM, "2024/31/12 23:59:58", utc(2024, 12, 31, 23, 59, 58)},
		{"yyyy/dd/MM date only", manifest.FormatYDM, "2024/01/02", utc(2024, 2, 1, 0, 0, 1)},
		{"yyyy/MM/dd", manifest.FormatYMD, "2024/12/31 23:59:58", utc(2024, 12, 31, 23, 59, 58)},
		{"yyyy/MM/dd date only", manifest.FormatYMD, "2024/02/01", utc(2024, 2, 1, 0, 0, 1)},
		{"dd MMM yyyy", manifest.FormatDMon, "31 Dec 2024 23:59:58", utc(2024, 12, 31, 23, 59, 58)},
		{"dd MMM yyyy date only", manifest.FormatDMon, "01 Feb 2024", utc(2024, 2, 1, 0, 0, 1)},
		{"dd MMM yyyy any case, full name", manifest.FormatDMon, "1 FEBRUARY 2024", utc(2024, 2, 1, 0, 0, 1)},
		{"dd MMM yyyy tabs", manifest.FormatDMon, "1\tsep  2024\t10:00:00", utc(2024, 9, 1, 10, 0, 0)},
		{"leap day", manifest.FormatDMY, "29/02/2024", utc(2024, 2, 29, 0, 0, 1)},
		{"leap day 2000", manifest.FormatDMY, "29/02/2000", utc(2000, 2, 29, 0, 0, 1)},
		{"before 1970", manifest.FormatDMY, "20/07/1969 20:17:40", utc(1969, 7, 20, 20, 17, 40)},
		{"Unix", manifest.FormatUnix, "1735689599", 1735689599},
		{"Unix negative", manifest.FormatUnix, "-86400", -86400},
		{"Unix fraction", manifest.FormatUnix, "1735689599.75", 1735689599},
		{"Unix negative fraction", manifest.FormatUnix, "-1.5", -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, reasons := convertValue(t, "DATE", tt.format, tt.cell)
			if reasons != nil {
				t.Fatalf("refused: %q", reasons)
			}
			if got.Kind != KindDate || got.I != tt.want {
				t.Errorf("got %v (%v), want %v", got.I, got.Time(), time.Unix(tt.want, 0).UTC())
			}
		})
	}
}

func TestDatesRefused(t *testing.T) {
	tests := []struct{ name, format, cell string }{
		{"day 32", manifest.FormatDMY, "32/01/2024"},
		{"month 13", manifest.FormatDMY, "01/13/2024"},
		{"29 Feb 2023", manifest.FormatDMY, "29/02/2023"},
		{"29 Feb 1900", manifest.FormatDMY, "29/02/1900"},
		{"31 April", manifest.FormatMDY, "04/31/2024"},
		{"day 0", manifest.FormatYMD, "2024/01/00"},
		{"year 0", manifest.FormatYMD, "0000/01/01"},
		{"two-digit year", manifest.FormatDMY, "01/01/24"},
		{"hour 24", manifest.FormatDMY, "01/01/2024 24:00:00"},
		{"minute 60", manifest.FormatDMY, "01/01/2024 10:60:00"},
		{"second 60", manifest.FormatDMY, "01/01/2024 10:00:60"},
		{"12-hour clock", manifest.FormatDMY, "01/01/2024 10:00:00 PM"},
		{"dashes", manifest.FormatDMY, "01-01-2024"},
		{"ISO", manifest.FormatYMD, "2024-01-01T10:00:00Z"},
		{"trailing text", manifest.FormatYMD, "2024/01/01 10:00:00x"},
		{"time without space", manifest.FormatYMD, "2024/01/0110:00:00"},
		{"hour only", manifest.FormatYMD, "2024/01/01 10"},
		{"bad month name", manifest.FormatDMon, "01 Foo 2024"},
		{"numeric month in MMM", manifest.FormatDMon, "01 02 2024"},
		{"no spaces MMM", manifest.FormatDMon, "01Feb2024"},
		{"Unix text", manifest.FormatUnix, "yesterday"},
		{"Unix exponent", manifest.FormatUnix, "1.7e9"},
		{"Unix beyond 9999", manifest.FormatUnix, "253402300800"},
		{"Unix empty fraction", manifest.FormatUnix, "17."},
		{"Unix bare sign", manifest.FormatUnix, "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reasons := convertValue(t, "DATE", tt.format, tt.cell)
			want := invalidValue("X", tt.cell, dateWhat(layouts[tt.format]))
			if !equalStrings(reasons, []string{want}) {
				t.Errorf("reasons = %q, want [%q]", reasons, want)
			}
		})
	}
}

func TestDateMessages(t *testing.T) {
	_, reasons := convertValue(t, "DATE", manifest.FormatDMY, "2024-01-01")
	want := `X: "2024-01-01" is not a valid DATE (format dd/MM/yyyy HH:mm:ss, e.g. 31/12/2024 23:59:59; a date alone gets 00:00:01)`
	if !equalStrings(reasons, []string{want}) {
		t.Errorf("reasons = %q, want %q", reasons, want)
	}
	_, reasons = convertValue(t, "DATE", manifest.FormatUnix, "x")
	want = `X: "x" is not a valid DATE (format Unix: epoch seconds, e.g. 1735689599)`
	if !equalStrings(reasons, []string{want}) {
		t.Errorf("reasons = %q, want %q", reasons, want)
	}
}

func TestDatesInLocation(t *testing.T) {
	kolkata := time.FixedZone("IST", 5*3600+1800)
	c := MustConverter(t, "event", cols("D=DATE|"+manifest.FormatDMY, "U=DATE|Unix"), []string{"identity", "evtName", "D", "U"}, kolkata)
	row, reasons := c.Convert([]string{"u1", "Bought", "01/01/2024", "1735689599"})
	if reasons != nil {
		t.Fatal(reasons)
	}
	if got, want := row.Props["D"].I, utc(2023, 12, 31, 18, 30, 1); got != want {
		t.Errorf("D = %v, want %v", time.Unix(got, 0).UTC(), time.Unix(want, 0).UTC())
	}
	if got := row.Props["U"].I; got != 1735689599 {
		t.Errorf("Unix is absolute, got %d", got)
	}
}

func TestSeveralDateFormatsInOneFile(t *testing.T) {
	c := MustConverter(t, "event", cols("A=DATE|"+manifest.FormatDMY, "B=DATE|"+manifest.FormatMDY), []string{"identity", "evtName", "A", "B"}, nil)
	row, reasons := c.Convert([]string{"u1", "Bought", "02/01/2024", "02/01/2024"})
	if reasons != nil {
		t.Fatal(reasons)
	}
	if row.Props["A"].I != utc(2024, 1, 2, 0, 0, 1) || row.Props["B"].I != utc(2024, 2, 1, 0, 0, 1) {
		t.Errorf("A = %v, B = %v", row.Props["A"].Time(), row.Props["B"].Time())
	}
}
