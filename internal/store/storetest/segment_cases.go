package storetest

import (
	"strconv"
	"strings"
)

// SegmentCase is a filter and the exact labels of the fixture profiles it matches.
type SegmentCase struct {
	Name   string
	Filter string
	Want   []string // labels, sorted
}

var everyone = []string{"ann", "bob", "cat", "dan", "fay", "fb-eve"}

func dateOf(rfc string) string { return strconv.FormatInt(day(rfc).I, 10) }

// SegmentCases covers every operator, value type and combination on the fixture.
func SegmentCases() []SegmentCase {
	return append(append(propertyCases(), eventCases()...), combinationCases()...)
}

func propertyCases() []SegmentCase {
	return []SegmentCase{
		{"eq string", `{"property":"City","op":"eq","value":"Mumbai"}`, []string{"ann", "cat"}},
		{"eq is case-sensitive", `{"property":"City","op":"eq","value":"mumbai"}`, nil},
		{"ne includes absent", `{"property":"City","op":"ne","value":"Mumbai"}`, []string{"bob", "dan", "fay", "fb-eve"}},
		{"eq int", `{"property":"Age","op":"eq","value":31}`, []string{"ann"}},
		{"eq whole float", `{"property":"Age","op":"eq","value":31.0}`, []string{"ann"}},
		{"number does not match a string", `{"property":"Age","op":"eq","value":30}`, nil},
		{"string does not match a number", `{"property":"Age","op":"eq","value":"30"}`, []string{"fay"}},
		{"gt", `{"property":"Age","op":"gt","value":21}`, []string{"ann", "cat"}},
		{"gte", `{"property":"Age","op":"gte","value":21}`, []string{"ann", "cat", "dan"}},
		{"lt", `{"property":"Age","op":"lt","value":21}`, []string{"bob"}},
		{"lte", `{"property":"Age","op":"lte","value":21}`, []string{"bob", "dan"}},
		{"gt float over int and float", `{"property":"Score","op":"gt","value":7}`, []string{"bob", "cat"}},
		{"lt float", `{"property":"Score","op":"lt","value":2.6}`, []string{"ann"}},
		{"numbers compare as numbers", `{"property":"Score","op":"gt","value":10}`, nil},
		{"gt string is lexical", `{"property":"City","op":"gt","value":"Mumbai"}`, []string{"dan"}},
		{"eq true", `{"property":"VIP","op":"eq","value":true}`, []string{"ann"}},
		{"eq false", `{"property":"VIP","op":"eq","value":false}`, []string{"bob"}},
		{"ne true", `{"property":"VIP","op":"ne","value":true}`, []string{"bob", "cat", "dan", "fay", "fb-eve"}},
		{"in strings", `{"property":"City","op":"in","value":["Mumbai","Pune","Delhi"]}`, []string{"ann", "bob", "cat"}},
		{"in mixed types", `{"property":"Tier","op":"in","value":["gold",3]}`, []string{"cat", "fay"}},
		{"in booleans", `{"property":"VIP","op":"in","value":[true,false]}`, []string{"ann", "bob"}},
		{"in dates", `{"property":"DOB","op":"in","value":["2008-03-10T00:00:01Z","$D_0"]}`, []string{"bob"}},
		{"contains list member", `{"property":"Playlist","op":"contains","value":"Rock"}`, []string{"ann", "cat"}},
		{"contains list needs a whole item", `{"property":"Playlist","op":"contains","value":"Ro"}`, nil},
		{"contains item that JSON escapes", `{"property":"Playlist","op":"contains","value":"R&B"}`, []string{"bob"}},
		{"contains item that JSON escapes, partly", `{"property":"Playlist","op":"contains","value":"R&"}`, nil},
		{"contains second item", `{"property":"Playlist","op":"contains","value":"Pop"}`, []string{"bob"}},
		{"contains substring", `{"property":"City","op":"contains","value":"Mumbai"}`, []string{"ann", "cat", "dan"}},
		{"contains substring is case-sensitive", `{"property":"Note","op":"contains","value":"rock"}`, []string{"cat"}},
		{"exists", `{"property":"Score","op":"exists"}`, []string{"ann", "bob", "cat"}},
		{"notExists", `{"property":"Score","op":"notExists"}`, []string{"dan", "fay", "fb-eve"}},
		{"between numbers inclusive", `{"property":"Age","op":"between","value":[18,31]}`, []string{"ann", "dan"}},
		{"between floats inclusive", `{"property":"Score","op":"between","value":[2.5,7.25]}`, []string{"ann", "cat"}},
		{"date gt rfc3339", `{"property":"DOB","op":"gt","value":"2000-01-01T00:00:00Z"}`, []string{"bob"}},
		{"date lt", `{"property":"DOB","op":"lt","value":"1985-01-01T00:00:00Z"}`, []string{"cat"}},
		{"date between skips string lookalikes", `{"property":"DOB","op":"between","value":["1979-12-31T00:00:00Z","1990-05-01T00:00:01Z"]}`,
			[]string{"ann", "cat"}},
		{"date eq stored form", `{"property":"DOB","op":"eq","value":"$D_` + dateOf("1990-05-01T00:00:01Z") + `"}`, []string{"ann"}},
		{"date eq with offset", `{"property":"DOB","op":"eq","value":"1990-05-01T05:30:01+05:30"}`, []string{"ann"}},
		{"date gte stored form", `{"property":"DOB","op":"gte","value":"$D_` + dateOf("1990-05-01T00:00:01Z") + `"}`, []string{"ann", "bob"}},
		{"reachable email", `{"reachable":"email"}`, []string{"ann", "dan", "fay", "fb-eve"}},
		{"reachable email spelled out", `{"all":[{"property":"MSG-email","op":"ne","value":false},
			{"property":"MSG-dndEmail","op":"ne","value":true}]}`, []string{"ann", "dan", "fay", "fb-eve"}},
		{"reachable sms", `{"reachable":"sms"}`, []string{"ann", "bob", "cat", "fay", "fb-eve"}},
		{"not dnd email", `{"not":{"property":"MSG-dndEmail","op":"eq","value":true}}`, []string{"ann", "bob", "dan", "fay", "fb-eve"}},
		{"unknown property", `{"property":"Nope","op":"exists"}`, nil},
	}
}

