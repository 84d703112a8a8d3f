package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"sluice/internal/config"
	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/record"
	"sluice/internal/segment"
	"sluice/internal/segment/export"
	"sluice/internal/store"
)

const segmentUsage = `usage:
  sluice segment query  --account ID --filter F.json [--limit N] [--json]
  sluice segment export --account ID --filter F.json [--properties a,b] [-o out.csv]
--filter - reads the filter from standard input. A filter is the JSON of a
segment (SPEC section 10), e.g. {"all": [{"property": "City", "op": "eq", "value": "Mumbai"},
{"event": "Purchased", "count": {"gte": 2}, "within": {"lastDays": 30}}]}`

// segmentCmd runs `sluice segment query|export …`.
func segmentCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		return usagef("say what to do: segment query | segment export\n%s", segmentUsage)
	}
	switch args[0] {
	case "query":
		return segmentQuery(ctx, env, args[1:])
	case "export":
		return segmentExport(ctx, env, args[1:])
	}
	return usagef("unknown segment command %q: use query or export\n%s", args[0], segmentUsage)
}

// segmentFlags are the flags both commands share.
type segmentFlags struct {
	cfg             config.Config
	account, filter string
}

func (f *segmentFlags) bind(fs *flag.FlagSet) {
	f.cfg.StoreFlags(fs)
	fs.StringVar(&f.account, "account", "", "the account id (e.g. ACME-4W5Z)")
	fs.StringVar(&f.filter, "filter", "", "file holding the filter JSON, or - for standard input")
}

// query reads and validates the filter; "last N days" counts back from now.
func (f *segmentFlags) query(stdin io.Reader) (store.SegmentQuery, error) {
	if f.account == "" || f.filter == "" {
		return store.SegmentQuery{}, usagef("--account and --filter are required\n%s", segmentUsage)
	}
	raw, err := readFilter(stdin, f.filter)
	if err != nil {
		return store.SegmentQuery{}, err
	}
	n, err := segment.Parse(raw)
	if err != nil {
		return store.SegmentQuery{}, errs.E(errs.Invalid, "%s: %v", f.filter, err)
	}
	return store.SegmentQuery{Filter: n, Now: time.Now()}, nil
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

func segmentQuery(ctx context.Context, env Env, args []string) error {
	f := segmentFlags{cfg: config.Default()}
	limit := store.DefaultLimit
	bind := func(fs *flag.FlagSet) {
		f.bind(fs)
		fs.IntVar(&limit, "limit", limit, "profiles to list (the first page), 1 to 1000")
	}
	_, asJSON, err := flags(env, "segment query", &f.cfg, bind, args)
	if err != nil {
		return err
	}
	if limit < 1 || limit > store.MaxLimit {
		return usagef("--limit must be from 1 to %d", store.MaxLimit)
	}
	q, err := f.query(env.Stdin)
	if err != nil {
		return err
	}
	return withStore(ctx, f.cfg, func(st store.Store) error {
		out, err := runQuery(ctx, st, f.account, q, limit)
		if err != nil {
			return err
		}
		if asJSON {
			return printJSON(env.Stdout, out)
		}
		return printQuery(env.Stdout, out)
	})
}

// runQuery answers as POST /api/v1/segments/query does: the count and the first page.
func runQuery(ctx context.Context, st store.Segments, acct string, q store.SegmentQuery, limit int) (httpapi.QueryJSON, error) {
	var out httpapi.QueryJSON
	n, ps, err := httpapi.SegmentPage(ctx, st, acct, q, 0, limit)
	if err != nil {
		return out, err
	}
	out.Count = n
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
		for _, kind := range record.IdentifierKinds {
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

func segmentExport(ctx context.Context, env Env, args []string) error {
	f := segmentFlags{cfg: config.Default()}
	var propList, outPath string
	bind := func(fs *flag.FlagSet) {
		f.bind(fs)
		fs.StringVar(&propList, "properties", "", "properties to export after the identifier columns, comma-separated")
		fs.StringVar(&outPath, "o", "", "write the CSV to this file (default: standard output)")
	}
	if _, _, err := flags(env, "segment export", &f.cfg, bind, args); err != nil {
		return err
	}
	props, err := export.ParseProperties(propList)
	if err != nil {
		return err
	}
	q, err := f.query(env.Stdin)
	if err != nil {
		return err
	}
	return withStore(ctx, f.cfg, func(st store.Store) error {
		if outPath == "" {
			_, err := export.Run(ctx, st, f.account, q, props, env.Stdout)
			return err
		}
		n, err := exportToFile(ctx, st, f.account, q, props, outPath)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "exported %d profiles to %s\n", n, outPath)
		return nil
	})
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
