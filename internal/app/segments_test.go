package app_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/config"
	"sluice/internal/httpapi"
	"sluice/internal/store/storetest"
)

// The segment fixture of storetest as customers send it: CSV files and
// manifests. Two profile files because fay's columns carry other types.
const (
	segProfilesCSV = "identity,objectId,fbId,gpId,City,Age,Score,VIP,DOB,Playlist,Playlist.operation,MSG-email,MSG-dndEmail,MSG-sms,Note,Tier\n" +
		"ann,o-ann,,,Mumbai,31,2.5,true,1990/05/01 00:00:01,Rock,$add,true,false,,,\n" +
		"ann,o-ann2,,,,,,,,Jazz,$add,,,,,\n" +
		"bob,,,,Delhi,17,9,false,2008/03/10 00:00:01,Pop,$add,false,,,,\n" +
		"bob,,,,,,,,,R&B,$add,,,,,\n" +
		"cat,,fb-cat,,Mumbai,45,7.25,,1979/12/31 00:00:01,Rock,$add,,true,,likes rock and roll,gold\n" +
		"dan,,,,Navi Mumbai,21,,,,,,,,false,,silver\n" +
		",,fb-eve,gp-eve,,,,,,,,,,,,\n"
	segProfilesManifest = `{"type": "profile", "fileName": "profiles.csv", "clientEmail": "data@example.com", "columns": {
		"Age": {"dataType": "INTEGER"}, "Score": {"dataType": "FLOAT"}, "VIP": {"dataType": "BOOLEAN"},
		"DOB": {"dataType": "DATE", "dateFormat": "yyyy/MM/dd HH:mm:ss"},
		"MSG-email": {"dataType": "BOOLEAN"}, "MSG-dndEmail": {"dataType": "BOOLEAN"}, "MSG-sms": {"dataType": "BOOLEAN"}}}`
	segFayCSV      = "identity,Age,Tier,DOB\nfay,30,3,1990-05-01T00:00:01Z\n"
	segFayManifest = `{"type": "profile", "fileName": "fay.csv", "clientEmail": "data@example.com",
		"columns": {"Tier": {"dataType": "INTEGER"}}}`
	segEventsManifest = `{"type": "event", "fileName": "events.csv", "clientEmail": "data@example.com",
		"columns": {"Price": {"dataType": "FLOAT"}}}`
)

// segEventsCSV writes storetest.SegmentEvents with times counted back from storetest.SegmentNow.
func segEventsCSV() string {
	var b strings.Builder
	b.WriteString("identity,fbId,ts,evtName,Price,Currency\n")
	for _, e := range storetest.SegmentEvents() {
		identity, fb := e.User, ""
		if strings.HasPrefix(e.User, "fb-") {
			identity, fb = "", e.User
		}
		price, currency := "", ""
		if v, ok := e.Props["Price"]; ok {
			price = v.Text()
		}
		if v, ok := e.Props["Currency"]; ok {
			currency = v.S
		}
		ts := storetest.SegmentNow.Unix() - int64(e.DaysAgo)*86400
		fmt.Fprintf(&b, "%s,%s,%d,%s,%s,%s\n", identity, fb, ts, e.Name, price, currency)
	}
	return b.String()
}

// importFixture uploads the fixture with sftp and waits for the pipeline.
func importFixture(t *testing.T, a *apptest.Account) {
	t.Helper()
	files := []struct{ data, body, manifest, mbody string }{
		{"profiles.csv", segProfilesCSV, "profiles.manifest", segProfilesManifest},
		{"fay.csv", segFayCSV, "fay.manifest", segFayManifest},
		{"events.csv", segEventsCSV(), "events.manifest", segEventsManifest},
	}
	for _, f := range files {
		a.Upload(f.data, []byte(f.body))
		a.Upload(f.manifest, []byte(f.mbody))
	}
	for _, f := range files {
		if imp := a.ImportByManifest(f.manifest, 60*time.Second); imp.Status != "succeeded" {
			t.Fatalf("import of %s: %+v\n%s", f.manifest, imp, a.ErrorFile(imp.ID))
		}
	}
}

