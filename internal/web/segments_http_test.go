package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/httpapi"
)

// importSamples uploads the sample profiles and events over SFTP and waits
// for both imports to succeed.
func importSamples(t *testing.T, a *apptest.Account) {
	t.Helper()
	td, _ := filepath.Abs("../app/testdata")
	a.SFTP(fmt.Sprintf("put %[1]s/profiles.csv\nput %[1]s/profiles.manifest\nput %[1]s/events.csv\nput %[1]s/events.manifest\n", td), false)
	for _, m := range []string{"profiles.manifest", "events.manifest"} {
		if imp := a.ImportByManifest(m, 15*time.Second); imp.Status != "succeeded" {
			t.Fatalf("import of %s: %s %s", m, imp.Status, imp.Error)
		}
	}
}

// apiCount is the API's count of a filter.
func apiCount(t *testing.T, a *apptest.Account, filter string) int64 {
	t.Helper()
	var out httpapi.QueryJSON
	if code := a.API("POST", "/api/v1/segments/query", map[string]json.RawMessage{"filter": json.RawMessage(filter)}, &out); code != 200 {
		t.Fatalf("API query %s: %d", filter, code)
	}
	return out.Count
}

type countAnswer struct {
	Count     *int64
	CountText string
	Table     string
	JSON      string
	FromJSON  bool
	Fits      bool
	Rows      *string
	JSONError string
	RowErrors map[string]string
}

func (b *browserish) count(form url.Values) (int, countAnswer) {
	b.t.Helper()
	post := url.Values{"csrf": {b.csrf}}
	for k, v := range form {
		post[k] = v
	}
	resp, body := b.do("POST", "/segments/count", post)
	var out countAnswer
	if resp.StatusCode == 200 || resp.StatusCode == 400 {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			b.t.Fatalf("count answer %d %q: %v", resp.StatusCode, body, err)
		}
	}
	return resp.StatusCode, out
}

// rockForm is the form with one row: Playlist contains Rock.
func rockForm() url.Values {
	return url.Values{"match": {"all"}, "c0-kind": {"property"}, "c0-prop": {"Playlist"}, "c0-op": {"contains"}, "c0-value": {"Rock"}}
}

// TestSegmentCount: the live count agrees with the API, shows the filter's
// JSON and its rows, and names the bad part of a malformed filter.
func TestSegmentCount(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme := env.NewAccount("Acme")
	importSamples(t, acme)
	a := newClient(t, env.HTTP, nil)
	a.logIn(acme.Token)

	code, got := a.count(rockForm())
	want := apiCount(t, acme, `{"property":"Playlist","op":"contains","value":"Rock"}`)
	if code != 200 || got.Count == nil || *got.Count != want || want != 1 || !strings.Contains(got.Table, "user-1") || got.FromJSON {
		t.Fatalf("count: %d %+v; API %d", code, got, want)
	}
	if !strings.Contains(got.JSON, `"property": "Playlist"`) {
		t.Fatalf("JSON of the rows: %q", got.JSON)
	}

	bought := `{"all": [{"event": "Purchased", "count": {"gte": 2}}]}`
	code, got = a.count(url.Values{"json": {bought}, "shown": {""}})
	if code != 200 || *got.Count != apiCount(t, acme, bought) || !got.FromJSON || !got.Fits || got.Rows == nil ||
		!strings.Contains(*got.Rows, `value="Purchased"`) {
		t.Fatalf("JSON that fits the form: %d %+v", code, got)
	}

	code, got = a.count(url.Values{"json": {`{"all": [{"event": "Purchased", "count": {"gte": "2"}}]}`}})
	if code != 400 || got.Count != nil || !strings.HasPrefix(got.JSONError, "filter.all[0].count.gte: ") || got.Fits {
		t.Fatalf("malformed JSON: %d %+v", code, got)
	}
	code, got = a.count(url.Values{"c5-kind": {"property"}, "c5-prop": {"DOB"}, "c5-op": {"lt"}, "c5-value": {"soon"}})
	if code != 400 || !strings.Contains(got.RowErrors["5"], "DOB holds dates") {
		t.Fatalf("a row that is not a filter: %d %+v", code, got)
	}
}

