// Command pgpbench measures the import pipeline on one large events file
// stored plain, gzipped and PGP-encrypted: rows per second through the real
// pipeline (verification pass, decryption, decompression, CSV, conversion,
// batches) into SQLite. Run it by hand on a quiet machine:
//
//	go run ./bench/pgpbench -size 1GB
//
// Each mode gets a fresh database; the time is from the manifest's arrival
// to the import's end.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"sluice/internal/config"
)

type options struct {
	dir       string
	size      config.Size
	modes     []string
	batchRows int
	keep      bool
}

func main() {
	o := options{size: 1e9}
	var modes string
	flag.StringVar(&o.dir, "dir", "", "work folder, kept (default: a temporary one, removed at the end unless -keep)")
	flag.Var(&o.size, "size", "size of the plain events file")
	flag.StringVar(&modes, "modes", "plain,gzip,pgp,gzip+pgp", "what to measure, in order")
	flag.IntVar(&o.batchRows, "batch-rows", config.Default().BatchRows, "rows per transaction")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary work folder")
	flag.Parse()
	o.modes = strings.Split(modes, ",")
	if err := run(context.Background(), o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
	if o.dir == "" {
		dir, err := os.MkdirTemp("", "pgpbench-")
		if err != nil {
			return err
		}
		o.dir = dir
		if !o.keep {
			defer os.RemoveAll(o.dir)
		}
	}
	plain := filepath.Join(o.dir, "events.csv")
	rows, err := writeEvents(plain, int64(o.size))
	if err != nil {
		return err
	}
	fmt.Printf("events file: %d rows, %.0f MB; batch rows %d; load %s\n", rows, float64(o.size)/1e6, o.batchRows, loadAvg())
	fmt.Printf("%-10s %9s %9s %8s %9s %8s %8s %10s %8s\n", "mode", "upload MB", "seconds", "verify s", "rows/s",
		"vs plain", "CPU s", "rows/CPU-s", "vs plain")
	var base, cpuBase float64
	for _, mode := range o.modes {
		r, err := measure(ctx, o, mode, plain, rows)
		if err != nil {
			return fmt.Errorf("%s: %w", mode, err)
		}
		rate, cpuRate := float64(rows)/r.total.Seconds(), float64(rows)/r.cpu.Seconds()
		if base == 0 {
			base, cpuBase = rate, cpuRate
		}
		fmt.Printf("%-10s %9.0f %9.1f %8.1f %9.0f %7.1f%% %8.1f %10.0f %7.1f%%   (load %s)\n", mode, float64(r.upload)/1e6,
			r.total.Seconds(), r.verify.Seconds(), rate, 100*(rate/base-1), r.cpu.Seconds(), cpuRate, 100*(cpuRate/cpuBase-1), loadAvg())
	}
	return nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
