package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"sluice/internal/csvstream"
	"sluice/internal/record"
	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/postgres/pgtest"
)

// localServer starts a throw-away PostgreSQL server with its default
// (durable) settings, as the benchmark's server.
func localServer() (string, func(), error) {
	c, err := pgtest.StartCluster(pgtest.ClusterOptions{Durable: true})
	if err != nil {
		return "", nil, err
	}
	return c.URL("postgres"), func() { c.Stop() }, nil
}

// freshDatabase creates database importbench_<run> on the server (dropping
// a leftover one) and returns its URL and a function that drops it.
func freshDatabase(ctx context.Context, server, run string) (string, func(), error) {
	admin, err := sql.Open("pgx", server)
	if err != nil {
		return "", nil, err
	}
	name := "importbench_" + run
	admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	u, err := url.Parse(server)
	if err != nil {
		admin.Close()
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	}
	return u.String(), drop, nil
}

func postgresStore(server, run string) opener {
	return func(ctx context.Context, _ string) (store.Store, func(), error) {
		u, drop, err := freshDatabase(ctx, server, run)
		if err != nil {
			return nil, nil, err
		}
		st, err := postgres.Open(ctx, u, postgres.Options{})
		if err != nil {
			drop()
			return nil, nil, err
		}
		return st, func() { st.Close(); drop() }, nil
	}
}

// rawCopy is the PostgreSQL reference: the same event rows parsed, encoded
// as the pipeline stores them, and sent with one pgx CopyFrom into the
// events table of a freshly migrated database.
func rawCopy(dir, server string) error {
	ctx := context.Background()
	u, drop, err := freshDatabase(ctx, server, "raw")
	if err != nil {
		return err
	}
	defer drop()
	st, err := postgres.Open(ctx, u, postgres.Options{})
	if err != nil {
		return err
	}
	st.Close() // migrated: the schema is in place
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	f, err := os.Open(filepath.Join(dir, "events.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	src := &csvEvents{r: csvstream.NewReader(bufio.NewReaderSize(f, 1<<20), 0)}
	src.r.Read() // header
	cols := []string{"account_id", "profile_id", "import_id", "row", "name", "ts", "identifiers", "props"}
	srv, srv0 := postmasterCPU(server), 0.0
	srv0 = srv()
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"events"}, cols, src)
	if err != nil {
		return err
	}
	el := time.Since(start).Seconds()
	fi, _ := f.Stat()
	fmt.Printf("raw      COPY: %d rows in %.1fs: %.0f rows/s, %.1f MB/s, peak RSS %.0f MB, %.0f rows per CPU-second, load %s\n",
		n, el, float64(n)/el, float64(fi.Size())/1e6/el, peakRSS(), float64(n)/cpuSeconds(), loadAvg())
	if s := srv(); s > 0 {
		fmt.Printf("         server CPU %.1fs; %.0f rows per CPU-second of client and server\n", s-srv0, float64(n)/(cpuSeconds()+s-srv0))
	}
	return nil
}

// postmasterCPU returns a function that reads the CPU time of the local
// server at url (socket dir in host=, data dir beside it, as pgtest makes
// it): the postmaster with its reaped children, plus its live children.
// It gives 0 for a server it cannot see.
func postmasterCPU(server string) func() float64 {
	u, err := url.Parse(server)
	if err != nil {
		return func() float64 { return 0 }
	}
	pidFile := filepath.Join(u.Query().Get("host"), "data", "postmaster.pid")
	return func() float64 {
		b, err := os.ReadFile(pidFile)
		if err != nil {
			return 0
		}
		pid, _ := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
		return procCPU(pid, true) + childrenCPU(pid)
	}
}

// procCPU reads utime+stime (and, with reaped, cutime+cstime) of a process, in seconds.
func procCPU(pid int, reaped bool) float64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:])) // fields from 3 (state) on
	ticks := 0.0
	for i, idx := range []int{11, 12, 13, 14} { // utime stime cutime cstime (fields 14-17)
		if i >= 2 && !reaped {
			break
		}
		v, _ := strconv.ParseFloat(f[idx], 64)
		ticks += v
	}
	return ticks / 100 // USER_HZ
}

func childrenCPU(ppid int) float64 {
	entries, _ := os.ReadDir("/proc")
	total := 0.0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			total += procCPU(pid, false)
		}
	}
	return total
}

// csvEvents streams event rows from the CSV for CopyFrom.
type csvEvents struct {
	r   *csvstream.Reader
	n   int64
	row []any
	err error
}

func (s *csvEvents) Next() bool {
	f, _, err := s.r.Read()
	if err == io.EOF {
		return false
	}
	if err != nil {
		s.err = err
		return false
	}
	s.n++
	ids := store.AppendIdentifiersJSON(nil, []store.Identifier{{Kind: record.IDIdentity, Value: f[0]}})
	amount, _ := strconv.ParseFloat(f[3], 64)
	qty, _ := strconv.ParseInt(f[6], 10, 64)
	props := record.Props{"Amount": record.Float(amount), "Currency": record.String(f[4]), "Category": record.String(f[5]),
		"Quantity": record.Int(qty), "PaymentMode": record.String(f[7])}.AppendJSON(nil)
	ts, _ := strconv.ParseInt(f[1], 10, 64)
	// The user's number as its profile id: spread over the users as the
	// pipeline's ids are (the events(profile_id, ts) index sees the same order).
	user, _ := strconv.ParseInt(strings.TrimPrefix(f[0], "customer-"), 10, 64)
	s.row = []any{"BENCH-0001", user + 1, int64(1), s.n, f[2], ts, ids, props}
	return true
}

func (s *csvEvents) Values() ([]any, error) { return s.row, nil }

func (s *csvEvents) Err() error { return s.err }
