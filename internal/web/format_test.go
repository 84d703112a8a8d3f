package web

import (
	"testing"
	"time"
)

func TestFormatInt(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 1234567: "1,234,567", -12345: "-12,345"} {
		if got := formatInt(in); got != want {
			t.Errorf("formatInt(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestFormatBytes(t *testing.T) {
	for in, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 5 << 30: "5.0 GiB", 3 << 20: "3.0 MiB"} {
		if got := formatBytes(in); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestPercent(t *testing.T) {
	tests := []struct{ part, whole int64 }{{0, 0}, {5, 0}, {1, 3}, {3, 3}, {4, 3}}
	want := []int{0, 0, 33, 100, 100}
	for i, tt := range tests {
		if got := percent(tt.part, tt.whole); got != want[i] {
			t.Errorf("percent(%d, %d) = %d, want %d", tt.part, tt.whole, got, want[i])
		}
	}
}

func TestFormatterTimes(t *testing.T) {
	utc := newFormatter("")
	if w := utc.When((*time.Time)(nil)); !w.Zero || w.Text != "—" {
		t.Errorf("nil time: %+v", w)
	}
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	if w := utc.When(at); w.Text != "4 Mar 2026, 05:06:07 UTC" || w.ISO != "2026-03-04T05:06:07Z" {
		t.Errorf("When: %+v", w)
	}
	if w := utc.Date(time.Date(1990, 8, 15, 0, 0, 1, 0, time.UTC)); w.Text != "15 Aug 1990" {
		t.Errorf("date-only value: %+v", w)
	}
	if w := utc.Date(at); w.Text != "4 Mar 2026, 05:06:07 UTC" {
		t.Errorf("date with a time: %+v", w)
	}
	if w := newFormatter("Asia/Kolkata").When(at); w.Text != "4 Mar 2026, 10:36:07 IST" {
		t.Errorf("account time zone: %+v", w)
	}
	if w := newFormatter("Not/AZone").When(at); w.Text != "4 Mar 2026, 05:06:07 UTC" {
		t.Errorf("unknown zone falls back to UTC: %+v", w)
	}
	start, end := at, at.Add(75*time.Second)
	if got := utc.Since(&start, &end); got != "1 min 15 s" {
		t.Errorf("Since: %q", got)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"": "/imports", "/keys": "/keys", "/imports?status=failed": "/imports?status=failed",
		"//evil.example": "/imports", "https://evil.example/": "/imports", "/\\evil.example": "/imports", "keys": "/imports",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}
