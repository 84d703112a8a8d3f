package pipeline_test

import (
	"encoding/csv"
	"strings"
	"testing"

	"sluice/internal/store"
)

// TestRowErrors: every row-level message of SPEC section 4 lands in the error
// file next to the row exactly as uploaded, good rows are imported, and the
// import ends partial with the right counts.
func TestRowErrors(t *testing.T) {
	cases := []struct {
		name, typ, row, want string // want: the Failure Description
	}{
		{"field count", "event", "u1,E,1", "Row has 3 fields, the header has 5"},
		{"no identity", "event", ",E,1,,", "Atleast one of identity / fbId / gpId / objectId is mandatory under 1024 chars to identify the user"},
		{"placeholder identity", "event", "N/A,E,1,,", "Atleast one of identity / fbId / gpId / objectId is mandatory under 1024 chars to identify the user"},
		{"identity 1024 chars", "event", strings.Repeat("x", 1024) + ",E,1,,", "Atleast one of identity / fbId / gpId / objectId is mandatory under 1024 chars to identify the user"},
		{"phone", "event", "u1,E,1,98765,", "Phone number is not valid"},
		{"email", "event", "u1,E,1,,not-mail", "Email is not valid"},
		{"no event name", "event", "u1,,1,,", "Event name is mandatory"},
		{"restricted event", "event", "u1,app  LAUNCHED,1,,", "Event name belongs to restricted system events"},
		{"integer", "event", "u1,E,abc,,", `Amount: "abc" is not a valid INTEGER (whole number from -2147483648 to 2147483647)`},
		{"bare quote", "event", `u1,E,1,,a"b`, `Row has a quote inside an unquoted field; quote the whole field and write the quote as ""`},
		{"two reasons", "event", ",,1,,", "Atleast one of identity / fbId / gpId / objectId is mandatory under 1024 chars to identify the user; Event name is mandatory"},
		{"profile operation", "profile", "u1,,1,,,$append", "Profile operation must be one of $add, $set, $remove, $delete"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.account("A-1")
			header, good := evHeader, "u9,E,7,+14155550100,a@example.com"
			if c.typ == "profile" {
				header, good = "identity,Name,Amount,Phone,Email,Amount.operation", "u9,Zed,7,,,"
			}
			data := header + "\n" + good + "\n" + c.row + "\n" + good + "\n"
			h.upload("A-1", "data.csv", data)
			h.upload("A-1", "m.manifest", manifestFor(c.typ))
			imp := h.ended("A-1", "m.manifest")
			if imp.Status != store.StatusPartial || imp.RowsRead != 3 || imp.RowsImported != 2 || imp.RowsFailed != 1 {
				t.Fatalf("import %s read %d imported %d failed %d: %s", imp.Status, imp.RowsRead, imp.RowsImported, imp.RowsFailed, imp.Error)
			}
			got := h.errorFile(imp)
			lines := strings.SplitN(got, "\n", 2)
			if lines[0] != header+",Failure Description" {
				t.Fatalf("error file header %q", lines[0])
			}
			desc, ok := strings.CutPrefix(lines[1], c.row+",")
			if !ok {
				t.Fatalf("error row %q does not start with the row as uploaded", lines[1])
			}
			field, err := csv.NewReader(strings.NewReader(desc)).Read()
			if err != nil || len(field) != 1 || field[0] != c.want {
				t.Fatalf("Failure Description %q (%v), want %q", field, err, c.want)
			}
			if int64(len(got)) != imp.ErrorBytes {
				t.Fatalf("error file is %d bytes, import says %d", len(got), imp.ErrorBytes)
			}
			assertMilestone(t, h, imp.ID, store.MilestonePartial, true)
		})
	}
}
