package sqlite

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLookupUsesPrimaryKey guards the identifier lookup's plan: with a plain
// JOIN SQLite scanned every identifier of the account for each value looked
// up, which made imports quadratic.
func TestLookupUsesPrimaryKey(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.r.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+lookupQuery, `["a"]`, "A-1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		rows.Scan(&id, &parent, &unused, &detail)
		plan = append(plan, detail)
	}
	got := strings.Join(plan, " | ")
	if !strings.HasPrefix(got, "SCAN j") || !strings.Contains(got, "USING PRIMARY KEY (account_id=? AND value=?)") {
		t.Fatalf("plan %q: want json_each outside and a primary-key search inside", got)
	}
}