// TestSegmentsWithoutScript drives the page by its buttons alone: add a
// row, show the count and profiles, save, export, delete.
func TestSegmentsWithoutScript(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme := env.NewAccount("Acme")
	importSamples(t, acme)
	a := newClient(t, env.HTTP, nil)
	a.logIn(acme.Token)

	_, page := a.get("/segments")
	if !strings.Contains(page, "4 profiles match.") || !strings.Contains(page, `<option value="Playlist" label="list">`) ||
		!strings.Contains(page, `<option value="Purchased">`) {
		t.Fatalf("empty builder:\n%s", page)
	}
	form := rockForm()
	form.Set("csrf", a.csrf)
	form.Set("do", "add")
	resp, page := a.do("POST", "/segments", form)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="c1-kind"`) || !strings.Contains(page, "1 profile matches.") ||
		!strings.Contains(page, `href="/profiles?identifier=user-1"`) {
		t.Fatalf("add a row: %d\n%s", resp.StatusCode, page)
	}

	form.Set("do", "show")
	form.Set("json", `{"all": [{"property": "Playlist", "op": "oops"}]}`)
	resp, page = a.do("POST", "/segments", form)
	if resp.StatusCode != 400 || !strings.Contains(page, `filter.all[0].op: &#34;oops&#34; is not one of`) {
		t.Fatalf("malformed JSON box: %d\n%s", resp.StatusCode, page)
	}

	form.Del("json")
	form.Set("name", "Rock fans")
	resp, _ = a.do("POST", "/segments/save", form)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/segments/\d+$`).MatchString(loc) {
		t.Fatalf("save: %d %s", resp.StatusCode, loc)
	}
	resp, page = a.do("POST", "/segments/save", form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, `a segment named &#34;Rock fans&#34; already exists`) {
		t.Fatalf("save twice: %d\n%s", resp.StatusCode, page)
	}

	form.Set("properties", "Name, Tier")
	resp, csv := a.do("POST", "/segments/export.csv", form)
	var api []byte
	acme.API("POST", "/api/v1/segments/export.csv", map[string]any{"filter": json.RawMessage(`{"all":[{"property":"Playlist","op":"contains","value":"Rock"}]}`),
		"properties": []string{"Name", "Tier"}}, &api)
	if resp.StatusCode != 200 || csv != string(api) || !strings.HasPrefix(csv, "identity,objectId,fbId,gpId,Name,Tier\n") {
		t.Fatalf("export: %d\n%s\nAPI:\n%s", resp.StatusCode, csv, api)
	}
	form.Set("properties", "Name, Name")
	if resp, page = a.do("POST", "/segments/export.csv", form); resp.StatusCode != 400 || !strings.Contains(page, "given twice") {
		t.Fatalf("export with a column twice: %d", resp.StatusCode)
	}

	_, saved := a.get(loc)
	id := strings.TrimPrefix(loc, "/segments/")
	if !strings.Contains(saved, "Segment “Rock fans”") || !strings.Contains(saved, "1 profile matches.") {
		t.Fatalf("saved page:\n%s", saved)
	}
	resp, csv = a.get(loc + "/export.csv?properties=Tier&properties=Name")
	acme.API("GET", "/api/v1/segments/"+id+"/export.csv?properties=Tier,Name", nil, &api)
	if resp.StatusCode != 200 || csv != string(api) || resp.Header.Get("Content-Disposition") != `attachment; filename="segment-`+id+`.csv"` {
		t.Fatalf("saved export: %d %v\n%s\nAPI:\n%s", resp.StatusCode, resp.Header, csv, api)
	}
	if _, page = a.get("/segments?segment=" + id); !strings.Contains(page, `value="Playlist"`) || !strings.Contains(page, `id="seg-nofit" class="notice" hidden`) {
		t.Fatalf("saved filter in the form:\n%s", page)
	}
	a.get(loc + "/delete")
	resp, _ = a.do("POST", loc+"/delete", url.Values{"csrf": {a.csrf}})
	if _, page = a.get("/segments"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(page, "Segment “Rock fans” deleted.") {
		t.Fatalf("delete: %d\n%s", resp.StatusCode, page)
	}
}

// TestSegmentsStayInTheirAccount: Beta's session counts none of Acme's
// profiles, sees none of its names, and cannot reach its saved segments.
func TestSegmentsStayInTheirAccount(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	acme, beta := env.NewAccount("Acme"), env.NewAccount("Beta")
	importSamples(t, acme)
	var seg httpapi.SegmentJSON
	acme.API("POST", "/api/v1/segments", map[string]any{"name": "acme buyers", "filter": json.RawMessage(`{"event":"Purchased"}`)}, &seg)
	b := newClient(t, env.HTTP, nil)
	b.logIn(beta.Token)

	for _, form := range []url.Values{rockForm(), {"json": {`{"all":[]}`}}, {"json": {`{"event":"Purchased"}`}}} {
		if code, got := b.count(form); code != 200 || got.Count == nil || *got.Count != 0 || strings.Contains(got.Table, "user-") {
			t.Fatalf("beta counts %v: %d %+v", form, code, got)
		}
	}
	if _, page := b.get("/segments"); strings.Contains(page, `value="Playlist"`) || strings.Contains(page, `value="Purchased"`) ||
		strings.Contains(page, "acme buyers") || !strings.Contains(page, "No profile matches.") {
		t.Fatalf("beta's builder shows acme's names or segments:\n%s", page)
	}
	id := fmt.Sprint(seg.ID)
	for _, path := range []string{"/segments/" + id, "/segments/" + id + "/export.csv", "/segments/" + id + "/delete", "/segments?segment=" + id} {
		if resp, body := b.get(path); resp.StatusCode != 404 || strings.Contains(body, "acme buyers") || strings.Contains(body, "user-") {
			t.Fatalf("beta GET %s: %d\n%s", path, resp.StatusCode, body)
		}
	}
	if resp, _ := b.do("POST", "/segments/"+id+"/delete", url.Values{"csrf": {b.csrf}}); resp.StatusCode != 404 {
		t.Fatalf("beta deletes acme's segment: %d", resp.StatusCode)
	}
	if code := acme.API("GET", "/api/v1/segments/"+id, nil, nil); code != 200 {
		t.Fatalf("acme's segment after beta's tries: %d", code)
	}
}
