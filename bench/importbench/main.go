// Command importbench measures the import pipeline (issue 3): it generates a
// ~1 GB events CSV (10M rows, 8 columns) and a ~1 GB profiles CSV (1M
// identities ~10 times each, with $add on a list), imports each through the
// real pipeline into SQLite in a child process, and, as the reference, runs a
// raw batched INSERT of the same event rows into the same schema.
//
//	go run ./bench/importbench -dir /tmp/importbench [-events 10000000] [-profiles 10000000]
//
// With -pg the runs go to PostgreSQL instead (issue 8): the pipeline into the
// PostgreSQL store, and as the reference a pgx CopyFrom of the same event
// rows into the same schema, each run on a fresh database of one server.
// -pg local starts a throw-away server (durable settings) for the run;
// -pg postgres://… uses a server where the user may create databases.
//
//	go run ./bench/importbench -dir /tmp/importbench -pg local -only raw,events
//
// It prints rows/s, MB/s, the child's peak RSS and the load average for each
// run, and for SQLite runs the bytes the child wrote (through write() and to
// storage), which vary less than time on a shared machine.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"strings"
	"syscall"
	"time"

	"sluice/internal/store/sqlite"
)

func main() {
	dir := flag.String("dir", "/tmp/importbench", "work folder (needs ~3 GB)")
	events := flag.Int("events", 10_000_000, "event rows")
	profiles := flag.Int("profiles", 10_000_000, "profile rows")
	identities := flag.Int("identities", 1_000_000, "distinct users")
	only := flag.String("only", "raw,events,profiles", "which runs")
	child := flag.String("child", "", "internal: run one measurement in this process")
	batch := flag.Int("batch-rows", 0, "rows per batch, events and profiles (0: the server defaults)")
	cacheMiB := flag.Int("cache-mib", 0, "SQLite writer page cache in MiB (0: the store's default)")
	idCacheMiB := flag.Int("identity-cache-mib", -1, "the pipeline's identifier cache in MiB (-1: the server's default, 0: none)")
	foldRows := flag.Int("fold-rows", -1, "profile operations kept before a fold (-1: the server's default, 0: only at the end)")
	eventRun := flag.Int("event-run", 0, "SQLite events per sorted run into event_profiles (0: the store's default)")
	repeat := flag.Int("repeat", 1, "import each file this many times, one after another, into the same store")
	pg := flag.String("pg", "", "PostgreSQL: local (a throw-away server) or a postgres:// URL; empty: SQLite")
	flag.Parse()
	if *child != "" {
		if prof := os.Getenv("IMPORTBENCH_CPUPROFILE"); prof != "" {
			f, _ := os.Create(prof + "." + *child)
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		if out := os.Getenv("IMPORTBENCH_TRACE"); out != "" { // where the writer waits: go tool trace -pprof=sync|syscall
			f, _ := os.Create(out + "." + *child)
			trace.Start(f)
			defer trace.Stop()
		}
		if prof := os.Getenv("IMPORTBENCH_HEAPPROFILE"); prof != "" {
			go func() { // a look at the heap in the middle of the run
				time.Sleep(15 * time.Second)
				f, _ := os.Create(prof + "." + *child)
				pprof.WriteHeapProfile(f)
				f.Close()
			}()
		}
		if err := runChild(*child, *dir, tuning{*batch, *idCacheMiB, *foldRows, *repeat}, sqlite.Options{CacheMiB: *cacheMiB, EventRun: *eventRun}, *pg); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fatal(err)
	}
	ev := filepath.Join(*dir, "events.csv")
	pr := filepath.Join(*dir, "profiles.csv")
	fatal(ensure(ev, func(p string) error { return genEvents(p, *events, *identities) }))
	fatal(ensure(pr, func(p string) error { return genProfiles(p, *profiles, *identities) }))
	if *pg == "local" {
		url, stop, err := localServer()
		fatal(err)
		defer stop()
		*pg = url
	}
	for _, run := range strings.Split(*only, ",") {
		cmd := exec.Command(os.Args[0], "-child", run, "-dir", *dir, "-batch-rows", fmt.Sprint(*batch), "-cache-mib", fmt.Sprint(*cacheMiB), "-fold-rows", fmt.Sprint(*foldRows),
			"-identity-cache-mib", fmt.Sprint(*idCacheMiB),
			"-event-run", fmt.Sprint(*eventRun), "-repeat", fmt.Sprint(*repeat), "-pg", *pg)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, run+":", err)
		}
	}
}

func ensure(path string, gen func(string) error) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	}
	fmt.Printf("generating %s\n", path)
	return gen(path)
}

func fatal(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// loadAvg is the 1-minute load average (the machine is shared).
func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	return strings.SplitN(string(b), " ", 2)[0]
}

// cpuSeconds is the user+system CPU time this process used so far: on a
// shared machine, rows per CPU-second says more than rows per second.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// peakRSS reads this process's peak resident set size in MB.
func peakRSS() float64 { return procField("/proc/self/status", "VmHWM:") / 1024 }

// written says how much this process wrote, per row: through write() (WAL
// frames and checkpoints, into the OS page cache) and on to storage. It
// varies far less than time does on a shared machine, so it compares two
// designs of the writer when rows/s cannot.
// It counts from since (the zero counters: from the process's start).
func written(since counters, rows float64) string {
	now := snapshot(func() float64 { return 0 })
	wchar, storage := now.wchar-since.wchar, now.storage-since.storage
	return fmt.Sprintf("%.1f GB by write() (%.1f KB a row), %.1f GB to storage (%.1f KB a row)",
		wchar/1e9, wchar/1e3/rows, storage/1e9, storage/1e3/rows)
}

// procField reads the number after key in a /proc file; 0 if absent.
func procField(file, key string) float64 {
	b, _ := os.ReadFile(file)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, key); ok {
			var n float64
			fmt.Sscanf(strings.TrimSpace(v), "%f", &n)
			return n
		}
	}
	return 0
}
