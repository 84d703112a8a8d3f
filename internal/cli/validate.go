package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sluice/internal/app"
	"sluice/internal/config"
	"sluice/internal/cryptpgp"
	"sluice/internal/manifest"
	"sluice/internal/pipeline"
)

// progressAbove: files larger than this get a progress line.
const progressAbove = 8 << 20

// validateOpts are validate's flags beyond the store's.
type validateOpts struct {
	manifest, pgpKey, passFile string
	limits                     pipeline.Limits
}

func validate(ctx context.Context, env Env, args []string) error {
	cfg := config.Default()
	var o validateOpts
	bind := func(fs *flag.FlagSet) {
		cfg.StoreFlags(fs)
		cfg.DecodeFlags(fs)
		fs.StringVar(&o.manifest, "manifest", "", "the manifest file (JSON)")
		fs.StringVar(&o.pgpKey, "pgp-key", "", "armored private key file, to validate an encrypted DATA_FILE")
		fs.StringVar(&o.passFile, "passphrase-file", "", "file holding the private key's passphrase (its first line)")
	}
	fs, asJSON, err := flags(env, "validate", &cfg, bind, args)
	if err != nil {
		return err
	}
	if o.manifest == "" || fs.NArg() != 1 {
		return usagef("usage: sluice validate --manifest M [--pgp-key KEY_FILE [--passphrase-file F]] DATA_FILE")
	}
	o.limits = app.DecodeLimits(cfg)
	res, errPath, err := validateFiles(ctx, env, o, fs.Arg(0), asJSON)
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

func validateFiles(ctx context.Context, env Env, o validateOpts, dataPath string, quiet bool) (pipeline.Result, string, error) {
	mj, err := os.ReadFile(o.manifest)
	if err != nil {
		return pipeline.Result{}, "", fmt.Errorf("read manifest: %w", err)
	}
	in, err := validateInput(mj, o, dataPath)
	if err != nil {
		return pipeline.Result{}, "", err
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
	in.Data = bufio.NewReaderSize(data, 1<<20)
	res, err := pipeline.ValidateInput(ctx, mj, in, bw, progress)
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

// validateInput says how to decode the data file: as its own name says
// (events.csv.gz.gpg), or, if that is no data-file name, as the manifest's
// fileName says; encrypted files need --pgp-key.
func validateInput(manifestJSON []byte, o validateOpts, dataPath string) (pipeline.Input, error) {
	in := pipeline.Input{Name: filepath.Base(dataPath), Limits: o.limits}
	if !manifest.IsDataFileName(in.Name) {
		if m, prob := manifest.Parse(manifestJSON); prob == nil {
			in.Name = m.FileName
		}
	}
	if !manifest.Encrypted(in.Name) {
		return in, nil
	}
	if o.pgpKey == "" {
		return in, usagef("%s is encrypted: give its private key with --pgp-key KEY_FILE (and --passphrase-file F if it has one)", in.Name)
	}
	armored, err := os.ReadFile(o.pgpKey)
	if err != nil {
		return in, fmt.Errorf("read --pgp-key: %w", err)
	}
	pass, err := readPassphrase(o.passFile)
	if err != nil {
		return in, err
	}
	e, err := cryptpgp.ParsePrivate(string(armored), pass)
	if err != nil {
		return in, err
	}
	in.Key = cryptpgp.NewKey("the key in "+o.pgpKey, e)
	return in, nil
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
