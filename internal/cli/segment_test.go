package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sluice/internal/cli"
	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/storetest"
)

type segmentRun struct {
	env            cli.SegmentEnv
	stdout, stderr *bytes.Buffer
}

func newSegmentRun(t *testing.T, stdin string) *segmentRun {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	storetest.MustSegmentFixture(t, db)
	r := &segmentRun{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	r.env = cli.SegmentEnv{Store: db, Now: func() time.Time { return storetest.SegmentNow },
		Stdin: strings.NewReader(stdin), Stdout: r.stdout, Stderr: r.stderr}
	return r
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

const buyers = `{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30}}`

func TestSegmentQueryText(t *testing.T) {
	r := newSegmentRun(t, "")
	f := writeFile(t, "f.json", buyers)
	if err := cli.Segment(t.Context(), r.env, []string{"query", "--account", storetest.SegmentAccount, "--filter", f, "--limit", "1"}); err != nil {
		t.Fatal(err)
	}
	out := r.stdout.String()
	if !strings.HasPrefix(out, "2 profiles match\n") || !strings.Contains(out, "\tidentity=ann objectId=o-ann|o-ann2\n") ||
		strings.Contains(out, "identity=cat") || !strings.HasSuffix(out, "(first 1 shown; sluice segment export writes them all)\n") {
		t.Fatalf("output:\n%s", out)
	}
}

func TestSegmentQueryJSON(t *testing.T) {
	r := newSegmentRun(t, buyers)
	if err := cli.Segment(t.Context(), r.env, []string{"query", "--account", storetest.SegmentAccount, "--filter", "-", "--json"}); err != nil {
		t.Fatal(err)
	}
	var out httpapi.QueryJSON
	if err := json.Unmarshal(r.stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v: %s", err, r.stdout)
	}
	if out.Count != 2 || len(out.Profiles) != 2 || out.Profiles[1].Identifiers["fbId"][0] != "fb-cat" {
		t.Fatalf("%s", r.stdout)
	}
}

func TestSegmentExportFile(t *testing.T) {
	r := newSegmentRun(t, "")
	f := writeFile(t, "f.json", buyers)
	out := filepath.Join(t.TempDir(), "out.csv")
	err := cli.Segment(t.Context(), r.env, []string{"export", "--account", storetest.SegmentAccount, "--filter", f,
		"--properties", "City,Age", "-o", out})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	want := "identity,objectId,fbId,gpId,City,Age\nann,o-ann|o-ann2,,,Mumbai,31\ncat,,fb-cat,,Mumbai,45\n"
	if err != nil || string(b) != want || r.stderr.String() != "exported 2 profiles to "+out+"\n" {
		t.Fatalf("%q %v; stderr %q", b, err, r.stderr)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*.tmp"))
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestSegmentExportStdout(t *testing.T) {
	r := newSegmentRun(t, `{"property":"Age","op":"lt","value":18}`)
	if err := cli.Segment(t.Context(), r.env, []string{"export", "--account", storetest.SegmentAccount, "--filter", "-"}); err != nil {
		t.Fatal(err)
	}
	if want := "identity,objectId,fbId,gpId\nbob,,,\n"; r.stdout.String() != want {
		t.Fatalf("%q", r.stdout)
	}
}

func TestSegmentRefused(t *testing.T) {
	bad := "-"
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no command", "", nil, "usage:"},
		{"unknown command", "", []string{"count"}, `unknown segment command "count"`},
		{"no account", buyers, []string{"query", "--filter", "-"}, "--account and --filter are required"},
		{"bad filter names the path", `{"all":[{"property":"Age","op":"bigger","value":1}]}`,
			[]string{"query", "--account", "A", "--filter", bad}, `-: filter.all[0].op: "bigger" is not one of`},
		{"missing file", "", []string{"export", "--account", "A", "--filter", "/nonexistent/f.json"}, "read filter"},
		{"bad properties", buyers, []string{"export", "--account", "A", "--filter", "-", "--properties", "a;b"}, `"a;b" is not a property name`},
		{"bad limit", buyers, []string{"query", "--account", "A", "--filter", "-", "--limit", "0"}, "--limit must be"},
		{"unknown flag", buyers, []string{"query", "--acount", "A"}, "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newSegmentRun(t, tc.stdin)
			err := cli.Segment(t.Context(), r.env, tc.args)
			if !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v; want an invalid error with %q", err, tc.want)
			}
		})
	}
}
