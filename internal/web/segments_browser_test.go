package web_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"sluice/internal/apptest"
	"sluice/internal/httpapi"
)

// segTab drives the Segments page in a browser for one account.
type segTab struct {
	*dash
}

// TestSegmentsInBrowser builds filters in the form as a user would, with
// the live count; each count must be the API's for the same filter. Then it
// saves, exports (the API's bytes), and shows a malformed filter's message.
func TestSegmentsInBrowser(t *testing.T) {
	env := apptest.Start(t, apptest.Config(t))
	s := &segTab{&dash{t: t, env: env, tab: newBrowser(t), shots: newShots(t), acme: env.NewAccount("Acme Retail")}}
	importSamples(t, s.acme)
	s.go_("/login", "#token")
	run(t, s.tab, "log in", chromedp.SendKeys("#token", s.acme.Token), chromedp.Click("button.primary"),
		chromedp.WaitVisible(hasText("h1", "Activity log")))

	s.go_("/segments", "#c0-prop")
	s.waitCount("4 profiles match.")
	s.buildFilter()
	id := s.save()
	s.exportSaved(id)
	s.exportCurrent()
	s.malformed()
	s.deleteSaved(id)
}

// set puts a value into a field as typing or choosing would, with the
// events the page's script listens to.
func (s *segTab) set(sel, value string) {
	s.t.Helper()
	js := fmt.Sprintf(`(function () { var el = document.querySelector(%q); el.value = %q;
	  el.dispatchEvent(new Event("input", {bubbles: true})); el.dispatchEvent(new Event("change", {bubbles: true})); return el.value; })()`, sel, value)
	if got := get(s.t, s.tab, "set "+sel, chromedp.Evaluate[string](js)); got != value {
		s.t.Fatalf("%s holds %q after setting %q", sel, got, value)
	}
}

// waitCount waits for the live count to say want.
func (s *segTab) waitCount(want string) {
	s.t.Helper()
	run(s.t, s.tab, "count "+want, chromedp.WaitVisible(`//p[@id='seg-count'][not(@aria-busy)][normalize-space()=`+quoteXPath(want)+`]`))
}

// sameAsAPI checks the page's count against the API's for the filter in the JSON box.
func (s *segTab) sameAsAPI() string {
	s.t.Helper()
	filter := get(s.t, s.tab, "JSON box", chromedp.Value("#seg-json"))
	n := apiCount(s.t, s.acme, filter)
	s.waitCount(countText(n))
	return filter
}

func countText(n int64) string {
	switch n {
	case 0:
		return "No profile matches."
	case 1:
		return "1 profile matches."
	}
	return fmt.Sprintf("%d profiles match.", n)
}

func (s *segTab) buildFilter() {
	t := s.t
	run(t, s.tab, "type a property", chromedp.SendKeys("#c0-prop", "Playlist"))
	s.set("#c0-op", "contains")
	run(t, s.tab, "type a value", chromedp.SendKeys("#c0-value", "Rock"))
	s.waitCount("1 profile matches.")
	if f := s.sameAsAPI(); !strings.Contains(f, `"value": "Rock"`) {
		t.Fatalf("JSON box after the form: %s", f)
	}
	if got := s.text("#seg-table td[data-label='Profile'] a"); got != "user-1" {
		t.Fatalf("first profile %q", got)
	}

	// Add a row from the keyboard: it gets the focus.
	run(t, s.tab, "add a condition", chromedp.Focus("#seg-add"), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible("#c1-kind"))
	if got := get(t, s.tab, "focus", chromedp.Evaluate[string](`document.activeElement.id`)); got != "c1-kind" {
		t.Fatalf("after adding a row the focus is on %q", got)
	}
	s.set("#c1-kind", "event")
	run(t, s.tab, "event name", chromedp.WaitVisible("#c1-event"), chromedp.SendKeys("#c1-event", "Purchased"))
	run(t, s.tab, "times", chromedp.SendKeys("#c1-count", "2"))
	s.waitCount("1 profile matches.")
	if f := s.sameAsAPI(); !strings.Contains(f, `"gte": 2`) {
		t.Fatalf("JSON box: %s", f)
	}
	// Rock is user-1's alone (user-2's was removed); user-4 has no events.
	s.set("#c1-did", "didnot")
	s.waitCount("No profile matches.")
	s.sameAsAPI()
	s.set("#seg-match", "any")
	s.waitCount("2 profiles match.")
	s.sameAsAPI()
	s.set("#c1-did", "did")
	s.set("#seg-match", "all")
	s.waitCount("1 profile matches.")
	// Only one of user-1's two purchases is over 100.
	run(t, s.tab, "where", chromedp.SendKeys("#c1-wprop", "Amount"), chromedp.WaitVisible("#c1-wvalue"))
	s.set("#c1-wop", "gt")
	run(t, s.tab, "where value", chromedp.SendKeys("#c1-wvalue", "100"))
	s.waitCount("No profile matches.")
	if f := s.sameAsAPI(); !strings.Contains(f, `"where": [`) {
		t.Fatalf("JSON box: %s", f)
	}
	s.shots.take(t, s.tab, "20-segments-where")
	s.set("#c1-wprop", "")
	s.waitCount("1 profile matches.")
	s.shots.take(t, s.tab, "20-segments")
	s.shots.phone(t, s.tab, "20-segments-phone")
}