// TestSegmentsOnImportedData: the segment cases hold on data imported
// through SFTP and the real pipeline, and the routes are wired in the app,
// on each store.
func TestSegmentsOnImportedData(t *testing.T) { eachStore(t, testSegmentsOnImportedData) }

func testSegmentsOnImportedData(t *testing.T, cfg config.Config) {
	env := apptest.Start(t, cfg)
	acct := env.NewAccount("Segments")
	other := env.NewAccount("Look-alike")
	importFixture(t, acct)
	other.Upload("profiles.csv", []byte(strings.ReplaceAll(segProfilesCSV, "ann", "zed")))
	other.Upload("profiles.manifest", []byte(segProfilesManifest))
	other.ImportByManifest("profiles.manifest", 60*time.Second)

	t.Run("same data as the store fixture", func(t *testing.T) { checkSameAsFixture(t, env, acct.ID) })
	t.Run("cases", func(t *testing.T) { storetest.CheckSegmentCases(t, env.App.Store, acct.ID) })
	t.Run("api", func(t *testing.T) { checkAPI(t, acct, other) })
}

func checkSameAsFixture(t *testing.T, env *apptest.Env, acct string) {
	for _, want := range storetest.SegmentProfiles() {
		label := want.IDs[0].Value
		p, err := env.App.Store.ProfileByIdentifier(t.Context(), acct, label)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if !reflect.DeepEqual(p.Props, want.Props) || !reflect.DeepEqual(p.Identifiers, want.IDs) {
			t.Errorf("%s imported as %+v %+v\nfixture     %+v %+v", label, p.Identifiers, p.Props, want.IDs, want.Props)
		}
	}
}

func checkAPI(t *testing.T, acct, other *apptest.Account) {
	filter := map[string]any{"all": []any{
		map[string]any{"property": "City", "op": "eq", "value": "Mumbai"},
		map[string]any{"event": "Purchased", "count": map[string]any{"gte": 3}}}}
	var q httpapi.QueryJSON
	if code := acct.API("POST", "/api/v1/segments/query", map[string]any{"filter": filter}, &q); code != http.StatusOK ||
		q.Count != 2 || len(q.Profiles) != 2 || q.Profiles[0].Identifiers["identity"][0] != "ann" {
		t.Fatalf("query: %d %+v", code, q)
	}
	var s httpapi.SegmentJSON
	if code := acct.API("POST", "/api/v1/segments", map[string]any{"name": "loyal in Mumbai", "filter": filter}, &s); code != http.StatusCreated {
		t.Fatalf("save: %d %+v", code, s)
	}
	path := "/api/v1/segments/" + strconv.FormatInt(s.ID, 10)
	var csv []byte
	if code := acct.API("GET", path+"/export.csv?properties=City,DOB", nil, &csv); code != http.StatusOK ||
		string(csv) != "identity,objectId,fbId,gpId,City,DOB\nann,o-ann|o-ann2,,,Mumbai,1990-05-01T00:00:01Z\ncat,,fb-cat,,Mumbai,1979-12-31T00:00:01Z\n" {
		t.Fatalf("export: %d %s", code, csv)
	}
	var e struct{ Error string }
	if code := other.API("GET", path+"/export.csv", nil, &e); code != http.StatusNotFound {
		t.Fatalf("another account's export: %d %+v", code, e)
	}
	bad := map[string]any{"filter": map[string]any{"any": []any{map[string]any{"property": "Age", "op": "bigger", "value": 1}}}}
	if code := acct.API("POST", "/api/v1/segments/query", bad, &e); code != http.StatusBadRequest || !strings.HasPrefix(e.Error, "filter.any[0].op: ") {
		t.Fatalf("malformed filter: %d %+v", code, e)
	}
}
