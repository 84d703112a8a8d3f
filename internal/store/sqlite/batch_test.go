package sqlite

import (
	"fmt"
	"strings"
	"testing"

	"sluice/internal/store"
)

// TestMultiRowStatements runs rows through execRows's one-call path
// (statements that return nothing): rows of several statements all arrive,
// and a statement that breaks a constraint fails the batch with its table
// and SQLite's reason, leaving nothing of the batch behind.
func TestMultiRowStatements(t *testing.T) {
	db := openWithAccount(t, "ACME-1")
	rows := func(n int, line func(i int) []byte) []store.ErrorRow {
		out := make([]store.ErrorRow, n)
		for i := range out {
			out[i] = store.ErrorRow{Row: int64(i + 1), Line: line(i)}
		}
		return out
	}
	text := func(i int) []byte { return fmt.Appendf(nil, "row %d\n", i+1) }
	tests := []struct {
		name     string
		importID int64
		rows     []store.ErrorRow
		wantErr  string // "" for none
	}{
		{"several statements", 1, rows(2*rowsPerStmt+5, text), ""},
		{"empty line", 2, rows(3, func(int) []byte { return []byte{} }), ""},
		{"repeated row in the last statement", 3,
			append(rows(rowsPerStmt+2, text), store.ErrorRow{Row: rowsPerStmt + 1, Line: []byte("again\n")}),
			"import_errors: UNIQUE constraint failed"},
		{"no line", 4, rows(2, func(int) []byte { return nil }), "import_errors: NOT NULL constraint failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := db.InBatch(t.Context(), func(tx store.BatchTx) error {
				return tx.InsertErrorRows(t.Context(), tc.importID, tc.rows)
			})
			want := len(tc.rows)
			if tc.wantErr == "" && err != nil {
				t.Fatalf("insert: %v", err)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("insert: error %v, want one containing %q", err, tc.wantErr)
				}
				want = 0
			}
			var n int
			var lines string
			err = db.w.QueryRowContext(t.Context(), `SELECT count(*), COALESCE(group_concat(line, ''), '') FROM
				(SELECT line FROM import_errors WHERE import_id = ? ORDER BY row)`, tc.importID).Scan(&n, &lines)
			if err != nil {
				t.Fatal(err)
			}
			if n != want {
				t.Fatalf("%d rows stored, want %d", n, want)
			}
			if want > 0 && lines != string(joinLines(tc.rows)) {
				t.Fatalf("stored lines differ from the rows inserted:\n%q", lines)
			}
		})
	}
}

func joinLines(rows []store.ErrorRow) []byte {
	var b []byte
	for _, r := range rows {
		b = append(b, r.Line...)
	}
	return b
}

// TestInsertEventsKeepsEachImport inserts events of two imports, interleaved,
// in one call: each statement binds one import's account and id once, so
// every event must still be stored with its own, in order.
func TestInsertEventsKeepsEachImport(t *testing.T) {
	db := openWithAccount(t, "ACME-1")
	var evs []store.Event
	want := ""
	for i, imp := range []int64{7, 7, 9, 7, 9, 9} {
		for r := range rowsPerStmt + 1 {
			row := int64(i*100 + r)
			evs = append(evs, store.Event{AccountID: "ACME-1", ImportID: imp, ProfileID: row, Row: row, Name: "Bought",
				Time: row, IdentifiersJSON: []byte(`{"identity":"u"}`), PropsJSON: []byte(`{}`)})
			want += fmt.Sprintf("%d:%d ", imp, row)
		}
	}
	err := db.InBatch(t.Context(), func(tx store.BatchTx) error { return tx.InsertEvents(t.Context(), evs) })
	if err != nil {
		t.Fatal(err)
	}
	var got string
	err = db.w.QueryRowContext(t.Context(), `SELECT group_concat(import_id || ':' || row || ' ', '') FROM
		(SELECT import_id, row FROM events WHERE account_id = 'ACME-1' AND profile_id = row AND ts = row ORDER BY id)`).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("stored (import:row, in order):\n%s\nwant:\n%s", got, want)
	}
}
