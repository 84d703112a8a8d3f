package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"sluice/internal/apptest"
	"sluice/internal/hostkey"
	"sluice/internal/httpapi"
)

// TestHostKeysKeptOnUpgrade: an install from before host keys moved into
// the store keeps its identity (the key files are imported), and the keys
// stay the same across restarts without the files.
func TestHostKeysKeptOnUpgrade(t *testing.T) {
	cfg := apptest.Config(t)
	old, err := hostkey.LoadOrCreate(filepath.Join(cfg.DataDir, "hostkeys"))
	if err != nil {
		t.Fatal(err)
	}
	var want []httpapi.HostKey
	for _, f := range hostkey.Fingerprints(old) {
		want = append(want, httpapi.HostKey{Type: f.Type, Fingerprint: f.SHA256})
	}
	for start := range 2 {
		env := apptest.Start(t, cfg)
		acct := env.NewAccount("Acme")
		var info httpapi.ServerInfo
		if code := acct.API("GET", "/api/v1/server", nil, &info); code != http.StatusOK {
			t.Fatalf("server info: %d", code)
		}
		if len(info.HostKeys) != len(want) || info.HostKeys[0] != want[0] || info.HostKeys[1] != want[1] {
			t.Fatalf("start %d presents %v; the key files held %v", start+1, info.HostKeys, want)
		}
		if err := env.App.Close(); err != nil {
			t.Fatal(err)
		}
		// From now on the keys can only come from the database.
		if err := os.RemoveAll(filepath.Join(cfg.DataDir, "hostkeys")); err != nil {
			t.Fatal(err)
		}
	}
}
