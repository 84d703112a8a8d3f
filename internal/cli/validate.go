package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"sluice/internal/config"
	"sluice/internal/pipeline"
)

// progressAbove: files larger than this get a progress line.
const progressAbove = 8 << 20

func validate(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	var manifestPath string
	bind := func(fs *flag.FlagSet) {
		cfg.StoreFlags(fs)
		fs.StringVar(&manifestPath, "manifest", "", "the manifest file (JSON)")
	}
	fs, asJSON, err := flags(env, "validate", &cfg, bind, args)
	if err != nil {
		return err
	}
	if manifestPath == "" || fs.NArg() != 1 {
		return usagef("usage: sluice validate --manifest M DATA_FILE")
	}
	res, errPath, err := validateFiles(ctx, env, manifestPath, fs.Arg(0), asJSON)
	if err != nil {
		return err
	}
	if asJSON {
		err = printJSON(env.Stdout, validateJSON(res, errPath))
	} else {
		printResult(env, res, errPath)
	}
	if err == nil && (res.Error != "" || res.RowsFailed > 0) {
		return exitCode(1) // scripts can tell a clean file from one with refusals
	}
	return err
}

func validateFiles(ctx context.Context, env Env, manifestPath, dataPath string, quiet bool) (pipeline.Result, string, error) {
	mj, err := os.ReadFile(manifestPath)
	if err != nil {
		return pipeline.Result{}, "", fmt.Errorf("read manifest: %w", err)
	}
	data, err := os.Open(dataPath)
	if err != nil {
		return pipeline.Result{}, "", fmt.Errorf("open data file: %w", err)
	}
	defer data.Close()
	st, err := data.Stat()
	if err != nil {
		return pipeline.Result{}, "", err
	}
	errPath := ErrorFilePath(dataPath)
	out, err := os.Create(errPath)
	if err != nil {
		return pipeline.Result{}, "", fmt.Errorf("create error file: %w", err)
	}
	bw := bufio.NewWriterSize(out, 256<<10)
	var progress func(int64)
	if !quiet && st.Size() > progressAbove {
		progress = progressLine(env, st.Size())
	}
	res, err := pipeline.Validate(ctx, mj, bufio.NewReaderSize(data, 1<<20), bw, progress)
	if progress != nil {
		fmt.Fprintln(env.Stderr)
	}
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if res.Error != "" && res.ErrorBytes == 0 {
		os.Remove(errPath) // a file-level failure has no error file
		errPath = ""
	}
	return res, errPath, err
}

// ErrorFilePath is where validate writes the error file: next to the data
// file, named <base>.errors.csv.
func ErrorFilePath(dataPath string) string {
	dir, name := "", dataPath
	if i := strings.LastIndexByte(dataPath, '/'); i >= 0 {
		dir, name = dataPath[:i+1], dataPath[i+1:]
	}
	for _, ext := range []string{".asc", ".gpg", ".pgp", ".gz", ".csv"} {
		name = strings.TrimSuffix(name, ext)
	}
	return dir + name + ".errors.csv"
}

func progressLine(env Env, total int64) func(int64) {
	start := time.Now()
	return func(n int64) {
		el := time.Since(start).Seconds()
		rate := float64(n) / 1e6 / max(el, 1e-9)
		fmt.Fprintf(env.Stderr, "\r%5.1f%%  %d of %d MB  %.0f MB/s", 100*float64(n)/float64(total), n>>20, total>>20, rate)
	}
}

func validateJSON(r pipeline.Result, errPath string) map[string]any {
	return map[string]any{
		"type": r.Type, "error": r.Error, "rowsRead": r.RowsRead, "rowsImported": r.RowsImported,
		"rowsFailed": r.RowsFailed, "bytesRead": r.BytesRead, "errorFile": errPath,
	}
}

func printResult(env Env, r pipeline.Result, errPath string) {
	if r.Error != "" {
		fmt.Fprintf(env.Stdout, "failed: %s\n", r.Error)
		return
	}
	status := "succeeded"
	if r.RowsFailed > 0 {
		status = "partial"
	}
	fmt.Fprintf(env.Stdout, "%s: %d rows read, %d would be imported, %d refused\n", status, r.RowsRead, r.RowsImported, r.RowsFailed)
	if r.RowsFailed > 0 {
		fmt.Fprintf(env.Stdout, "refused rows and their reasons: %s\n", errPath)
	}
}