func eventCases() []SegmentCase {
	from := func(daysAgo int) string { return SegmentNow.AddDate(0, 0, -daysAgo).Format("2006-01-02T15:04:05Z") }
	return []SegmentCase{
		{"did", `{"event":"Purchased"}`, []string{"ann", "bob", "cat", "fb-eve"}},
		{"did not", `{"event":"Purchased","count":{"eq":0}}`, []string{"dan", "fay"}},
		{"at least 2 in last 30 days", `{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30}}`, []string{"ann", "cat"}},
		{"at least 3 ever", `{"event":"Purchased","count":{"gte":3}}`, []string{"ann", "cat"}},
		{"exactly 1", `{"event":"Purchased","count":{"eq":1}}`, []string{"bob", "fb-eve"}},
		{"at most 1 includes never", `{"event":"Purchased","count":{"lte":1}}`, []string{"bob", "dan", "fay", "fb-eve"}},
		{"between 2 and 2 in last 30 days", `{"event":"Purchased","count":{"gte":2,"lte":2},"within":{"lastDays":30}}`, []string{"ann", "cat"}},
		{"at least 0 is everyone", `{"event":"Purchased","count":{"gte":0}}`, everyone},
		{"last 7 days", `{"event":"Purchased","within":{"lastDays":7}}`, []string{"ann", "bob", "cat", "fb-eve"}},
		{"last 2 days", `{"event":"Purchased","within":{"lastDays":2}}`, []string{"ann", "fb-eve"}},
		{"from to", `{"event":"Purchased","within":{"from":"` + from(50) + `","to":"` + from(30) + `"}}`, []string{"ann"}},
		{"from only", `{"event":"Viewed","within":{"from":"` + from(3) + `"}}`, []string{"bob", "dan"}},
		{"to only", `{"event":"Viewed","within":{"to":"` + from(30) + `"}}`, []string{"dan"}},
		{"to is inclusive", `{"event":"Purchased","within":{"from":"` + from(100) + `","to":"` + from(100) + `"}}`, []string{"cat"}},
		{"where number", `{"event":"Purchased","where":[{"property":"Price","op":"gt","value":100}]}`, []string{"ann", "bob", "cat", "fb-eve"}},
		{"where and count and time", `{"event":"Purchased","count":{"gte":1},"within":{"lastDays":30},
			"where":[{"property":"Price","op":"gt","value":100}]}`, []string{"ann", "bob", "cat", "fb-eve"}},
		{"where narrows the count", `{"event":"Purchased","count":{"gte":2},"where":[{"property":"Price","op":"gt","value":100}]}`,
			[]string{"ann", "cat"}},
		{"where several", `{"event":"Purchased","where":[{"property":"Price","op":"gte","value":100},
			{"property":"Currency","op":"eq","value":"INR"}]}`, []string{"ann"}},
		{"where between", `{"event":"Purchased","where":[{"property":"Price","op":"between","value":[99,100]}]}`, []string{"cat"}},
		{"where notExists", `{"event":"Purchased","count":{"gte":3},"where":[{"property":"Currency","op":"notExists"}]}`, []string{"cat"}},
		{"did not, with where", `{"event":"Purchased","count":{"eq":0},"where":[{"property":"Price","op":"gte","value":500}]}`,
			[]string{"bob", "cat", "dan", "fay"}},
		{"unknown event", `{"event":"Nope"}`, nil},
		{"did not do an unknown event", `{"event":"Nope","count":{"eq":0}}`, everyone},
	}
}

