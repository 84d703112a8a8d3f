package sqlite

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"
)

// rowsPerStmt is how many rows one multi-row statement carries: one call
// into SQLite (through cgo) per 64 rows instead of per row.
const rowsPerStmt = 64

// rowsStmt is a statement over many rows: verb INTO into VALUES and
// rowsPerStmt rows of placeholders; or, with update set, that UPDATE with
// the VALUES in place of its %s (into then names the table).
//
// The verb is INSERT OR FAIL unless set: the batch's transaction is all or
// nothing, any error rolls all of it back, so a failing statement need not
// undo its own rows. With the default (ABORT), and with an upsert's DO
// UPDATE, SQLite keeps a statement journal of every page a multi-row
// statement changes, spilled to a temp file past 64 KiB: 367 bytes written
// a row on events (strace, 200k events), a quarter of all writes. UPDATE OR
// FAIL … FROM (VALUES …) keeps none either.
type rowsStmt struct {
	verb   string // "INSERT OR FAIL" if empty
	into   string // "table (columns)"
	update string // instead: an UPDATE … FROM (%s) …
	shared []any  // values of the first columns, the same in every row: bound once as ?1, ?2, …
	cols   int    // values each row binds after them
}

// execRows runs q over n rows, rowsPerStmt at a time; args appends row i's
// values (int64, float64, string, []byte or nil: they are bound as they
// are); done, if set, runs after each statement with its rows.
func (b *batch) execRows(ctx context.Context, q rowsStmt, n int,
	args func(i int, dst []any) []any, done func(first, n int) error) error {
	dst := make([]any, 0, len(q.shared)+rowsPerStmt*q.cols)
	nv := make([]driver.NamedValue, 0, cap(dst))
	var full *sqlite3.SQLiteStmt // of rowsPerStmt rows: its text is built and looked up once a call
	for first := 0; first < n; first += rowsPerStmt {
		k := min(rowsPerStmt, n-first)
		dst = append(dst[:0], q.shared...)
		for i := first; i < first+k; i++ {
			dst = args(i, dst)
		}
		nv = nv[:0]
		for i, v := range dst {
			nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
		}
		var s *sqlite3.SQLiteStmt
		if k == rowsPerStmt {
			s = full
		}
		s, err := b.execRaw(ctx, q, k, s, nv)
		if err != nil {
			return fmt.Errorf("%s: %w", strings.Fields(q.into)[0], err)
		}
		if k == rowsPerStmt {
			full = s
		}
		if done == nil {
			continue
		}
		if err := done(first, k); err != nil {
			return fmt.Errorf("%s: %w", strings.Fields(q.into)[0], err)
		}
	}
	return nil
}

// text is q's statement for rows rows.
func (q rowsStmt) text(rows int) string {
	values := "VALUES " + placeholders(len(q.shared), q.cols, rows)
	if q.update != "" {
		return strings.Replace(q.update, "%s", values, 1)
	}
	verb := q.verb
	if verb == "" {
		verb = "INSERT OR FAIL"
	}
	return verb + " INTO " + q.into + " " + values
}

// execRaw runs s, or if nil q's statement of rows rows, which returns no
// rows, on the transaction's go-sqlite3 connection, and returns the
// statement it ran. Past database/sql: its conversion of every argument,
// which the store's values do not need, took 2.5 s of the writer's 53 s on
// 10M events. Through Query: go-sqlite3 then binds all the arguments and
// takes the first step, which runs the whole statement, in one call into C,
// where Exec makes one call per argument (binding took a fifth of the
// writer's time).
func (b *batch) execRaw(ctx context.Context, q rowsStmt, rows int, s *sqlite3.SQLiteStmt, args []driver.NamedValue) (*sqlite3.SQLiteStmt, error) {
	err := b.conn.Raw(func(dc any) error {
		if s == nil {
			var err error
			if s, err = b.rawStmt(dc, q.text(rows)); err != nil {
				return err
			}
		}
		res, err := s.QueryContext(noInterrupt(ctx), args)
		if err != nil {
			return err
		}
		return res.Close()
	})
	return s, err
}

func (b *batch) rawStmt(dc any, q string) (*sqlite3.SQLiteStmt, error) {
	if s, ok := b.raw[q]; ok {
		return s, nil
	}
	c, ok := dc.(*sqlite3.SQLiteConn)
	if !ok {
		return nil, fmt.Errorf("the writer's connection is a %T, not go-sqlite3's", dc)
	}
	st, err := c.Prepare(q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if b.raw == nil {
		b.raw = map[string]*sqlite3.SQLiteStmt{}
	}
	b.raw[q] = st.(*sqlite3.SQLiteStmt)
	return b.raw[q], nil
}

func (b *batch) closeRaw() {
	if len(b.raw) == 0 {
		return
	}
	b.conn.Raw(func(any) error {
		for _, s := range b.raw {
			s.Close()
		}
		return nil
	})
	b.raw = nil
}

// placeholders is "(?1,?,?),(?1,?,?)" for rows of shared values bound once
// and cols of their own: a bare ? takes the number after the highest so far.
func placeholders(shared, cols, rows int) string {
	var row strings.Builder
	row.WriteByte('(')
	for i := range shared {
		fmt.Fprintf(&row, "?%d,", i+1)
	}
	row.WriteString("?" + strings.Repeat(",?", cols-1) + ")")
	return row.String() + strings.Repeat(","+row.String(), rows-1)
}
