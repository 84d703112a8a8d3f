package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-sqlite3"

	"sluice/internal/record"
	"sluice/internal/store"
)

// InBatch runs fn in one write transaction with prepared statements for the
// hot path; fn's writes and its checkpoint commit together.
func (db *DB) InBatch(ctx context.Context, fn func(store.BatchTx) error) error {
	defer db.importWrote()
	return db.writeConn(ctx, func(conn *sql.Conn, tx *sql.Tx) error {
		b := db.newBatch(conn, tx)
		defer b.close()
		if err := fn(b); err != nil {
			return err
		}
		if err := b.flushLinks(ctx); err != nil {
			return err
		}
		return b.indexEvents(noInterrupt(ctx), db.eventRun)
	})
}

func (db *DB) newBatch(conn *sql.Conn, tx *sql.Tx) *batch {
	return &batch{tx: tx, conn: conn, now: db.now, eventRun: db.eventRun, keys: db.keys}
}

// batch is one batch transaction. Identifier links are collected and written
// in one statement before anything reads identifiers, and before commit.
type batch struct {
	tx       *sql.Tx
	conn     *sql.Conn // tx's: multi-row statements run on its driver connection
	now      func() time.Time
	eventRun int64      // see indexEvents
	keys     *eventKeys // the store's
	stmts    map[string]*sql.Stmt
	raw      map[string]*sqlite3.SQLiteStmt
	links    store.Links
}

func (b *batch) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if s, ok := b.stmts[q]; ok {
		return s, nil
	}
	s, err := b.tx.PrepareContext(noInterrupt(ctx), q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	if b.stmts == nil {
		b.stmts = map[string]*sql.Stmt{}
	}
	b.stmts[q] = s
	return s, nil
}

// lastRowID is the rowid of the last row the transaction inserted.
func (b *batch) lastRowID(ctx context.Context) (int64, error) {
	return b.scalar(ctx, `SELECT last_insert_rowid()`)
}

// changes is how many rows the last statement inserted or changed.
func (b *batch) changes(ctx context.Context) (int64, error) {
	return b.scalar(ctx, `SELECT changes()`)
}

func (b *batch) scalar(ctx context.Context, q string) (int64, error) {
	s, err := b.stmt(ctx, q)
	if err != nil {
		return 0, err
	}
	var v int64
	if err := s.QueryRowContext(noInterrupt(ctx)).Scan(&v); err != nil {
		return 0, fmt.Errorf("%s: %w", q, err)
	}
	return v, nil
}

func (b *batch) close() {
	for _, s := range b.stmts {
		s.Close()
	}
	b.closeRaw()
}

// lookupQuery finds the identifiers of a JSON array of values. CROSS JOIN
// keeps json_each the outer loop: with a plain JOIN SQLite scans all of the
// account's identifiers once per value (see TestLookupUsesPrimaryKey).
const lookupQuery = `SELECT i.value, i.kind, i.profile_id FROM json_each(?) j
	CROSS JOIN identifiers i ON i.account_id = ? AND i.value = j.value`

// lookupChunk bounds the JSON array of one lookup query.
const lookupChunk = 5000

