package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"sluice/internal/store"
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

// TestKnownNamesUseIndexes guards the cost of KnownNames: event names are a
// seek per name in the events index, the samples are index ranges.
func TestKnownNamesUseIndexes(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, tc := range []struct {
		query string
		args  []any
		want  []string
	}{
		{knownEventNames, []any{"A", 10}, []string{"USING COVERING INDEX events_name_ts_profile (account_id=?)",
			"USING COVERING INDEX events_name_ts_profile (account_id=? AND name>?)"}},
		{knownProfileProps, []any{"A", 10}, []string{"SEARCH profiles USING INDEX profiles_account (account_id=?)"}},
		{knownEventProps, []any{"A", "E", 10}, []string{"USING COVERING INDEX events_name_ts_profile (account_id=? AND name=?)",
			"USING INTEGER PRIMARY KEY (rowid=?)"}},
	} {
		got := explain(t, db, tc.query, tc.args...)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("plan of\n%s\n%q\nlacks %q", tc.query, got, w)
			}
		}
		if strings.Contains(got, "SCAN events") || strings.Contains(got, "SCAN profiles") {
			t.Errorf("plan of\n%s\nscans a table: %q", tc.query, got)
		}
	}
}

func explain(t *testing.T, db *DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.r.QueryContext(t.Context(), `EXPLAIN QUERY PLAN `+query, args...)
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
	return strings.Join(plan, " | ")
}

// TestEventReadsUseIndexes guards the reads of a profile's events: a search
// of each epoch of event_profiles and a range of the events after its
// watermark, never a scan of all events.
func TestEventReadsUseIndexes(t *testing.T) {
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "s.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	listQ, listArgs := listEventsQuery("A", store.EventFilter{Identifier: "u1", Name: "E"})
	for _, tc := range []struct {
		name  string
		query string
		args  []any
	}{
		{"profile events", profileEventsQuery, []any{1, "A", 10}},
		{"events by identifier", listQ, listArgs},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := explain(t, db, tc.query, tc.args...)
			for _, w := range []string{"SEARCH event_profiles USING PRIMARY KEY (epoch=? AND profile_id=?)",
				"SEARCH events USING INTEGER PRIMARY KEY (rowid>?)"} {
				if !strings.Contains(got, w) {
					t.Errorf("plan %q lacks %q", got, w)
				}
			}
			if strings.Contains(got, "SCAN events") || strings.Contains(got, "events_name_ts_profile") {
				t.Errorf("plan %q scans the events", got)
			}
		})
	}
}
