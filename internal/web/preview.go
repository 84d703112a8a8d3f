package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"

	"sluice/internal/store"
)

// previewRows is how many refused rows the import page shows; the rest are
// in the error file.
const previewRows = 10

// refusedPreview is the first refused rows of an import, split into cells,
// so a user sees at a glance why rows were refused before downloading.
type refusedPreview struct {
	Header []string
	Rows   [][]string
	More   bool // there are more refused rows than shown
}

var errEnough = errors.New("enough rows for the preview")

func (d *Dashboard) preview(ctx context.Context, imp store.Import) (*refusedPreview, error) {
	if imp.RowsFailed == 0 || len(imp.ErrorHeader) == 0 {
		return nil, nil
	}
	buf := bytes.NewBuffer(append([]byte(nil), imp.ErrorHeader...))
	n := 0
	err := d.d.Store.ErrorRows(ctx, imp.ID, func(line []byte) error {
		if n == previewRows {
			return errEnough
		}
		buf.Write(line)
		n++
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, fmt.Errorf("preview error rows of import %d: %w", imp.ID, err)
	}
	r := csv.NewReader(buf)
	r.FieldsPerRecord = -1 // refused rows may have the wrong number of fields: that is often why
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		return nil, nil // a row the CSV reader cannot split is still in the file; the preview is a convenience
	}
	return &refusedPreview{Header: recs[0], Rows: recs[1:], More: imp.RowsFailed > int64(len(recs)-1)}, nil
}
