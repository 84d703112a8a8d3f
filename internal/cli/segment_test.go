package cli_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sluice/internal/app"
	"sluice/internal/cli"
	"sluice/internal/httpapi"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/storetest"
)

// segmentDataDir is a data dir whose database holds the segment fixture.
func segmentDataDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(t.Context(), filepath.Join(dir, app.DatabaseFile), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustSegmentFixture(t, db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runCLI runs sluice with args and returns the exit code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut,
		Getenv: func(string) (string, bool) { return "", false }}
	code := cli.Run(t.Context(), env, args)
	return code, out.String(), errOut.String()
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// buyers: bought at least twice in the 30 days before the fixture's now (absolute, as the CLI uses the real clock).
var buyers = `{"event":"Purchased","count":{"gte":2},"within":{"from":"` +
	storetest.SegmentNow.AddDate(0, 0, -30).Format("2006-01-02T15:04:05Z") + `","to":"` +
	storetest.SegmentNow.Format("2006-01-02T15:04:05Z") + `"}}`

func TestSegmentQueryText(t *testing.T) {
	dir := segmentDataDir(t)
	f := writeFile(t, "f.json", buyers)
	code, out, errOut := runCLI(t, "", "segment", "query", "--data-dir", dir, "--account", storetest.SegmentAccount, "--filter", f, "--limit", "1")
	if code != 0 || !strings.HasPrefix(out, "2 profiles match\n") || !strings.Contains(out, "\tidentity=ann objectId=o-ann|o-ann2\n") ||
		strings.Contains(out, "identity=cat") || !strings.HasSuffix(out, "(first 1 shown; sluice segment export writes them all)\n") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}

func TestSegmentQueryJSON(t *testing.T) {
	dir := segmentDataDir(t)
	code, out, errOut := runCLI(t, buyers, "segment", "query", "--data-dir", dir, "--account", storetest.SegmentAccount, "--filter", "-", "--json")
	var q httpapi.QueryJSON
	if err := json.Unmarshal([]byte(out), &q); err != nil || code != 0 {
		t.Fatalf("exit %d %v: %s%s", code, err, out, errOut)
	}
	if q.Count != 2 || len(q.Profiles) != 2 || q.Profiles[1].Identifiers["fbId"][0] != "fb-cat" {
		t.Fatalf("%s", out)
	}
}

func TestSegmentExportFile(t *testing.T) {
	dir := segmentDataDir(t)
	f := writeFile(t, "f.json", buyers)
	out := filepath.Join(t.TempDir(), "out.csv")
	code, _, errOut := runCLI(t, "", "segment", "export", "--data-dir", dir, "--account", storetest.SegmentAccount, "--filter", f,
		"--properties", "City,Age", "-o", out)
	b, err := os.ReadFile(out)
	want := "identity,objectId,fbId,gpId,City,Age\nann,o-ann|o-ann2,,,Mumbai,31\ncat,,fb-cat,,Mumbai,45\n"
	if code != 0 || err != nil || string(b) != want || errOut != "exported 2 profiles to "+out+"\n" {
		t.Fatalf("exit %d: %q %v; stderr %q", code, b, err, errOut)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".*.tmp")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestSegmentExportStdout(t *testing.T) {
	dir := segmentDataDir(t)
	code, out, errOut := runCLI(t, `{"property":"Age","op":"lt","value":18}`, "segment", "export", "--data-dir", dir,
		"--account", storetest.SegmentAccount, "--filter", "-")
	if want := "identity,objectId,fbId,gpId\nbob,,,\n"; code != 0 || out != want {
		t.Fatalf("exit %d %q %s", code, out, errOut)
	}
}

func TestSegmentRefused(t *testing.T) {
	dir := segmentDataDir(t)
	tests := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"no command", "", nil, "say what to do: segment query | segment export"},
		{"unknown command", "", []string{"count"}, `unknown segment command "count"`},
		{"no account", buyers, []string{"query", "--filter", "-"}, "--account and --filter are required"},
		{"bad filter names the path", `{"all":[{"property":"Age","op":"bigger","value":1}]}`,
			[]string{"query", "--account", "A", "--filter", "-"}, `-: filter.all[0].op: "bigger" is not one of`},
		{"missing file", "", []string{"export", "--account", "A", "--filter", "/nonexistent/f.json"}, "read filter"},
		{"bad properties", buyers, []string{"export", "--account", "A", "--filter", "-", "--properties", "a;b"}, `"a;b" is not a property name`},
		{"bad limit", buyers, []string{"query", "--account", "A", "--filter", "-", "--limit", "0"}, "--limit must be"},
		{"unknown flag", buyers, []string{"query", "--acount", "A"}, "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"segment"}, tc.args...)
			if len(tc.args) > 0 {
				args = append(args, "--data-dir", dir)
			}
			code, _, errOut := runCLI(t, tc.stdin, args...)
			// Flag parse errors exit 1 in cli.Run; refusals of ours exit 2.
			if code == 0 || (tc.name != "unknown flag" && code != 2) || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit 2 with %q", code, errOut, tc.want)
			}
		})
	}
}