func combinationCases() []SegmentCase {
	return []SegmentCase{
		{"empty all is everyone", `{"all":[]}`, everyone},
		{"spec example", `{"all":[{"property":"City","op":"eq","value":"Mumbai"},
			{"event":"Purchased","count":{"gte":2},"within":{"lastDays":30}},{"reachable":"email"}]}`, []string{"ann"}},
		{"all of property and event", `{"all":[{"property":"Age","op":"gte","value":21},{"event":"Viewed"}]}`, []string{"dan"}},
		{"any", `{"any":[{"property":"Age","op":"lt","value":18},{"event":"Viewed"}]}`, []string{"bob", "dan"}},
		{"not any", `{"not":{"any":[{"property":"Age","op":"lt","value":18},{"event":"Viewed"}]}}`, []string{"ann", "cat", "fay", "fb-eve"}},
		{"not event", `{"not":{"event":"Purchased","within":{"lastDays":30}}}`, []string{"dan", "fay"}},
		{"not not", `{"not":{"not":{"property":"City","op":"eq","value":"Mumbai"}}}`, []string{"ann", "cat"}},
		{"nested", `{"all":[{"any":[{"property":"City","op":"eq","value":"Mumbai"},{"property":"City","op":"contains","value":"Navi"}]},
			{"not":{"event":"Purchased","count":{"eq":0}}}]}`, []string{"ann", "cat"}},
		{"two event conditions", `{"all":[{"event":"Purchased"},{"event":"App Opened","count":{"eq":0}}]}`, []string{"bob", "cat", "fb-eve"}},
		{"any of events and reachability", `{"all":[{"reachable":"email"},{"any":[{"event":"Viewed","count":{"gte":3}},
			{"event":"Purchased","where":[{"property":"Price","op":"gte","value":1000}]}]}]}`, []string{"dan", "fb-eve"}},
	}
}

// describeLabels is for failure messages.
func describeLabels(ls []string) string {
	if len(ls) == 0 {
		return "none"
	}
	return strings.Join(ls, ", ")
}
