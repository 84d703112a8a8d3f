// Command segmentbench measures segments on SQLite at scale (issue 7,
// acceptance 3 and 4): it writes 1M profiles and 10M events through the
// store's batch API (the schema the pipeline writes), then times the count of
// a segment with one property condition and one "did E ≥ 2 times in the last
// 30 days" condition, and streams an export of every profile as CSV, printing
// rows/s and the peak RSS (VmHWM) of the measuring process.
//
//	go run ./bench/segmentbench                # generates bench/out/segments.db once, then measures
//	go run ./bench/segmentbench -regen         # generate again
//
// Generation runs in a child process so that its memory does not count in
// the measured peak.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"
)

type config struct {
	db       string
	profiles int
	events   int
	regen    bool
	gen      bool // internal: this process is the generator child
	cpuprof  string
}

func main() {
	var c config
	flag.StringVar(&c.db, "db", "bench/out/segments.db", "SQLite file (generated if missing)")
	flag.IntVar(&c.profiles, "profiles", 1_000_000, "profiles to generate")
	flag.IntVar(&c.events, "events", 10_000_000, "events to generate")
	flag.BoolVar(&c.regen, "regen", false, "generate again even if the file exists")
	flag.BoolVar(&c.gen, "gen", false, "internal: generate only")
	flag.StringVar(&c.cpuprof, "cpuprofile", "", "write a CPU profile of the measurements to this file")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "segmentbench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config, out io.Writer) error {
	if c.gen {
		return generate(ctx, c, out)
	}
	if _, err := os.Stat(c.db); c.regen || err != nil {
		if err := generateInChild(ctx, c); err != nil {
			return err
		}
	}
	if c.cpuprof != "" {
		f, err := os.Create(c.cpuprof)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	return measure(ctx, c, out)
}

func generateInChild(ctx context.Context, c config) error {
	if err := os.MkdirAll(filepath.Dir(c.db), 0o755); err != nil {
		return fmt.Errorf("make output folder: %w", err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(c.db + suffix)
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	cmd := exec.CommandContext(ctx, self, "-gen", "-db", c.db,
		"-profiles", fmt.Sprint(c.profiles), "-events", fmt.Sprint(c.events))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	return nil
}

// peakRSS reads VmHWM (peak resident set size) from /proc/self/status.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func since(t time.Time) string { return time.Since(t).Round(time.Millisecond).String() }
