package main

import (
	"context"
	"fmt"
	"io"
	"syscall"
	"time"

	"sluice/internal/segment"
	"sluice/internal/segment/export"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

// The acceptance segment: one property condition, one "did E ≥ 2 times in the last 30 days".
const acceptanceFilter = `{"all":[{"property":"City","op":"eq","value":"Mumbai"},
	{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30}}]}`

// Other figures worth knowing.
var otherFilters = []struct{ name, filter string }{
	{"property only", `{"property":"City","op":"eq","value":"Mumbai"}`},
	{"event only", `{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30}}`},
	{"did not do in 30 days", `{"event":"Purchased","count":{"eq":0},"within":{"lastDays":30}}`},
	{"list contains + reachable", `{"all":[{"property":"Playlist","op":"contains","value":"Jazz"},{"reachable":"email"}]}`},
	{"event where", `{"event":"Purchased","within":{"lastDays":30},"where":[{"property":"Price","op":"gt","value":900}]}`},
}

func measure(ctx context.Context, c config, out io.Writer) error {
	db, err := sqlite.Open(ctx, c.db, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(out, "database %s\n", c.db)
	if err := timeCount(ctx, db, out, "acceptance (City eq Mumbai AND Purchased ≥2 in 30d)", acceptanceFilter, 3); err != nil {
		return err
	}
	for _, f := range otherFilters {
		if err := timeCount(ctx, db, out, f.name, f.filter, 1); err != nil {
			return err
		}
	}
	if err := timeKnownNames(ctx, db, out); err != nil {
		return err
	}
	if err := timeExport(ctx, db, out); err != nil {
		return err
	}
	fmt.Fprintf(out, "peak RSS (VmHWM) of this process: %s\n", peakRSS())
	return nil
}

func query(filter string) (store.SegmentQuery, error) {
	n, err := segment.Parse([]byte(filter))
	return store.SegmentQuery{Filter: n, Now: benchNow}, err
}

func timeCount(ctx context.Context, db *sqlite.DB, out io.Writer, name, filter string, runs int) error {
	q, err := query(filter)
	if err != nil {
		return err
	}
	for i := range runs {
		start, cpu0 := time.Now(), cpuTime()
		n, err := db.CountSegment(ctx, account, q)
		if err != nil {
			return fmt.Errorf("count %s: %w", name, err)
		}
		fmt.Fprintf(out, "count %-55s run %d: %8d profiles in %8s (CPU %s)\n", name, i+1, n, since(start),
			(cpuTime() - cpu0).Round(time.Millisecond))
	}
	return nil
}

// timeKnownNames times the names the dashboard's segment form offers.
func timeKnownNames(ctx context.Context, db *sqlite.DB, out io.Writer) error {
	for i := range 3 {
		start, cpu0 := time.Now(), cpuTime()
		names, err := db.KnownNames(ctx, account)
		if err != nil {
			return fmt.Errorf("known names: %w", err)
		}
		fmt.Fprintf(out, "known names run %d: %d properties, %d events, %d event properties in %s (CPU %s)\n", i+1,
			len(names.Properties), len(names.Events), len(names.EventProperties), since(start), (cpuTime() - cpu0).Round(time.Millisecond))
	}
	return nil
}

// countingWriter counts bytes and throws them away.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(b []byte) (int, error) {
	w.n += int64(len(b))
	return len(b), nil
}

func timeExport(ctx context.Context, db *sqlite.DB, out io.Writer) error {
	q, err := query(`{"property":"Age","op":"gte","value":18}`)
	if err != nil {
		return err
	}
	var w countingWriter
	start, cpu0 := time.Now(), cpuTime()
	rows, err := export.Run(ctx, db, account, q, []string{"City", "Age", "Signup", "Playlist"}, &w)
	if err != nil {
		return err
	}
	d, cpu := time.Since(start), cpuTime()-cpu0
	fmt.Fprintf(out, "export (Age gte 18, 4 properties): %d rows, %.1f MB CSV in %s = %.0f rows/s (CPU %s = %.0f rows per CPU second)\n",
		rows, float64(w.n)/1e6, d.Round(time.Millisecond), float64(rows)/d.Seconds(), cpu.Round(time.Millisecond), float64(rows)/cpu.Seconds())
	return nil
}

// cpuTime is the CPU time (user + system) this process used so far; with
// other load on the machine it says more than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
