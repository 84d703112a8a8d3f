// Package export writes a segment as CSV, streaming: one row per matching
// profile, as the store's cursor gives them.
//
// Columns: identity, objectId, fbId, gpId, then the chosen properties in the
// order asked. Several identifiers of one kind, and the items of a multi-value
// property, are joined with "|" (items are not escaped: an item holding "|"
// reads as two). Dates are RFC 3339 in UTC; booleans true/false; numbers as
// written by strconv; an absent property is an empty cell.
package export

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sluice/internal/record"
	"sluice/internal/store"
)

// Sep joins several values in one cell.
const Sep = "|"

// MaxProperties caps the property columns of one export.
const MaxProperties = 100

// Source is the store side of an export.
type Source interface {
	ExportSegment(ctx context.Context, accountID string, q store.SegmentQuery, props []string, fn func(store.Profile) error) error
}

// Run writes the header and every matching profile to w; it returns the number of rows.
func Run(ctx context.Context, src Source, accountID string, q store.SegmentQuery, props []string, w io.Writer) (int64, error) {
	cw := NewWriter(w, props)
	if err := cw.Header(); err != nil {
		return 0, err
	}
	var n int64
	err := src.ExportSegment(ctx, accountID, q, props, func(p store.Profile) error {
		n++
		return cw.Write(p)
	})
	if err != nil {
		return n, fmt.Errorf("export segment: %w", err)
	}
	return n, cw.Flush()
}

// Writer formats profiles as CSV rows.
type Writer struct {
	csv   *csv.Writer
	props []string
	row   []string
}

// NewWriter writes to w through a 64 KiB buffer.
func NewWriter(w io.Writer, props []string) *Writer {
	return &Writer{
		csv:   csv.NewWriter(bufio.NewWriterSize(w, 64<<10)),
		props: props,
		row:   make([]string, len(record.IdentifierKinds)+len(props)),
	}
}

// Header writes the header row.
func (w *Writer) Header() error {
	return w.write(append(append([]string{}, record.IdentifierKinds...), w.props...))
}

// Write writes one profile's row.
func (w *Writer) Write(p store.Profile) error {
	for i, kind := range record.IdentifierKinds {
		w.row[i] = joinKind(p.Identifiers, kind)
	}
	base := len(record.IdentifierKinds)
	for i, name := range w.props {
		v, ok := p.Props[name]
		w.row[base+i] = ""
		if ok {
			w.row[base+i] = Cell(v)
		}
	}
	return w.write(w.row)
}

func (w *Writer) write(row []string) error {
	if err := w.csv.Write(row); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

func joinKind(ids []store.Identifier, kind string) string {
	var b strings.Builder
	for _, id := range ids {
		if id.Kind != kind {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(Sep)
		}
		b.WriteString(id.Value)
	}
	return b.String()
}

// Cell is a value as an export cell.
func Cell(v record.Value) string {
	switch v.Kind {
	case record.KindDate:
		return v.Time().Format(time.RFC3339)
	case record.KindList:
		return strings.Join(v.L, Sep)
	case record.KindFloat:
		return strconv.FormatFloat(v.F, 'f', -1, 64)
	}
	return v.Text()
}
