package pipeline

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"sluice/internal/csvstream"
	"sluice/internal/manifest"
	"sluice/internal/record"
	"sluice/internal/store"
)

// fileError is a file-level failure: the import fails with this message.
type fileError struct{ msg string }

func (e *fileError) Error() string { return e.msg }

// Messages of file-level failures (SPEC section 4).
const (
	msgNoDataFile   = "No data file found"
	msgUnreadable   = "File couldn't be read"
	msgInternal     = "Internal error while importing data"
	failureDescCol  = "Failure Description"
	reasonSeparator = "; "
)

func unreadable(format string, args ...any) error {
	return &fileError{msg: msgUnreadable + ": " + fmt.Sprintf(format, args...)}
}

// rowReader turns the data stream into batches of converted rows.
type rowReader struct {
	csv    *csvstream.Reader
	conv   *record.Converter
	typ    string
	header []string
	cp     store.Checkpoint // progress after the last row read
	// progress maps the CSV offset to bytesRead (nil: the offset itself)
	progress func(int64) int64
	accID    string
	impID    int64
	limit    int
	clock    func() time.Time
	props    record.Props // each row's Props, encoded or dropped before the next row
	deferOps bool         // the batches keep changes to stored profiles as operations
}

// readHeader reads and checks the header record and builds the converter.
func readHeader(r *csvstream.Reader, m manifest.Manifest, loc *time.Location) ([]string, []byte, *record.Converter, error) {
	fields, raw, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, nil, unreadable("the file is empty; the first row must be the header")
	}
	var re *csvstream.RecordError
	if errors.As(err, &re) {
		return nil, nil, nil, unreadable("the header row is malformed: %s", re.Msg)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	header := append([]string(nil), fields...)
	if err := checkHeader(header); err != nil {
		return nil, nil, nil, err
	}
	conv, err := record.NewConverter(m, header, loc)
	if err != nil {
		return nil, nil, nil, converterError(err)
	}
	errHeader := append(append([]byte(nil), raw...), ","+failureDescCol+"\n"...)
	return header, errHeader, conv, nil
}

// converterError maps why a header cannot be mapped to the import's failure.
func converterError(err error) error {
	var he *record.HeaderError
	var prob *manifest.Problem
	switch {
	case errors.As(err, &he):
		return unreadable("%s", he.Reason)
	case errors.As(err, &prob):
		return &fileError{msg: prob.Error()}
	default:
		return unreadable("%v", err)
	}
}

func checkHeader(h []string) error {
	seen := make(map[string]int, len(h))
	for i, name := range h {
		if strings.TrimSpace(name) == "" {
			return unreadable("column %d of the header has no name; every column needs a unique name", i+1)
		}
		if j, dup := seen[name]; dup {
			return unreadable("the header names column %q twice (columns %d and %d); column names must be unique", name, j+1, i+1)
		}
		seen[name] = i
	}
	return nil
}

// next reads up to limit rows into a batch; it returns io.EOF with the last
// (possibly empty) batch at the end of the file.
func (rr *rowReader) next() (*batch, error) {
	b := &batch{now: rr.clock(), deferOps: rr.deferOps}
	if rr.typ == manifest.TypeProfile {
		b.profiles = make([]profileRow, 0, rr.limit)
	} else {
		b.events = make([]store.Event, 0, rr.limit)
	}
	for b.rows() < rr.limit {
		fields, raw, err := rr.csv.Read()
		if errors.Is(err, io.EOF) {
			rr.cp.BytesRead = rr.bytesRead()
			b.cp = rr.cp
			return b, io.EOF
		}
		var re *csvstream.RecordError
		if err != nil && !errors.As(err, &re) {
			return nil, fmt.Errorf("read data file: %w", err)
		}
		rr.cp.RowsRead++
		var reasons []string
		if re != nil {
			reasons = []string{re.Msg}
		} else if len(fields) != len(rr.header) {
			reasons = []string{record.RowFieldCount(len(fields), len(rr.header))}
		} else {
			reasons = rr.convert(b, fields)
		}
		if len(reasons) > 0 {
			rr.refuse(b, raw, reasons)
		} else {
			rr.cp.RowsImported++
		}
	}
	rr.cp.BytesRead = rr.bytesRead()
	b.cp = rr.cp
	return b, nil
}

func (rr *rowReader) bytesRead() int64 {
	if rr.progress == nil {
		return rr.csv.Offset()
	}
	return rr.progress(rr.csv.Offset())
}

func (rr *rowReader) convert(b *batch, fields []string) []string {
	if rr.props == nil {
		rr.props = record.Props{}
	}
	row, reasons := rr.conv.ConvertReusing(fields, rr.props)
	if len(reasons) > 0 {
		return reasons
	}
	ts := b.now
	if row.TS != 0 {
		ts = time.Unix(row.TS, 0).UTC()
	}
	if rr.typ == manifest.TypeProfile {
		var enc []byte
		if rr.deferOps {
			start := b.grow()
			b.arena = record.AppendOps(b.arena, row.Ops)
			enc = b.arena[start:len(b.arena):len(b.arena)]
		}
		b.profiles = append(b.profiles, profileRow{ids: row.Identifiers, ops: row.Ops, enc: enc, ts: ts})
		return nil
	}
	start := b.grow()
	b.arena = row.Props.AppendJSON(b.arena)
	mid := len(b.arena)
	b.arena = store.AppendIdentifiersJSON(b.arena, row.Identifiers)
	b.events = append(b.events, store.Event{
		AccountID: rr.accID, ImportID: rr.impID, Row: rr.cp.RowsRead, Name: row.EventName,
		Time: ts.Unix(), Identifiers: row.Identifiers,
		PropsJSON: b.arena[start:mid:mid], IdentifiersJSON: b.arena[mid:len(b.arena):len(b.arena)],
	})
	return nil
}

// grow makes room in the batch's arena for a row encoded here, beside the
// writer, and returns where it starts. The arena grows in fresh chunks, not
// by doubling: earlier rows keep pointing into the chunks they were written
// to, so doubling would hold every old copy.
func (b *batch) grow() int {
	if cap(b.arena)-len(b.arena) < 4<<10 {
		b.arena = make([]byte, 0, 256<<10)
	}
	return len(b.arena)
}

func (rr *rowReader) refuse(b *batch, raw []byte, reasons []string) {
	line := make([]byte, 0, len(raw)+64)
	line = append(line, raw...)
	line = append(line, ',')
	line = appendCSVField(line, strings.Join(reasons, reasonSeparator))
	line = append(line, '\n')
	b.errors = append(b.errors, store.ErrorRow{Row: rr.cp.RowsRead, Line: line})
	rr.cp.RowsFailed++
	rr.cp.ErrorBytes += int64(len(line))
}

// appendCSVField quotes a field when RFC 4180 needs it.
func appendCSVField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") && !strings.HasPrefix(s, " ") {
		return append(b, s...)
	}
	b = append(b, '"')
	b = append(b, strings.ReplaceAll(s, `"`, `""`)...)
	return append(b, '"')
}
