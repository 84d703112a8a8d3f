package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"sluice/internal/record"
	"sluice/internal/store"
)

// A profile import's writer is its one busy core: SQLite's reads and
// writes, and between them the Go work of decoding, applying and encoding
// props. So that the second core takes part, props are decoded while SQLite
// steps through the next rows, and encoded while it writes the previous
// statement's rows, each in a goroutine the call waits for.

// loadQuery reads profiles by a JSON array of ids (CROSS JOIN keeps the
// array the outer loop, as in lookupQuery).
const loadQuery = `SELECT p.id, p.props, p.created_at, p.updated_at FROM json_each(?) j
	CROSS JOIN profiles p ON p.id = j.value AND p.account_id = ?`

func (b *batch) LoadProfiles(ctx context.Context, accountID string, ids []int64) (map[int64]*store.Profile, error) {
	s, err := b.stmt(ctx, loadQuery)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*store.Profile, len(ids))
	dec := startDecoder()
	var arr []byte
	for start := 0; start < len(ids) && err == nil; start += lookupChunk {
		arr = append(arr[:0], '[')
		for i, id := range ids[start:min(start+lookupChunk, len(ids))] {
			if i > 0 {
				arr = append(arr, ',')
			}
			arr = strconv.AppendInt(arr, id, 10)
		}
		arr = append(arr, ']')
		err = scanProfiles(ctx, s, string(arr), accountID, dec, out)
	}
	if decErr := dec.wait(); err == nil {
		err = decErr
	}
	if err != nil {
		return nil, err
	}
	if len(out) != len(ids) {
		return nil, fmt.Errorf("load profiles: %d of %d found", len(out), len(ids))
	}
	return out, nil
}

func scanProfiles(ctx context.Context, s *sql.Stmt, arr, accountID string, dec *decoder, out map[int64]*store.Profile) error {
	rows, err := s.QueryContext(noInterrupt(ctx), arr, accountID)
	if err != nil {
		return fmt.Errorf("load profiles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p := &store.Profile{AccountID: accountID}
		var props []byte // a copy of its own, which the decoder reads later
		var created, updated int64
		if err := rows.Scan(&p.ID, &props, &created, &updated); err != nil {
			return fmt.Errorf("scan profile: %w", err)
		}
		p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
		dec.add(p, props)
		out[p.ID] = p
	}
	return rows.Err()
}

// decoder decodes stored props into their profiles in a goroutine of its
// own, rowsPerStmt at a time; wait returns once all are done.
type decoder struct {
	chunk []pendingProps
	in    chan []pendingProps
	done  chan error
}

type pendingProps struct {
	p    *store.Profile
	json []byte
}

func startDecoder() *decoder {
	d := &decoder{in: make(chan []pendingProps, 4), done: make(chan error, 1)}
	go func() {
		var pd record.PropsDecoder
		var err error
		for chunk := range d.in {
			for _, c := range chunk {
				if err != nil {
					break
				}
				if c.p.Props, err = pd.Decode(c.json); err != nil {
					err = fmt.Errorf("profile %d: %w", c.p.ID, err)
				}
			}
		}
		d.done <- err
	}()
	return d
}

// add queues p's props; p.Props is set by the time wait returns.
func (d *decoder) add(p *store.Profile, json []byte) {
	d.chunk = append(d.chunk, pendingProps{p, json})
	if len(d.chunk) == rowsPerStmt {
		d.in <- d.chunk
		d.chunk = nil
	}
}

func (d *decoder) wait() error {
	if len(d.chunk) > 0 {
		d.in <- d.chunk
	}
	close(d.in)
	return <-d.done
}

func (b *batch) CreateProfiles(ctx context.Context, ps []*store.Profile) error {
	enc := encodeAhead(ps)
	defer enc.wait()
	// One writer holds the database, so a statement's rows get consecutive
	// rowids ending at last_insert_rowid().
	return b.execRows(ctx, rowsStmt{into: `profiles (account_id, props, created_at, updated_at)`, cols: 4}, len(ps),
		func(i int, dst []any) []any {
			p := ps[i]
			return append(dst, p.AccountID, enc.props(i), ms(p.CreatedAt), ms(p.UpdatedAt))
		},
		func(first, n int) error {
			last, err := b.lastRowID(ctx)
			if err != nil {
				return err
			}
			for i := range n {
				ps[first+i].ID = last - int64(n-1-i)
			}
			return nil
		})
}

// SaveProfiles updates profiles by id, as the PostgreSQL store does; an
// upsert kept a statement journal (see rowsStmt).
func (b *batch) SaveProfiles(ctx context.Context, ps []*store.Profile) error {
	enc := encodeAhead(ps)
	defer enc.wait()
	return b.execRows(ctx, rowsStmt{into: "profiles", cols: 3,
		update: `UPDATE OR FAIL profiles SET props = v.column2, updated_at = v.column3 FROM (%s) AS v WHERE profiles.id = v.column1`},
		len(ps), func(i int, dst []any) []any { return append(dst, ps[i].ID, enc.props(i), ms(ps[i].UpdatedAt)) }, nil)
}

// encoder encodes the props of profiles in a goroutine of its own, a
// statement's rows at a time, ahead of the writer that binds them.
type encoder struct {
	json  [][]byte
	ready chan struct{} // one per chunk of rowsPerStmt encoded
	got   int           // chunks received
	done  chan struct{}
}

func encodeAhead(ps []*store.Profile) *encoder {
	chunks := (len(ps) + rowsPerStmt - 1) / rowsPerStmt
	e := &encoder{json: make([][]byte, len(ps)), ready: make(chan struct{}, chunks), done: make(chan struct{})}
	if len(ps) == 0 { // a batch of known users creates no profile
		close(e.done)
		return e
	}
	go func() {
		defer close(e.done)
		for first := 0; first < len(ps); first += rowsPerStmt {
			for i := first; i < min(first+rowsPerStmt, len(ps)); i++ {
				e.json[i] = ps[i].Props.AppendJSON(nil)
			}
			e.ready <- struct{}{}
		}
	}()
	return e
}

// props returns row i's JSON, waiting for it if need be.
func (e *encoder) props(i int) []byte {
	for e.got*rowsPerStmt <= i {
		<-e.ready
		e.got++
	}
	return e.json[i]
}

// wait returns once the goroutine has ended; it never blocks on the writer.
func (e *encoder) wait() { <-e.done }
