package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sluice/internal/apptest"
	"sluice/internal/cli"
	"sluice/internal/store/postgres/pgtest"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	code := cli.Run(context.Background(), cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: getenv}, args)
	return result{code, out.String(), errb.String()}
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestAccountsAndKeys runs the account and key commands on SQLite in the
// data dir and on PostgreSQL (SLUICE_DATABASE_URL, the twin of --database-url).
func TestAccountsAndKeys(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		testAccountsAndKeys(t, map[string]string{"SLUICE_DATA_DIR": t.TempDir()}) // the environment twin of --data-dir
	})
	t.Run("postgres", func(t *testing.T) {
		testAccountsAndKeys(t, map[string]string{"SLUICE_DATA_DIR": t.TempDir(), "SLUICE_DATABASE_URL": pgtest.URL(t)})
	})
}

func testAccountsAndKeys(t *testing.T, env map[string]string) {
	r := run(t, env, "account", "create", "Acme Corp", "--json")
	var acct struct{ ID, Name, Token string }
	if err := json.Unmarshal([]byte(r.stdout), &acct); r.code != 0 || err != nil || !strings.HasPrefix(acct.ID, "ACME-") ||
		!strings.HasPrefix(acct.Token, "sluice_") {
		t.Fatalf("account create: %+v %v", r, err)
	}
	pub, _ := apptest.NewKeyFile(t)
	pubFile := filepath.Join(t.TempDir(), "k.pub")
	os.WriteFile(pubFile, []byte(pub), 0o600)

	cases := []struct {
		name     string
		args     []string
		code     int
		contains string
	}{
		{"add", []string{"key", "add", pubFile, "--account", acct.ID, "--name", "laptop", "--json"}, 0, `"fingerprint": "SHA256:`},
		{"add again", []string{"key", "add", "--account", acct.ID, "--name", "again", pubFile}, 1, "already registered"},
		{"add to unknown account", []string{"key", "add", "--account", "NOPE-0000", "--name", "x", pubFile}, 1, `no account "NOPE-0000"`},
		{"add garbage", []string{"key", "add", "--account", acct.ID, "--name", "x", "-"}, 2, "accepted: ssh-ed25519"},
		{"list", []string{"key", "list", "--account", acct.ID}, 0, "laptop"},
		{"rm unknown", []string{"key", "rm", "--account", acct.ID, "999"}, 1, "no import key 999"},
		{"missing account flag", []string{"key", "list"}, 2, "usage: sluice key list --account ID"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, env, c.args...)
			if r.code != c.code || !strings.Contains(r.stdout+r.stderr, c.contains) {
				t.Fatalf("exit %d, want %d; output %q, want %q", r.code, c.code, r.stdout+r.stderr, c.contains)
			}
		})
	}
	var list struct {
		Keys []struct{ ID int64 } `json:"keys"`
	}
	json.Unmarshal([]byte(run(t, env, "key", "list", "--account", acct.ID, "--json").stdout), &list)
	if len(list.Keys) != 1 {
		t.Fatalf("keys: %+v", list)
	}
	if r := run(t, env, "key", "rm", "--account", acct.ID, "1"); r.code != 0 {
		t.Fatalf("rm: %+v", r)
	}
}

func TestValidate(t *testing.T) {
	dir := t.TempDir()
	manifest := filepath.Join(dir, "m.manifest")
	os.WriteFile(manifest, []byte(`{"type": "event", "fileName": "e.csv", "clientEmail": "a@example.com",
		"columns": {"Amount": {"dataType": "INTEGER"}}}`), 0o600)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o600)
		return p
	}
	good := write("good.csv", "identity,evtName,Amount\nu1,E,1\n")
	bad := write("bad.csv", "identity,evtName,Amount\nu1,E,1\nu2,E,x\n")
	if r := run(t, nil, "validate", "--manifest", manifest, good, "--data-dir", dir); r.code != 0 ||
		!strings.Contains(r.stdout, "succeeded: 1 rows read, 1 would be imported, 0 refused") {
		t.Fatalf("good file: %+v", r)
	}
	r := run(t, nil, "validate", "--manifest", manifest, bad, "--json", "--data-dir", dir)
	var res struct {
		RowsFailed int64  `json:"rowsFailed"`
		ErrorFile  string `json:"errorFile"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 1 || res.RowsFailed != 1 {
		t.Fatalf("bad file: %+v %v", r, err)
	}
	ef, _ := os.ReadFile(res.ErrorFile)
	want := "identity,evtName,Amount,Failure Description\nu2,E,x,\"Amount: \"\"x\"\" is not a valid INTEGER (whole number from -2147483648 to 2147483647)\"\n"
	if res.ErrorFile != filepath.Join(dir, "bad.errors.csv") || string(ef) != want {
		t.Fatalf("error file %s:\n%s\nwant:\n%s", res.ErrorFile, ef, want)
	}
}
