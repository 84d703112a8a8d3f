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
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"events"}, cols, src)
	if err != nil {
		return err
	}
	el := time.Since(start).Seconds()
	fi, _ := f.Stat()
	fmt.Printf("raw      COPY: %d rows in %.1fs: %.0f rows/s, %.1f MB/s, peak RSS %.0f MB, load %s\n",
		n, el, float64(n)/el, float64(fi.Size())/1e6/el, peakRSS(), loadAvg())
	return nil
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
	s.row = []any{"BENCH-0001", s.n % 1_000_000, int64(1), s.n, f[2], ts, ids, props}
	return true
}

func (s *csvEvents) Values() ([]any, error) { return s.row, nil }

func (s *csvEvents) Err() error { return s.err }
