package pipeline_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"sluice/internal/pipeline"
)

// TestVerifyAndValidateInput: the offline entry points decode as the
// server does, and report progress in bytes of the file as stored.
func TestVerifyAndValidateInput(t *testing.T) {
	plain := manyEvents(2000)
	gz := gzipped(plain)
	cases := []struct {
		name, file string
		data       []byte
		size       int64 // plaintext size Verify returns; -1: fails
		msg        string
	}{
		{"plain", "d.csv", plain, int64(len(plain)), ""},
		{"gzip", "d.csv.gz", gz, int64(len(plain)), ""},
		{"gzip, truncated", "d.csv.gz", gz[:len(gz)/2], -1, "gzip data is truncated"},
		{"encrypted without a key", "d.csv.gpg", plain, -1, "no decryption key was given"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := pipeline.Input{Data: bytes.NewReader(c.data), Name: c.file, Limits: testLimits}
			n, err := pipeline.Verify(context.Background(), in)
			if c.size >= 0 && (err != nil || n != c.size) {
				t.Fatalf("verify: %d %v, want %d", n, err, c.size)
			}
			if c.size < 0 && (err == nil || !strings.Contains(err.Error(), c.msg)) {
				t.Fatalf("verify: %v, want %q", err, c.msg)
			}
			var last int64
			in.Data = bytes.NewReader(c.data)
			res, err := pipeline.ValidateInput(context.Background(), []byte(eventManifest(c.file, "k")), in, &bytes.Buffer{},
				func(n int64) { last = n })
			if err != nil {
				t.Fatal(err)
			}
			if c.size < 0 {
				if !strings.Contains(res.Error, c.msg) || res.RowsRead != 0 {
					t.Fatalf("validate: %+v, want a failure with %q and no counts", res, c.msg)
				}
				return
			}
			if res.Error != "" || res.RowsRead != 2000 || last != int64(len(c.data)) {
				t.Fatalf("validate: %+v, last progress %d of %d stored bytes", res, last, len(c.data))
			}
		})
	}
}