// save names the filter and presses Enter: the saved segment's page.
func (s *segTab) save() int64 {
	t := s.t
	run(t, s.tab, "save", chromedp.SendKeys("#seg-name", "Rock buyers"), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(hasText("h1", "Segment “Rock buyers”")), chromedp.WaitVisible(".flash"))
	var list struct{ Segments []httpapi.SegmentJSON }
	s.acme.API("GET", "/api/v1/segments", nil, &list)
	if len(list.Segments) != 1 || list.Segments[0].Name != "Rock buyers" {
		t.Fatalf("saved segments: %+v", list.Segments)
	}
	seg := list.Segments[0]
	if want := `{"all":[{"property":"Playlist","op":"contains","value":"Rock"},{"event":"Purchased","count":{"gte":2}}]}`; string(seg.Filter) != want {
		t.Fatalf("saved filter %s, want %s", seg.Filter, want)
	}
	if got := s.text("#seg-count"); got != countText(apiCount(t, s.acme, string(seg.Filter))) {
		t.Fatalf("saved page count %q", got)
	}
	return seg.ID
}

// exportSaved downloads the saved segment with two columns: the API's bytes.
func (s *segTab) exportSaved(id int64) {
	t := s.t
	run(t, s.tab, "choose columns", chromedp.Click(`//label[normalize-space()='Playlist list']`),
		chromedp.Click(`//label[normalize-space()='Tier text']`))
	s.shots.take(t, s.tab, "21-segment-saved")
	s.shots.phone(t, s.tab, "21-segment-saved-phone")
	got := download(t, s.tab, hasText("button", "Download CSV"))
	var want []byte
	s.acme.API("GET", fmt.Sprintf("/api/v1/segments/%d/export.csv?properties=Playlist,Tier", id), nil, &want)
	if string(got) != string(want) || !strings.HasPrefix(string(got), "identity,objectId,fbId,gpId,Playlist,Tier\nuser-1,") {
		t.Fatalf("saved export:\n%s\nAPI:\n%s", got, want)
	}
}

// exportCurrent downloads the form's filter: POST …/export.csv's bytes.
func (s *segTab) exportCurrent() {
	t := s.t
	s.go_("/segments", "#c0-prop")
	s.set("#c0-prop", "Tier")
	s.set("#c0-value", "gold")
	s.waitCount("2 profiles match.")
	filter := s.sameAsAPI()
	run(t, s.tab, "columns", chromedp.Click(`//label[normalize-space()='Name text']`), chromedp.SendKeys("#cols-other", "Email"))
	got := download(t, s.tab, "#seg-export")
	var want []byte
	s.acme.API("POST", "/api/v1/segments/export.csv", map[string]any{"filter": json.RawMessage(filter),
		"properties": []string{"Name", "Email"}}, &want)
	if string(got) != string(want) || strings.Count(string(got), "\n") != 3 {
		t.Fatalf("export of the form:\n%s\nAPI:\n%s", got, want)
	}
}

// malformed types a broken filter in the JSON box: the filter language's
// message, with its path, shows next to it; then a good one that the form
// can show becomes rows again.
func (s *segTab) malformed() {
	t := s.t
	run(t, s.tab, "open the JSON box", chromedp.Click("#seg-json-box summary"), chromedp.WaitVisible("#seg-json"))
	s.set("#seg-json", `{"all": [{"event": "Purchased", "count": 2}]}`)
	run(t, s.tab, "message", chromedp.WaitVisible("#seg-json-error"))
	var api struct{ Error string }
	s.acme.API("POST", "/api/v1/segments/query", map[string]any{"filter": json.RawMessage(`{"all": [{"event": "Purchased", "count": 2}]}`)}, &api)
	if got := s.text("#seg-json-error"); got != api.Error || !strings.HasPrefix(got, "filter.all[0].count: expected an object") {
		t.Fatalf("message %q, API's %q", got, api.Error)
	}
	if !get(t, s.tab, "rows set aside", chromedp.Evaluate[bool](`document.getElementById("seg-rows").disabled`)) {
		t.Fatal("the rows are still in use while the JSON box holds the filter")
	}
	s.shots.take(t, s.tab, "22-segments-json-error")

	s.set("#seg-json", `{"any": [{"property": "City", "op": "exists"}, {"event": "Purchased", "count": {"lte": 1}, "within": {"lastDays": 7}}]}`)
	run(t, s.tab, "rows follow the box", chromedp.WaitVisible(`//input[@id='c1-event'][@value='Purchased']`),
		chromedp.WaitNotVisible("#seg-json-error"))
	if got := get(t, s.tab, "days", chromedp.Value("#c1-days")); got != "7" {
		t.Fatalf("days %q", got)
	}
	s.sameAsAPI()
	s.set("#seg-json", `{"not": {"event": "Purchased"}}`)
	run(t, s.tab, "a filter the form cannot show", chromedp.WaitVisible("#seg-nofit"))
	s.sameAsAPI()
}

func (s *segTab) deleteSaved(id int64) {
	t := s.t
	s.go_("/segments", hasText("a", "Rock buyers"))
	run(t, s.tab, "delete", chromedp.Click(hasText("a", "Delete")), chromedp.WaitVisible(hasText("h1", "Delete the segment")))
	s.shots.take(t, s.tab, "23-segment-delete-confirm")
	// The confirmation page says "deleted" too: wait for the notice of the page after it.
	run(t, s.tab, "confirm", chromedp.Click("button.danger"), chromedp.WaitVisible(hasText("p", "Rock buyers” deleted")))
	if code := s.acme.API("GET", fmt.Sprintf("/api/v1/segments/%d", id), nil, nil); code != 404 {
		t.Fatalf("deleted segment: %d", code)
	}
}
