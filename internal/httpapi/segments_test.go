package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
	"sluice/internal/store/storetest"
)

// tokenAuth maps "tok-<account>" to the account.
type tokenAuth struct{}

func (tokenAuth) Authenticate(ctx context.Context, token string) (store.Account, error) {
	if id, ok := strings.CutPrefix(token, "tok-"); ok {
		return store.Account{ID: id}, nil
	}
	return store.Account{}, errs.E(errs.Unauthorized, "unknown token")
}

// MustSegmentServer serves the API over a SQLite store holding the segment fixture.
func MustSegmentServer(t *testing.T) *httptest.Server {
	t.Helper()
	db := sqlitetest.Open(t, "", sqlite.Options{})
	storetest.MustSegmentFixture(t, db)
	return serve(t, httpapi.Deps{Auth: tokenAuth{}, Store: db, Segments: db, Now: func() time.Time { return storetest.SegmentNow }})
}

func serve(t *testing.T, d httpapi.Deps) *httptest.Server {
	mux := http.NewServeMux()
	httpapi.New(d).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// call sends a request as account acct and returns the status and body.
func call(t *testing.T, srv *httptest.Server, acct, method, path, body string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer tok-"+acct)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func mustDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

type queryOut struct {
	Count    int64                 `json:"count"`
	Profiles []httpapi.ProfileJSON `json:"profiles"`
	Next     *string               `json:"next"`
}

func labels(ps []httpapi.ProfileJSON) []string {
	var out []string
	for _, p := range ps {
		for _, k := range []string{"identity", "objectId", "fbId", "gpId"} {
			if v := p.Identifiers[k]; len(v) > 0 {
				out = append(out, v[0])
				break
			}
		}
	}
	return out
}

func TestSegmentQuery(t *testing.T) {
	srv := MustSegmentServer(t)
	status, b := call(t, srv, storetest.SegmentAccount, "POST", "/api/v1/segments/query",
		`{"filter":{"all":[{"property":"City","op":"eq","value":"Mumbai"},{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30}}]}}`)
	var out queryOut
	mustDecode(t, b, &out)
	if status != 200 || out.Count != 2 || !slices.Equal(labels(out.Profiles), []string{"ann", "cat"}) || out.Next != nil {
		t.Fatalf("%d %s", status, b)
	}
	ann := out.Profiles[0]
	if !slices.Equal(ann.Identifiers["objectId"], []string{"o-ann", "o-ann2"}) || ann.Properties["DOB"] != "1990-05-01T00:00:01Z" ||
		ann.Properties["Age"] != float64(31) || !isList(ann.Properties["Playlist"], []any{"Rock", "Jazz"}) {
		t.Fatalf("profile not in the shape of GET /profiles: %s", b)
	}
}

func isList(a any, b []any) bool {
	l, ok := a.([]any)
	return ok && slices.Equal(l, b)
}

func TestSegmentQueryPages(t *testing.T) {
	srv := MustSegmentServer(t)
	var got []string
	body := `{"filter":{"all":[]},"limit":4}`
	for range 3 {
		status, b := call(t, srv, storetest.SegmentAccount, "POST", "/api/v1/segments/query", body)
		var out queryOut
		mustDecode(t, b, &out)
		if status != 200 || out.Count != 6 {
			t.Fatalf("%d %s", status, b)
		}
		got = append(got, labels(out.Profiles)...)
		if out.Next == nil {
			break
		}
		body = `{"filter":{"all":[]},"limit":4,"cursor":"` + *out.Next + `"}`
	}
	if !slices.Equal(got, []string{"ann", "bob", "cat", "dan", "fb-eve", "fay"}) {
		t.Fatalf("pages gave %v", got)
	}
}

func TestSegmentQueryRefused(t *testing.T) {
	srv := MustSegmentServer(t)
	tests := []struct{ name, body, want string }{
		{"unknown operator", `{"filter":{"any":[{"property":"Age","op":"bigger","value":1}]}}`,
			`filter.any[0].op: "bigger" is not one of eq, ne, gt, gte, lt, lte, in, contains, exists, notExists, between`},
		{"wrong value type", `{"filter":{"all":[{"event":"E"},{"event":"E"},{"event":"Purchased","count":2}]}}`,
			`filter.all[2].count: expected an object like {"gte": 2}`},
		{"unknown field", `{"filter":{"property":"Age","op":"eq","value":1,"when":"now"}}`, `filter.when: unknown field "when"`},
		{"too deep", `{"filter":` + strings.Repeat(`{"not":`, 11) + `{"event":"E"}` + strings.Repeat(`}`, 12), `nested deeper than 10 levels`},
		{"missing filter", `{}`, `filter: missing`},
		{"unknown body field", `{"filter":{"all":[]},"limt":3}`, `unknown field "limt"`},
		{"bad cursor", `{"filter":{"all":[]},"cursor":"zzz"}`, `cursor "zzz" is not one this API gave out`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, b := call(t, srv, storetest.SegmentAccount, "POST", "/api/v1/segments/query", tc.body)
			var out struct{ Error string }
			mustDecode(t, b, &out)
			if status != 400 || !strings.Contains(out.Error, tc.want) {
				t.Fatalf("%d %s; want 400 with %q", status, b, tc.want)
			}
		})
	}
}

func TestSavedSegments(t *testing.T) {
	srv := MustSegmentServer(t)
	acct := storetest.SegmentAccount
	status, b := call(t, srv, acct, "POST", "/api/v1/segments", `{"name":" buyers ","filter":{"event":"Purchased","count":{"gte":1}}}`)
	var s httpapi.SegmentJSON
	mustDecode(t, b, &s)
	if status != 201 || s.Name != "buyers" || string(s.Filter) != `{"event":"Purchased"}` || !s.CreatedAt.Equal(storetest.SegmentNow) {
		t.Fatalf("create: %d %s", status, b)
	}
	path := "/api/v1/segments/" + itoa(s.ID)
	checks := []struct {
		name, acct, method, path, body string
		status                         int
		has                            string
	}{
		{"duplicate name", acct, "POST", "/api/v1/segments", `{"name":"buyers","filter":{"all":[]}}`, 409, "already exists"},
		{"bad filter", acct, "POST", "/api/v1/segments", `{"name":"x","filter":{"event":"E","within":{"lastDays":0}}}`, 400,
			"filter.within.lastDays: expected a whole number from 1 to 36500"},
		{"no name", acct, "POST", "/api/v1/segments", `{"filter":{"all":[]}}`, 400, "name:"},
		{"get", acct, "GET", path, "", 200, `"name":"buyers"`},
		{"list", acct, "GET", "/api/v1/segments", "", 200, `"segments":[{"id":` + itoa(s.ID)},
		{"other account get", storetest.SegmentOtherAccount, "GET", path, "", 404, "no segment"},
		{"other account export", storetest.SegmentOtherAccount, "GET", path + "/export.csv", "", 404, "no segment"},
		{"other account delete", storetest.SegmentOtherAccount, "DELETE", path, "", 404, "no segment"},
		{"other account list", storetest.SegmentOtherAccount, "GET", "/api/v1/segments", "", 200, `{"segments":[]}`},
		{"delete", acct, "DELETE", path, "", 204, ""},
		{"gone", acct, "GET", path, "", 404, "no segment"},
		{"not an id", acct, "GET", "/api/v1/segments/abc", "", 404, "ids are positive whole numbers"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			status, b := call(t, srv, c.acct, c.method, c.path, c.body)
			if status != c.status || !strings.Contains(string(b), c.has) {
				t.Fatalf("%d %s; want %d with %q", status, b, c.status, c.has)
			}
		})
	}
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func TestSegmentExport(t *testing.T) {
	srv := MustSegmentServer(t)
	acct := storetest.SegmentAccount
	_, b := call(t, srv, acct, "POST", "/api/v1/segments", `{"name":"mumbai","filter":{"property":"City","op":"contains","value":"Mumbai"}}`)
	var s httpapi.SegmentJSON
	mustDecode(t, b, &s)
	status, body := call(t, srv, acct, "GET", "/api/v1/segments/"+itoa(s.ID)+"/export.csv?properties=City,DOB,Playlist,Score", "")
	want := "identity,objectId,fbId,gpId,City,DOB,Playlist,Score\n" +
		"ann,o-ann|o-ann2,,,Mumbai,1990-05-01T00:00:01Z,Rock|Jazz,2.5\n" +
		"cat,,fb-cat,,Mumbai,1979-12-31T00:00:01Z,Rock,7.25\n" +
		"dan,,,,Navi Mumbai,,,\n"
	if status != 200 || string(body) != want {
		t.Fatalf("%d\n%s\nwant\n%s", status, body, want)
	}
	status, body = call(t, srv, acct, "POST", "/api/v1/segments/export.csv",
		`{"filter":{"event":"Purchased","count":{"eq":0}},"properties":["Age"]}`)
	if want := "identity,objectId,fbId,gpId,Age\ndan,,,,21\nfay,,,,30\n"; status != 200 || string(body) != want {
		t.Fatalf("unsaved export: %d\n%s\nwant\n%s", status, body, want)
	}
	status, body = call(t, srv, acct, "GET", "/api/v1/segments/"+itoa(s.ID)+"/export.csv?properties=a.b", "")
	if status != 400 || !bytes.Contains(body, []byte(`\"a.b\" is not a property name`)) {
		t.Fatalf("bad properties: %d %s", status, body)
	}
	status, body = call(t, srv, acct, "POST", "/api/v1/segments/export.csv", `{"filter":{"reachable":"fax"}}`)
	if status != 400 || !bytes.Contains(body, []byte(`filter.reachable: \"fax\" is not one of`)) {
		t.Fatalf("bad filter: %d %s", status, body)
	}
}
