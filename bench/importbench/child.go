package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"sluice/internal/blob"
	"sluice/internal/config"
	"sluice/internal/csvstream"
	"sluice/internal/pipeline"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

// tuning overrides the server defaults of a pipeline run.
type tuning struct {
	batchRows  int // 0: default
	idCacheMiB int // -1: default
	foldRows   int // -1: default
	repeat     int // imports of the file, one after another, into one store
}

func runChild(run, dir string, tune tuning, sq sqlite.Options, pg string) error {
	open, serverCPU := sqliteStore(sq), func() float64 { return 0 }
	if pg != "" {
		open, serverCPU = postgresStore(pg, run), postmasterCPU(pg)
	}
	switch run {
	case "raw":
		if pg != "" {
			return rawCopy(dir, pg)
		}
		return rawInsert(dir)
	case "events":
		return viaPipeline(dir, "events.csv", open, serverCPU, `{"type":"event","fileName":"events.csv","clientEmail":"b@example.com",
			"columns":{"Amount":{"dataType":"FLOAT"},"Quantity":{"dataType":"INTEGER"}}}`, tune)
	case "profiles":
		return viaPipeline(dir, "profiles.csv", open, serverCPU, `{"type":"profile","fileName":"profiles.csv","clientEmail":"b@example.com",
			"columns":{"Age":{"dataType":"INTEGER"},"Score":{"dataType":"FLOAT"}}}`, tune)
	}
	return fmt.Errorf("unknown run %q", run)
}

// opener opens a fresh store for a run (SQLite in its work dir); close
// closes and removes it.
type opener func(ctx context.Context, work string) (st store.Store, close func(), err error)

// sqliteStore opens SQLite with o (zero fields: the store's defaults).
func sqliteStore(o sqlite.Options) opener {
	return func(ctx context.Context, work string) (store.Store, func(), error) {
		st, err := sqlite.Open(ctx, filepath.Join(work, "sluice.db"), o)
		if err != nil {
			return nil, nil, err
		}
		return st, func() { st.Close() }, nil
	}
}

// viaPipeline imports one file through the real pipeline into a fresh store,
// tune.repeat times in a row (the later imports find the earlier ones' users
// and events in the store), printing each import's figures. serverCPU is the
// CPU time the database server used so far, 0 if unknown (SQLite runs in the
// process).
func viaPipeline(dir, name string, open opener, serverCPU func() float64, manifest string, tune tuning) error {
	ctx := context.Background()
	work := filepath.Join(dir, "run-"+name)
	os.RemoveAll(work)
	os.MkdirAll(work, 0o755)
	defer os.RemoveAll(work)
	st, closeStore, err := open(ctx, work)
	if err != nil {
		return err
	}
	defer closeStore()
	blobs, err := blob.NewLocal(filepath.Join(work, "files"))
	if err != nil {
		return err
	}
	st.CreateAccount(ctx, store.Account{ID: "BENCH-0001", Name: "bench", CreatedAt: time.Now()}, []byte("x"))
	os.MkdirAll(filepath.Join(work, "files", "BENCH-0001"), 0o755)
	p := pipeline.New(pipelineConfig(tune), st, blobs)
	p.Start(ctx)
	defer p.Close()
	record := func(n, key string, kind store.UploadKind, size int64) {
		u, _, err := st.RecordUpload(ctx, store.Upload{AccountID: "BENCH-0001", Name: n, Kind: kind, Size: size,
			SHA256: "-", BlobKey: key, CreatedAt: time.Now()})
		if err != nil {
			panic(err)
		}
		p.UploadCompleted(ctx, u)
	}
	fi, _ := os.Stat(filepath.Join(dir, name))
	for i := range max(tune.repeat, 1) {
		upload := name
		if i > 0 {
			upload = fmt.Sprintf("%s-%d%s", strings.TrimSuffix(name, ".csv"), i+1, ".csv")
		}
		// A hard link puts the file in the blob store without copying a gigabyte.
		dataKey, mkey := fmt.Sprintf("BENCH-0001/data-%d", i), fmt.Sprintf("BENCH-0001/manifest-%d", i)
		if err := os.Link(filepath.Join(dir, name), filepath.Join(work, "files", dataKey)); err != nil {
			return err
		}
		record(upload, dataKey, store.KindData, fi.Size())
		m := strings.Replace(manifest, `"fileName":"`+name+`"`, `"fileName":"`+upload+`"`, 1)
		w, _ := blobs.Create(ctx, mkey)
		w.WriteAt([]byte(m), 0)
		w.Commit()
		before := snapshot(serverCPU)
		record(fmt.Sprintf("m-%d.manifest", i), mkey, store.KindManifest, int64(len(m)))
		imp, seen := waitEnd(ctx, st, upload)
		report(upload, imp, seen, before, serverCPU)
	}
	return reportCompaction(work, 2_000_000) // what the store merges: under half of its default epoch
}