// LookupIdentifiers looks identifiers up a few thousand at a time: one query
// over a JSON array of values costs far less than a query per identifier.
func (b *batch) LookupIdentifiers(ctx context.Context, accountID string, ids []store.Identifier) (map[store.Identifier]int64, error) {
	if err := b.flushLinks(ctx); err != nil {
		return nil, err
	}
	s, err := b.stmt(ctx, lookupQuery)
	if err != nil {
		return nil, err
	}
	want := make(map[store.Identifier]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := make(map[store.Identifier]int64, len(ids))
	var arr []byte
	// In key order, the probes walk the primary key's pages in order.
	ids = slices.SortedFunc(slices.Values(ids), func(x, y store.Identifier) int { return strings.Compare(x.Value, y.Value) })
	for start := 0; start < len(ids); start += lookupChunk {
		chunk := ids[start:min(start+lookupChunk, len(ids))]
		arr = appendValues(arr[:0], chunk)
		if err := collectIDs(ctx, s, arr, accountID, want, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func appendValues(b []byte, ids []store.Identifier) []byte {
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = record.AppendJSONString(b, id.Value)
	}
	return append(b, ']')
}

func collectIDs(ctx context.Context, s *sql.Stmt, arr []byte, accountID string, want map[store.Identifier]bool, out map[store.Identifier]int64) error {
	rows, err := s.QueryContext(noInterrupt(ctx), string(arr), accountID)
	if err != nil {
		return fmt.Errorf("look up identifiers: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id store.Identifier
		var pid int64
		if err := rows.Scan(&id.Value, &id.Kind, &pid); err != nil {
			return fmt.Errorf("scan identifier: %w", err)
		}
		if want[id] {
			out[id] = pid
		}
	}
	return rows.Err()
}

// LinkIdentifiers collects links; flushLinks writes them.
func (b *batch) LinkIdentifiers(ctx context.Context, accountID string, profileID int64, ids []store.Identifier) error {
	b.links.Add(accountID, profileID, ids)
	return nil
}

// flushLinks writes the collected links, rowsPerStmt a statement. Most
// identifiers are new: INSERT OR IGNORE adds them without the statement
// journal an upsert keeps (see rowsStmt); a statement that met identifiers
// already stored points them at their new profile one by one.
func (b *batch) flushLinks(ctx context.Context) error {
	links := b.links.Take()
	return b.execRows(ctx, rowsStmt{verb: "INSERT OR IGNORE", into: `identifiers (account_id, value, kind, profile_id)`, cols: 4}, len(links),
		func(i int, dst []any) []any {
			l := &links[i]
			return append(dst, l.AccountID, l.ID.Value, l.ID.Kind, l.ProfileID)
		},
		func(first, n int) error {
			added, err := b.changes(ctx)
			if err != nil || added == int64(n) {
				return err
			}
			return b.relink(ctx, links[first:first+n])
		})
}

// relink points stored identifiers at their link's profile. The values are
// Go strings and ints, never NULL, so OR IGNORE skipped only stored ones.
func (b *batch) relink(ctx context.Context, links []store.Link) error {
	s, err := b.stmt(ctx, `UPDATE identifiers SET profile_id = ? WHERE account_id = ? AND value = ? AND kind = ?`)
	if err != nil {
		return err
	}
	for i := range links {
		l := &links[i]
		if _, err := s.ExecContext(noInterrupt(ctx), l.ProfileID, l.AccountID, l.ID.Value, l.ID.Kind); err != nil {
			return fmt.Errorf("relink: %w", err)
		}
	}
	return nil
}

func (b *batch) MergeProfiles(ctx context.Context, accountID string, into int64, from []int64) error {
	if len(from) == 0 {
		return nil
	}
	if err := b.flushLinks(ctx); err != nil {
		return err
	}
	// With every event in event_profiles, the merge finds them there.
	if err := b.indexEvents(noInterrupt(ctx), 1); err != nil {
		return err
	}
	in := "(?" + strings.Repeat(",?", len(from)-1) + ")"
	args := []any{into}
	for _, id := range from {
		args = append(args, id)
	}
	for _, q := range []string{
		`UPDATE identifiers SET profile_id = ? WHERE profile_id IN ` + in,
		`UPDATE events SET profile_id = ? WHERE id IN (SELECT event_id FROM event_profiles WHERE ` + inEpochs + ` AND profile_id IN ` + in + `)`,
		`UPDATE event_profiles SET profile_id = ? WHERE ` + inEpochs + ` AND profile_id IN ` + in,
	} {
		if _, err := b.tx.ExecContext(noInterrupt(ctx), q, args...); err != nil {
			return fmt.Errorf("merge profiles: %w", err)
		}
	}
	if _, err := b.tx.ExecContext(noInterrupt(ctx), `DELETE FROM profiles WHERE id IN `+in, args[1:]...); err != nil {
		return fmt.Errorf("delete merged profiles: %w", err)
	}
	return nil
}

// InsertEvents binds account and import once per statement: a batch's
// events share them (a quarter of an event's values).
func (b *batch) InsertEvents(ctx context.Context, evs []store.Event) error {
	for len(evs) > 0 {
		n := 1
		for n < len(evs) && evs[n].AccountID == evs[0].AccountID && evs[n].ImportID == evs[0].ImportID {
			n++
		}
		if err := b.insertEvents(ctx, evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

func (b *batch) insertEvents(ctx context.Context, evs []store.Event) error {
	err := b.execRows(ctx, rowsStmt{
		into:   `events (account_id, import_id, profile_id, row, name, ts, identifiers, props)`,
		shared: []any{evs[0].AccountID, evs[0].ImportID}, cols: 6,
	}, len(evs), func(i int, dst []any) []any {
		e := &evs[i]
		props, ids := e.StoredJSON()
		return append(dst, e.ProfileID, e.Row, e.Name, e.Time, ids, props)
	}, nil)
	if err != nil {
		return err
	}
	last, err := b.lastRowID(ctx)
	if err != nil {
		return err
	}
	b.keys.added(last-int64(len(evs))+1, evs)
	return nil
}

func (b *batch) InsertErrorRows(ctx context.Context, importID int64, rows []store.ErrorRow) error {
	return b.execRows(ctx, rowsStmt{into: `import_errors (import_id, row, line)`,
		shared: []any{importID}, cols: 2}, len(rows),
		func(i int, dst []any) []any { return append(dst, rows[i].Row, rows[i].Line) }, nil)
}

func (b *batch) SetErrorHeader(ctx context.Context, importID int64, header []byte) error {
	if _, err := b.tx.ExecContext(noInterrupt(ctx), `UPDATE imports SET error_header = ? WHERE id = ?`, header, importID); err != nil {
		return fmt.Errorf("set error header: %w", err)
	}
	return nil
}

func (b *batch) Checkpoint(ctx context.Context, importID int64, lease store.Lease, cp store.Checkpoint) error {
	if err := holdLease(ctx, b.tx, importID, lease.Owner); err != nil {
		return err
	}
	_, err := b.tx.ExecContext(noInterrupt(ctx), `UPDATE imports SET bytes_read = ?, rows_read = ?, rows_imported = ?,
		rows_failed = ?, error_bytes = ?, lease_until = ? WHERE id = ?`, cp.BytesRead, cp.RowsRead, cp.RowsImported,
		cp.RowsFailed, cp.ErrorBytes, ms(lease.Until), importID)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// noInterrupt keeps ctx's values but not its cancellation for one statement
// of a batch: go-sqlite3 runs each statement under a cancellable context in
// a goroutine of its own (measured: a tenth of an events import's CPU). A
// batch's statements are short, and a cancelled context still ends the
// batch: database/sql rolls its transaction back, so the next statement fails.
func noInterrupt(ctx context.Context) context.Context { return context.WithoutCancel(ctx) }
