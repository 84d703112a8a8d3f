// Package csvstream reads RFC 4180 CSV as a stream of records and, unlike
// encoding/csv, hands back each record's raw bytes (for the error file, which
// must hold refused rows exactly as uploaded) and the byte offset after it
// (for checkpoints). A malformed record is reported and skipped; reading
// goes on with the next one.
package csvstream

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// bom is the UTF-8 byte order mark some tools put at the start of a file.
var bom = []byte{0xEF, 0xBB, 0xBF}

// RecordError is a record that could not be split into fields; the record's
// raw bytes are still returned so that it can be reported as uploaded.
type RecordError struct {
	Msg string
}

func (e *RecordError) Error() string { return e.Msg }

// Reader reads records from a stream.
type Reader struct {
	br      *bufio.Reader
	off     int64  // offset of the next unread byte
	raw     []byte // the current record, without its line ending
	buf     []byte // field bytes of the current record
	ends    []int  // end of each field in buf
	fields  []string
	started bool
	// MaxRecord bounds one record's size, so a stray quote cannot make a
	// whole file one record held in memory.
	MaxRecord int
}

// NewReader reads from r, which is at offset off of the stream. At offset 0
// a leading BOM is skipped.
func NewReader(r io.Reader, off int64) *Reader {
	return &Reader{br: bufio.NewReaderSize(r, 1<<20), off: off, started: off > 0, MaxRecord: 16 << 20}
}

// Offset is the stream offset just after the last record returned.
func (r *Reader) Offset() int64 { return r.off }

// Read returns the next record's fields and raw bytes. Both are valid until
// the next call, except that the field strings stay valid. At the end it
// returns io.EOF. A *RecordError means this record is malformed; the raw
// bytes are returned with it and the next call goes on after it.
func (r *Reader) Read() (fields []string, raw []byte, err error) {
	if !r.started {
		r.started = true
		if err := r.skipBOM(); err != nil {
			return nil, nil, err
		}
	}
	for {
		fields, raw, err = r.readRecord()
		if err != nil || len(raw) > 0 {
			return fields, raw, err
		}
		// An empty line is not a record: skip it.
	}
}

func (r *Reader) skipBOM() error {
	b, err := r.br.Peek(3)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if bytes.Equal(b, bom) {
		r.br.Discard(3)
		r.off += 3
	}
	return nil
}

// readRecord reads physical lines until the record's quotes are balanced.
func (r *Reader) readRecord() ([]string, []byte, error) {
	r.raw = r.raw[:0]
	line, err := r.readLine()
	if err != nil {
		return nil, nil, err
	}
	if bytes.IndexByte(line, '"') < 0 {
		r.raw = append(r.raw, trimEOL(line)...)
		return r.splitPlain(), r.raw, r.checkUTF8()
	}
	r.raw = append(r.raw, line...)
	for {
		state := r.parseQuoted()
		if state != errOpenQuote {
			r.raw = trimEOL(r.raw)
			if state != nil {
				return r.fields, r.raw, state
			}
			return r.fields, r.raw, r.checkUTF8()
		}
		if len(r.raw) > r.MaxRecord {
			return nil, trimEOL(r.raw), &RecordError{Msg: fmt.Sprintf("Row is larger than %d bytes (an unclosed quote?)", r.MaxRecord)}
		}
		more, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return nil, trimEOL(r.raw), &RecordError{Msg: "Row has a quoted field that is never closed"}
		}
		if err != nil {
			return nil, nil, err
		}
		r.raw = append(r.raw, more...)
	}
}

// readLine returns one physical line including its "\n" (absent at the end
// of the stream), and advances the offset past it.
func (r *Reader) readLine() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := append([]byte(nil), line...)
		for errors.Is(err, bufio.ErrBufferFull) && len(long) <= r.MaxRecord {
			line, err = r.br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	r.off += int64(len(line))
	if errors.Is(err, io.EOF) {
		if len(line) == 0 {
			return nil, io.EOF
		}
		return line, nil
	}
	if errors.Is(err, bufio.ErrBufferFull) {
		return line, nil // over MaxRecord: the caller reports it
	}
	return line, err
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// splitPlain splits a record without quotes: the fast path.
func (r *Reader) splitPlain() []string {
	s := string(r.raw) // one allocation per record; fields are substrings
	r.fields = r.fields[:0]
	for {
		i := indexComma(s)
		if i < 0 {
			r.fields = append(r.fields, s)
			return r.fields
		}
		r.fields = append(r.fields, s[:i])
		s = s[i+1:]
	}
}

func indexComma(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] == ',' {
			return i
		}
	}
	return -1
}

// checkUTF8 refuses a row that is not UTF-8 text. A NUL character is valid
// UTF-8 but not text: PostgreSQL can hold it neither in text nor in jsonb,
// so it is refused here, as a row error, on every store alike.
func (r *Reader) checkUTF8() error {
	if !utf8.Valid(r.raw) {
		return &RecordError{Msg: "Row is not valid UTF-8 text"}
	}
	if bytes.IndexByte(r.raw, 0) >= 0 {
		return &RecordError{Msg: "Row contains a NUL character, which is not text"}
	}
	return nil
}