func pipelineConfig(tune tuning) pipeline.Config {
	cfg := config.Default()
	if tune.batchRows > 0 {
		cfg.BatchRows, cfg.ProfileBatchRows = tune.batchRows, tune.batchRows
	}
	if tune.foldRows >= 0 {
		cfg.ProfileFoldRows = tune.foldRows
	}
	if tune.idCacheMiB >= 0 {
		cfg.IdentityCacheMiB = tune.idCacheMiB
	}
	return pipeline.Config{Workers: 1, BatchRows: cfg.BatchRows, ProfileBatchRows: cfg.ProfileBatchRows, ProfileFoldRows: cfg.ProfileFoldRows,
		IdentityCacheMiB: cfg.IdentityCacheMiB, LeaseDuration: time.Minute,
		WaitTimeout: time.Minute, PollEvery: 50 * time.Millisecond, Logger: foldLogger()}
}

// counters are this process's totals before an import, so that each import
// of a run reports its own CPU time and bytes written.
type counters struct{ cpu, server, wchar, storage float64 }

func snapshot(serverCPU func() float64) counters {
	return counters{cpuSeconds(), serverCPU(), procField("/proc/self/io", "wchar:"), procField("/proc/self/io", "write_bytes:")}
}

// report prints an import's figures. Its time runs from its start until it
// was seen ended: finished_at is stamped before the final transaction, which
// indexes the last waiting events (polled every 100 ms).
func report(name string, imp store.Import, seen time.Time, before counters, serverCPU func() float64) {
	now := snapshot(serverCPU)
	el := seen.Sub(*imp.StartedAt).Seconds()
	rows := float64(imp.RowsRead)
	fmt.Printf("%-8s %s: %d rows (%d refused) in %.1fs: %.0f rows/s, %.1f MB/s, peak RSS %.0f MB, %.0f rows per CPU-second, load %s\n",
		name, imp.Status, imp.RowsRead, imp.RowsFailed, el, rows/el, float64(imp.BytesRead)/1e6/el, peakRSS(),
		rows/(now.cpu-before.cpu), loadAvg())
	if srv := now.server - before.server; srv > 0 {
		fmt.Printf("         server CPU %.1fs; %.0f rows per CPU-second of client and server\n", srv,
			rows/(now.cpu-before.cpu+srv))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("         Go memory: %.0f MB obtained from the OS, heap peak goal %.0f MB\n", float64(ms.Sys)/1e6, float64(ms.NextGC)/1e6)
	fmt.Printf("         written: %s\n", written(before, rows))
}

func waitEnd(ctx context.Context, st store.Store, name string) (store.Import, time.Time) {
	for {
		imps, _ := st.ListImports(ctx, "BENCH-0001", store.ImportFilter{})
		for _, imp := range imps {
			if imp.FileName == name && imp.Status.Ended() {
				return imp, time.Now()
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rawInsert is the reference: the same event rows parsed, their JSON
// written by hand, and inserted 64 rows a statement (bound in one call, see
// execOneCall), 20,000 a transaction,
// into the same schema (the events table and its index), with the same
// page cache as the pipeline's writer. It resolves no identifiers.
func rawInsert(dir string) error {
	ctx := context.Background()
	work := filepath.Join(dir, "run-raw")
	os.RemoveAll(work)
	os.MkdirAll(work, 0o755)
	defer os.RemoveAll(work)
	st, err := sqlite.Open(ctx, filepath.Join(work, "sluice.db"), sqlite.Options{})
	if err != nil {
		return err
	}
	st.Close() // migrated: the schema is in place
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(work, "sluice.db")+"?_journal_mode=WAL&_synchronous=NORMAL&_cache_size=-32768")
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := os.Open(filepath.Join(dir, "events.csv"))
	if err != nil {
		return err
	}
	defer f.Close()
	start := time.Now()
	n, err := insertRows(ctx, db, csvstream.NewReader(bufio.NewReaderSize(f, 1<<20), 0))
	if err != nil {
		return err
	}
	el := time.Since(start).Seconds()
	fi, _ := f.Stat()
	fmt.Printf("raw      INSERT: %d rows in %.1fs: %.0f rows/s, %.1f MB/s, peak RSS %.0f MB, %.0f rows per CPU-second\n",
		n, el, float64(n)/el, float64(fi.Size())/1e6/el, peakRSS(), float64(n)/cpuSeconds())
	fmt.Printf("         written: %s\n", written(counters{}, float64(n)))
	return nil
}

func insertRows(ctx context.Context, db *sql.DB, r *csvstream.Reader) (int, error) {
	r.Read() // header
	const per, perTx = 64, 20000
	q := func(rows int) string {
		return `INSERT OR FAIL INTO events (account_id, profile_id, import_id, row, name, ts, identifiers, props) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?),", rows), ",")
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer func() { tx.Rollback() }()
	stmt, err := tx.Prepare(q(per))
	if err != nil {
		return 0, err
	}
	n := 0
	args := make([]any, 0, per*8)
	for {
		f, _, err := r.Read()
		if err == io.EOF {
			break
		}
		n++
		ids := fmt.Appendf(nil, `{"identity":%q}`, f[0])
		amount, _ := strconv.ParseFloat(f[3], 64)
		qty, _ := strconv.Atoi(f[6])
		props := fmt.Appendf(nil, `{"Amount":%v,"Category":%q,"Currency":%q,"PaymentMode":%q,"Quantity":%d}`,
			amount, f[5], f[4], f[7], qty)
		ts, _ := strconv.ParseInt(f[1], 10, 64)
		args = append(args, "BENCH-0001", n%1_000_000, 1, n, f[2], ts, ids, props)
		if len(args) < cap(args) {
			continue
		}
		if err := execOneCall(stmt, args); err != nil {
			return n, err
		}
		args = args[:0]
		if n%(perTx/per*per) == 0 { // a transaction of about perTx rows
			if err := tx.Commit(); err != nil {
				return n, err
			}
			if tx, err = db.BeginTx(ctx, nil); err != nil {
				return n, err
			}
			if stmt, err = tx.Prepare(q(per)); err != nil {
				return n, err
			}
		}
	}
	if len(args) > 0 {
		if _, err := tx.Exec(q(len(args)/8), args...); err != nil {
			return n, err
		}
	}
	return n, tx.Commit()
}

// execOneCall runs an INSERT through Query, as the pipeline's SQLite store
// does: go-sqlite3 then binds all of its arguments and runs it in one call
// into C instead of one call per argument.
func execOneCall(stmt *sql.Stmt, args []any) error {
	rows, err := stmt.Query(args...)
	if err != nil {
		return err
	}
	return rows.Close()
}

// foldLogger shows the pipeline's "profile changes folded" lines (entries,
// time taken) and drops the rest.
func foldLogger() *slog.Logger {
	return slog.New(onlyMessage{slog.NewTextHandler(os.Stdout, nil), "profile changes folded"})
}

type onlyMessage struct {
	slog.Handler
	msg string
}

func (h onlyMessage) Handle(ctx context.Context, r slog.Record) error {
	if r.Message != h.msg {
		return nil
	}
	return h.Handler.Handle(ctx, r)
}
