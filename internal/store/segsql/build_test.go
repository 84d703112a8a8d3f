package segsql_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"sluice/internal/segment"
	"sluice/internal/store/segsql"
	"sluice/internal/store/storetest"
)

// dollarDialect numbers placeholders as PostgreSQL does; the fragments only need to show their arguments.
type dollarDialect struct{}

func (dollarDialect) Param(n int) string   { return "$" + strconv.Itoa(n) }
func (dollarDialect) PathArg(p string) any { return p }
func (dollarDialect) IsType(col, path string, _ segsql.Type) string {
	return "t(" + col + "," + path + ")"
}
func (dollarDialect) Number(col, path string) string { return "n(" + col + "," + path + ")" }
func (dollarDialect) Text(col, path string) string   { return "s(" + col + "," + path + ")" }
func (dollarDialect) DateEpoch(text string) string   { return "d(" + text + ")" }
func (dollarDialect) ListHas(col, path, item string) string {
	return "l(" + col + "," + path + "," + item + ")"
}
func (dollarDialect) Substring(text, sub string) string { return "sub(" + text + "," + sub + ")" }
func (dollarDialect) PickJSON(col string, paths []string) string {
	return "pick(" + col + "," + strings.Join(paths, ",") + ")"
}
func (dollarDialect) IdentifiersJSON(pid string) string { return "ids(" + pid + ")" }

var placeholder = regexp.MustCompile(`\$(\d+)`)

// TestPlaceholders: every placeholder has its argument and every argument is
// used, for every filter of the conformance cases, in every statement.
func TestPlaceholders(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, tc := range storetest.SegmentCases() {
		n, err := segment.Parse([]byte(tc.Filter))
		if err != nil {
			t.Fatal(err)
		}
		stmts := map[string]func() (string, []any){
			"count":  func() (string, []any) { return segsql.Count(dollarDialect{}, "A", n, now) },
			"page":   func() (string, []any) { return segsql.SelectPage(dollarDialect{}, "A", n, now, 7, 50) },
			"export": func() (string, []any) { return segsql.SelectExport(dollarDialect{}, "A", n, now, []string{"x", "y"}) },
		}
		for name, stmt := range stmts {
			t.Run(tc.Name+"/"+name, func(t *testing.T) {
				q, args := stmt()
				used := make([]bool, len(args))
				for _, m := range placeholder.FindAllStringSubmatch(q, -1) {
					i, _ := strconv.Atoi(m[1])
					if i < 1 || i > len(args) {
						t.Fatalf("$%d with %d args in %s", i, len(args), q)
					}
					used[i-1] = true
				}
				for i, u := range used {
					if !u {
						t.Fatalf("argument %d (%v) unused in %s", i+1, args[i], q)
					}
				}
			})
		}
	}
}

func TestEventSets(t *testing.T) {
	now := time.Unix(1_000_000, 0)
	tests := []struct{ filter, want string }{
		{`{"event":"E"}`, `p.id IN (SELECT e.profile_id FROM events e WHERE e.account_id = $1 AND e.name = $2)`},
		{`{"event":"E","count":{"eq":0}}`, `p.id NOT IN (SELECT e.profile_id FROM events e WHERE e.account_id = $1 AND e.name = $2)`},
		{`{"event":"E","count":{"gte":0}}`, `TRUE`},
		{`{"event":"E","count":{"lte":3},"within":{"lastDays":1}}`, `p.id NOT IN (SELECT e.profile_id FROM events e ` +
			`WHERE e.account_id = $1 AND e.name = $2 AND e.ts >= $3 GROUP BY e.profile_id HAVING COUNT(*) > $4)`},
		{`{"event":"E","count":{"gte":2,"lte":5}}`, `p.id IN (SELECT e.profile_id FROM events e WHERE e.account_id = $1 ` +
			`AND e.name = $2 GROUP BY e.profile_id HAVING COUNT(*) >= $3 AND COUNT(*) <= $4)`},
	}
	for _, tc := range tests {
		t.Run(tc.filter, func(t *testing.T) {
			n, err := segment.Parse([]byte(tc.filter))
			if err != nil {
				t.Fatal(err)
			}
			b := segsql.NewBuilder(dollarDialect{}, now)
			if got := b.Where(n, b.Arg("A")); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}
