package pipeline

import (
	"context"
	"errors"
	"io"
	"time"

	"sluice/internal/csvstream"
	"sluice/internal/manifest"
	"sluice/internal/store"
)

// Result is what an offline validation found.
type Result struct {
	Type  string
	Error string // file-level failure, as the import would report it
	store.Checkpoint
}

// Validate runs the server's checks over a data stream without a store: it
// counts rows and writes the error file (header and refused rows) to errOut.
// progress, if set, is called after each batch with the bytes read so far.
func Validate(ctx context.Context, manifestJSON []byte, data io.Reader, errOut io.Writer, progress func(int64)) (Result, error) {
	m, prob := manifest.Parse(manifestJSON)
	if prob != nil {
		return Result{Type: prob.Type, Error: prob.Error()}, nil
	}
	res := Result{Type: m.Type}
	cr := csvstream.NewReader(data, 0)
	header, errHeader, conv, err := readHeader(cr, m, time.UTC)
	var fe *fileError
	if errors.As(err, &fe) {
		res.Error = fe.msg
		return res, nil
	}
	if err != nil {
		return res, err
	}
	if _, err := errOut.Write(errHeader); err != nil {
		return res, err
	}
	rr := &rowReader{csv: cr, conv: conv, typ: m.Type, header: header, limit: 10000, clock: time.Now,
		cp: store.Checkpoint{BytesRead: cr.Offset(), ErrorBytes: int64(len(errHeader))}}
	for {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		b, err := rr.next()
		if b != nil {
			for _, e := range b.errors {
				if _, werr := errOut.Write(e.Line); werr != nil {
					return res, werr
				}
			}
			res.Checkpoint = b.cp
			if progress != nil {
				progress(b.cp.BytesRead)
			}
		}
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, err
		}
	}
}
