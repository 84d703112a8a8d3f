package app_test

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/config"
	"sluice/internal/httpapi"
	"sluice/internal/store"
	"sluice/internal/weedtest"
)

// TestSamplesOverSFTP uploads the sample files with OpenSSH's sftp and checks
// the stored profiles and events through the API, field by field, on each
// store and with the files in the data dir and in an S3 bucket (SeaweedFS).
func TestSamplesOverSFTP(t *testing.T) {
	tests := []struct {
		name string
		cfg  func(t *testing.T) config.Config
	}{
		{"sqlite/local", func(t *testing.T) config.Config { return apptest.Config(t) }},
		{"sqlite/s3", func(t *testing.T) config.Config {
			cfg := apptest.Config(t)
			cfg.BlobURL = weedtest.URL(t)
			return cfg
		}},
		{"postgres/local", postgresConfig},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg(t)
			env := apptest.Start(t, cfg)
			checkSamples(t, env)
			_, err := os.Stat(filepath.Join(cfg.DataDir, "files"))
			if local := cfg.BlobURL == ""; local == errors.Is(err, fs.ErrNotExist) {
				t.Errorf("blob url %q: the data dir's files folder: %v", cfg.BlobURL, err)
			}
		})
	}
}

func checkSamples(t *testing.T, env *apptest.Env) {
	acct := env.NewAccount("Acme")
	td, _ := filepath.Abs("testdata")
	acct.SFTP(fmt.Sprintf("put %[1]s/events.csv\nput %[1]s/events.manifest\nput %[1]s/profiles.csv\nput %[1]s/profiles.manifest\n", td), false)

	ev := acct.ImportByManifest("events.manifest", 10*time.Second)
	pr := acct.ImportByManifest("profiles.manifest", 10*time.Second)
	for _, imp := range []httpapi.ImportJSON{ev, pr} {
		if imp.Status != store.StatusSucceeded || imp.RowsFailed != 0 || imp.BytesRead != imp.SizeBytes || imp.FinishedAt == nil {
			t.Fatalf("import %+v", imp)
		}
	}
	if ev.RowsImported != 4 || pr.RowsImported != 5 {
		t.Fatalf("rows imported: events %d, profiles %d", ev.RowsImported, pr.RowsImported)
	}

	var p httpapi.ProfileJSON
	if code := acct.API("GET", "/api/v1/profiles/user-1", nil, &p); code != http.StatusOK {
		t.Fatalf("profile: %d", code)
	}
	want := map[string]any{"Name": "Asha", "Email": "asha@example.com", "Phone": "+919876543210",
		"Playlist": []any{"Rock"}, "Tier": "gold", "MSG-sms": true, "MSG-dndSMS": false, "DOB": "1990-08-15T00:00:01Z"}
	if !reflect.DeepEqual(p.Properties, want) || !reflect.DeepEqual(p.Identifiers, map[string][]string{"identity": {"user-1"}}) {
		t.Fatalf("user-1:\n got %#v %v\nwant %#v", p.Properties, p.Identifiers, want)
	}
	var p2, p4 httpapi.ProfileJSON
	acct.API("GET", "/api/v1/profiles/user-2", nil, &p2)
	if _, has := p2.Properties["Playlist"]; has || p2.Properties["Name"] != "Ben" {
		t.Fatalf("user-2 must have no Playlist after $remove on an absent list: %v", p2.Properties)
	}
	acct.API("GET", "/api/v1/profiles/user-4", nil, &p4)
	if p4.Properties["Name"] != "Diana" || !reflect.DeepEqual(p4.Properties["Playlist"], []any{"Pop", "Indie"}) {
		t.Fatalf("user-4: the later row must win: %v", p4.Properties)
	}

	var evs struct {
		Events []httpapi.EventJSON `json:"events"`
	}
	acct.API("GET", "/api/v1/events?identity=user-1&name=Purchased", nil, &evs)
	if len(evs.Events) != 2 {
		t.Fatalf("user-1 events: %+v", evs)
	}
	e := evs.Events[1]
	if e.Time != time.Unix(1700000000, 0).UTC() || e.ImportID != ev.ID || e.Properties["Amount"] != 199.99 ||
		e.Properties["Quantity"] != float64(2) || e.Properties["PaymentMode"] != "UPI" || e.Identifiers["identity"] != "user-1" {
		t.Fatalf("event %+v", e)
	}
	if out, _ := acct.SFTP("ls -1\n", false); strings.Contains(out, "events.csv") {
		t.Fatalf("processed files still listed:\n%s", out)
	}
}
