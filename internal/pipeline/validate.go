package pipeline

import (
	"context"
	"errors"
	"io"
	"time"

	"sluice/internal/cryptpgp"
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

// Input is a data stream to validate offline, and how it is stored.
type Input struct {
	Data   io.Reader
	Name   string        // decides the decoding, as the upload's name does on the server
	Key    *cryptpgp.Key // for encrypted names
	Limits Limits
}

// ValidateInput runs the server's checks over a data stream (plain,
// compressed or encrypted) without a store: it counts rows and writes the
// error file (header and refused rows) to errOut. progress, if set, is
// called after each batch with the stored (not the decoded) bytes read.
// It reads the stream once: a failure found at the end (integrity check,
// gzip checksum) makes the whole result a file-level failure, with no counts.
func ValidateInput(ctx context.Context, manifestJSON []byte, in Input, errOut io.Writer, progress func(int64)) (Result, error) {
	m, prob := manifest.Parse(manifestJSON)
	if prob != nil {
		return Result{Type: prob.Type, Error: prob.Error()}, nil
	}
	res := Result{Type: m.Type}
	data, read, err := validateStream(in)
	if err == nil {
		res, err = validateRows(ctx, m, data, errOut, func(off int64) {
			if progress != nil {
				progress(read(off))
			}
		})
	}
	var fe *fileError
	if errors.As(err, &fe) {
		return Result{Type: m.Type, Error: fe.msg}, nil
	}
	return res, err
}

// validateStream decodes in; read maps a CSV offset to stored bytes read.
func validateStream(in Input) (io.Reader, func(int64) int64, error) {
	enc := encodingOf(in.Name)
	if enc.plain() {
		return in.Data, func(off int64) int64 { return off }, nil
	}
	if enc.encrypted && in.Key == nil {
		return nil, nil, &fileError{msg: msgUndecryptable + "no decryption key was given"}
	}
	c := &counter{r: in.Data}
	r, err := decode(c, enc, in.Key, in.Limits)
	return r, func(int64) int64 { return c.n }, err
}

func validateRows(ctx context.Context, m manifest.Manifest, data io.Reader, errOut io.Writer, progress func(int64)) (Result, error) {
	res := Result{Type: m.Type}
	cr := csvstream.NewReader(data, 0)
	header, errHeader, conv, err := readHeader(cr, m, time.UTC)
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
			progress(b.cp.BytesRead)
		}
		if errors.Is(err, io.EOF) {
			return res, nil
		}
		if err != nil {
			return res, err
		}
	}
}

// Verify reads a compressed or encrypted stream once to its end, discarding
// the plaintext, so that the failures only known at the end (integrity
// check, gzip checksum, truncation, the limits) fail an import before any
// row is stored. It returns the plaintext size, or an error whose message is
// the import's failure.
func Verify(ctx context.Context, in Input) (int64, error) {
	data, _, err := validateStream(Input{Data: ctxReader{ctx: ctx, r: in.Data}, Name: in.Name, Key: in.Key, Limits: in.Limits})
	if err != nil {
		return 0, err
	}
	return io.CopyBuffer(discard{}, data, make([]byte, 256<<10))
}
