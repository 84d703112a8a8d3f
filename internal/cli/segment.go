// Package cli holds sluice's command-line commands.
//
// This file is `sluice segment query` and `sluice segment export`. The
// commands take an open store, so the CLI's main dispatcher (which opens the
// store from the config) only has to call Segment with the arguments after
// "segment".
package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/segment"
	"sluice/internal/segment/export"
	"sluice/internal/store"
)

// SegmentEnv is what the segment commands use.
type SegmentEnv struct {
	Store  store.Segments
	Now    func() time.Time // nil: time.Now
	Stdin  io.Reader        // for --filter -
	Stdout io.Writer
	Stderr io.Writer
}

const segmentUsage = `usage:
  sluice segment query  --account ID --filter F.json [--limit N] [--json]
  sluice segment export --account ID --filter F.json [--properties a,b] [-o out.csv]
--filter - reads the filter from standard input. The filter is the JSON of
SPEC section 10, e.g. {"all": [{"property": "City", "op": "eq", "value": "Mumbai"},
{"event": "Purchased", "count": {"gte": 2}, "within": {"lastDays": 30}}]}`

// Segment runs `sluice segment <query|export> …`; args start after "segment".
func Segment(ctx context.Context, env SegmentEnv, args []string) error {
	if len(args) == 0 {
		return errs.E(errs.Invalid, "%s", segmentUsage)
	}
	switch args[0] {
	case "query":
		return segmentQuery(ctx, env, args[1:])
	case "export":
		return segmentExport(ctx, env, args[1:])
	}
	return errs.E(errs.Invalid, "unknown segment command %q\n%s", args[0], segmentUsage)
}

// segmentFlags are the flags both commands share.
type segmentFlags struct {
	account, filter string
}

func (f *segmentFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.account, "account", "", "account id (required)")
	fs.StringVar(&f.filter, "filter", "", "file holding the filter JSON, or - for standard input (required)")
}

func (f *segmentFlags) query(env SegmentEnv) (store.SegmentQuery, error) {
	if f.account == "" || f.filter == "" {
		return store.SegmentQuery{}, errs.E(errs.Invalid, "--account and --filter are required\n%s", segmentUsage)
	}
	raw, err := readFilter(env.Stdin, f.filter)
	if err != nil {
		return store.SegmentQuery{}, err
	}
	n, err := segment.Parse(raw)
	if err != nil {
		return store.SegmentQuery{}, errs.E(errs.Invalid, "%s: %v", f.filter, err)
	}
	now := time.Now
	if env.Now != nil {
		now = env.Now
	}
	return store.SegmentQuery{Filter: n, Now: now()}, nil
}

func readFilter(stdin io.Reader, name string) ([]byte, error) {
	if name == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 1<<20))
		if err != nil {
			return nil, fmt.Errorf("read filter from standard input: %w", err)
		}
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, errs.E(errs.Invalid, "read filter: %v", err)
	}
	return b, nil
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("sluice segment "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

func segmentQuery(ctx context.Context, env SegmentEnv, args []string) error {
	var f segmentFlags
	fs := newFlagSet("query", env.Stderr)
	f.register(fs)
	limit := fs.Int("limit", store.DefaultLimit, "profiles to list (the first page), 1 to 1000")
	asJSON := fs.Bool("json", false, "print JSON, as POST /api/v1/segments/query answers")
	if err := fs.Parse(args); err != nil {
		return errs.E(errs.Invalid, "%v", err)
	}
	if *limit < 1 || *limit > store.MaxLimit {
		return errs.E(errs.Invalid, "--limit must be from 1 to %d", store.MaxLimit)
	}
	q, err := f.query(env)
	if err != nil {
		return err
	}
	out, err := runQuery(ctx, env.Store, f.account, q, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return printQuery(env.Stdout, out)
}

func runQuery(ctx context.Context, st store.Segments, acct string, q store.SegmentQuery, limit int) (httpapi.QueryJSON, error) {
	var out httpapi.QueryJSON
	var err error
	if out.Count, err = st.CountSegment(ctx, acct, q); err != nil {
		return out, err
	}
	ps, err := st.SegmentProfiles(ctx, acct, q, 0, limit)
	if err != nil {
		return out, err
	}
	out.Profiles = make([]httpapi.ProfileJSON, len(ps))
	for i, p := range ps {
		out.Profiles[i] = httpapi.ProfileOf(p)
	}
	return out, nil
}

func printQuery(w io.Writer, out httpapi.QueryJSON) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d profiles match\n", out.Count)
	for _, p := range out.Profiles {
		var ids []string
		for _, kind := range []string{"identity", "objectId", "fbId", "gpId"} {
			if vs := p.Identifiers[kind]; len(vs) > 0 {
				ids = append(ids, kind+"="+strings.Join(vs, export.Sep))
			}
		}
		fmt.Fprintf(&b, "%d\t%s\n", p.ID, strings.Join(ids, " "))
	}
	if n := int64(len(out.Profiles)); n < out.Count {
		fmt.Fprintf(&b, "(first %d shown; sluice segment export writes them all)\n", n)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func segmentExport(ctx context.Context, env SegmentEnv, args []string) error {
	var f segmentFlags
	fs := newFlagSet("export", env.Stderr)
	f.register(fs)
	propList := fs.String("properties", "", "properties to export after the identifier columns, comma-separated")
	outPath := fs.String("o", "", "write the CSV to this file (default: standard output)")
	if err := fs.Parse(args); err != nil {
		return errs.E(errs.Invalid, "%v", err)
	}
	props, err := export.ParseProperties(*propList)
	if err != nil {
		return err
	}
	q, err := f.query(env)
	if err != nil {
		return err
	}
	if *outPath == "" {
		_, err := export.Run(ctx, env.Store, f.account, q, props, env.Stdout)
		return err
	}
	n, err := exportToFile(ctx, env.Store, f.account, q, props, *outPath)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "exported %d profiles to %s\n", n, *outPath)
	return nil
}

// exportToFile writes next to path and renames when complete, so that a
// failed export never leaves a file that looks whole.
func exportToFile(ctx context.Context, src export.Source, acct string, q store.SegmentQuery, props []string, path string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return 0, fmt.Errorf("create output: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o644); err != nil {
		return 0, fmt.Errorf("create output: %w", err)
	}
	n, err := export.Run(ctx, src, acct, q, props, tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return n, fmt.Errorf("write %s: %w", path, err)
	}
	return n, nil
}
