package segment

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	deep := strings.Repeat(`{"all":[`, MaxDepth+1) + `{"event":"E"}` + strings.Repeat(`]}`, MaxDepth+1)
	in1000 := `{"property":"P","op":"in","value":[` + strings.Repeat(`1,`, MaxInValues-1) + `1]}`
	values := `{"all":[` + strings.Repeat(in1000+",", MaxValues/MaxInValues) + in1000 + `]}`
	many := `{"any":[` + strings.Repeat(`{"event":"E"},`, MaxConditions) + `{"event":"E"}]}`
	tests := []struct {
		name, in, path, msg string
	}{
		{"not JSON", `{"all":`, "filter", "not valid JSON"},
		{"trailing data", `{"all":[]} {}`, "filter", "unexpected data after the filter"},
		{"not an object", `[1]`, "filter", `expected a condition: an object with one of "property", "event", "all", "any", "not", "reachable"; got an array`},
		{"empty object", `{}`, "filter", "empty condition"},
		{"unknown kind", `{"prop":"Age"}`, "filter.prop", `unknown field "prop"`},
		{"two kinds", `{"property":"A","op":"exists","event":"E"}`, "filter", `this one has both "property" and "event"`},
		{"unknown operator", `{"any":[{"property":"Age","op":"bigger","value":1}]}`, "filter.any[0].op",
			`"bigger" is not one of eq, ne, gt, gte, lt, lte, in, contains, exists, notExists, between`},
		{"operator not a string", `{"property":"Age","op":5,"value":1}`, "filter.op", "expected one of eq, ne"},
		{"missing op", `{"property":"Age","value":1}`, "filter", `missing "op"`},
		{"missing value", `{"property":"Age","op":"gt"}`, "filter", `missing "value" for gt`},
		{"value on exists", `{"property":"Age","op":"exists","value":1}`, "filter.value", "exists takes no value"},
		{"unknown field in property", `{"all":[{"property":"Age","op":"eq","value":1,"vlaue":2}]}`, "filter.all[0].vlaue",
			`unknown field "vlaue"; a property condition has property, op, value`},
		{"property not a string", `{"property":7,"op":"exists"}`, "filter.property", "expected a property name, got the number 7"},
		{"empty property", `{"property":"","op":"exists"}`, "filter.property", "empty"},
		{"forbidden char in property", `{"property":"a.b","op":"exists"}`, "filter.property", "cannot hold"},
		{"long property", `{"property":"` + strings.Repeat("x", MaxNameLen+1) + `","op":"exists"}`, "filter.property", "at most 120"},
		{"null value", `{"property":"Age","op":"eq","value":null}`, "filter.value", "expected a string, a number or a boolean, got null"},
		{"object value", `{"property":"Age","op":"eq","value":{"a":1}}`, "filter.value", "got an object"},
		{"array for eq", `{"property":"Age","op":"eq","value":[1]}`, "filter.value", "got an array"},
		{"bool for gt", `{"property":"Age","op":"gt","value":true}`, "filter.value", "gt needs a number, a date or a string, got true"},
		{"in not array", `{"property":"Age","op":"in","value":3}`, "filter.value", "in needs an array of 1 to 1000 values, got the number 3"},
		{"in empty", `{"property":"Age","op":"in","value":[]}`, "filter.value", "got an array of 0"},
		{"in bad item", `{"property":"Age","op":"in","value":[1,[2]]}`, "filter.value[1]", "got an array"},
		{"between one value", `{"property":"Age","op":"between","value":[1]}`, "filter.value", "between needs [low, high]"},
		{"between strings", `{"property":"Age","op":"between","value":["a","b"]}`, "filter.value", "two numbers or two dates"},
		{"between mixed", `{"property":"Age","op":"between","value":[1,"2000-01-01T00:00:00Z"]}`, "filter.value", "two numbers or two dates"},
		{"between reversed", `{"property":"Age","op":"between","value":[30,18]}`, "filter.value", "low 30 is above high 18"},
		{"contains number", `{"property":"Tags","op":"contains","value":5}`, "filter.value", "contains needs a non-empty string"},
		{"huge number", `{"property":"Age","op":"eq","value":1e999}`, "filter.value", "out of range"},
		{"count not object", `{"all":[{},{},{"event":"Purchased","count":2}]}`, "filter.all[0]", "empty condition"},
		{"count not an object", `{"all":[{"event":"Purchased","count":2}]}`, "filter.all[0].count",
			`expected an object like {"gte": 2}`},
		{"count unknown op", `{"event":"E","count":{"gt":1}}`, "filter.count.gt", `unknown field "gt"; a count has eq, gte, lte`},
		{"count negative", `{"event":"E","count":{"gte":-1}}`, "filter.count.gte", "expected a whole number from 0 to"},
		{"count fraction", `{"event":"E","count":{"gte":1.5}}`, "filter.count.gte", "whole number"},
		{"count eq with gte", `{"event":"E","count":{"eq":1,"gte":1}}`, "filter.count", "eq cannot be combined"},
		{"count empty range", `{"event":"E","count":{"gte":3,"lte":2}}`, "filter.count", "gte 3 is above lte 2"},
		{"event name missing", `{"event":"","count":{"gte":1}}`, "filter.event", "expected an event name"},
		{"event unknown field", `{"event":"E","times":2}`, "filter.times", `unknown field "times"; an event condition has event, count, within, where`},
		{"within not object", `{"event":"E","within":30}`, "filter.within", `expected an object like {"lastDays": 30}`},
		{"within both", `{"event":"E","within":{"lastDays":3,"from":"2026-01-01T00:00:00Z"}}`, "filter.within", "not both"},
		{"within zero days", `{"event":"E","within":{"lastDays":0}}`, "filter.within.lastDays", "from 1 to 36500"},
		{"within bad time", `{"event":"E","within":{"from":"yesterday"}}`, "filter.within.from", "expected an RFC 3339 time"},
		{"within reversed", `{"event":"E","within":{"from":"2026-02-01T00:00:00Z","to":"2026-01-01T00:00:00Z"}}`, "filter.within", "from is after to"},
		{"within unknown", `{"event":"E","within":{"days":3}}`, "filter.within.days", `unknown field "days"`},
		{"where not array", `{"event":"E","where":{"property":"P","op":"exists"}}`, "filter.where", "expected an array of 1 to 20 property conditions"},
		{"where nested group", `{"event":"E","where":[{"all":[]}]}`, "filter.where[0]", "where holds property conditions only"},
		{"where bad op", `{"event":"E","where":[{"property":"P","op":"exists"},{"property":"P","op":"is"}]}`, "filter.where[1].op", `"is" is not one of`},
		{"all not array", `{"all":{"event":"E"}}`, "filter.all", "expected an array of conditions, got an object"},
		{"any empty", `{"any":[]}`, "filter.any", "at least one condition"},
		{"group extra field", `{"all":[],"limit":3}`, "filter.limit", `unknown field "limit"; an all condition has all`},
		{"not of array", `{"not":[]}`, "filter.not", "expected a condition"},
		{"reachable unknown", `{"reachable":"fax"}`, "filter.reachable", `"fax" is not one of email, sms, whatsapp, push`},
		{"reachable not string", `{"reachable":true}`, "filter.reachable", "expected a channel name"},
		{"too deep", deep, "filter" + strings.Repeat(".all[0]", MaxDepth) + ".all", "nested deeper than 10 levels"},
		{"too many values", values, "filter.all[5].value", "at most 5000 values"},
		{"too many conditions", many, "filter.any[200]", "at most 200 conditions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("want a *segment.Error, got %v", err)
			}
			if pe.Path != tc.path || !strings.Contains(pe.Msg, tc.msg) {
				t.Fatalf("got %q\nwant path %q and a message with %q", err, tc.path, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), tc.path+": ") {
				t.Fatalf("message %q does not start with its path", err)
			}
		})
	}
}
