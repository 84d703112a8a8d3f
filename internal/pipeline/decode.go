package pipeline

import (
	"bufio"
	"compress/flate"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"sluice/internal/cryptpgp"
	"sluice/internal/errs"
	"sluice/internal/manifest"
)

// Limits bound what a compressed or encrypted data file may expand to, so
// that a decompression bomb fails its import instead of running for hours.
type Limits struct {
	MaxBytes   int64 // plaintext bytes per import; 0: no cap
	MaxRatio   int64 // plaintext bytes per byte of the upload; 0: no cap
	RatioAfter int64 // plaintext read before MaxRatio applies; 0: RatioGrace
}

// RatioGrace is how much plaintext may be read before the ratio cap
// applies, so that small but very regular files pass.
const RatioGrace = 16 << 20

// KeySource unseals an account's decryption keys (cryptpgp.Service).
type KeySource interface {
	// DecryptionKey fails with errs.NotFound if the account has no such key.
	DecryptionKey(ctx context.Context, accountID, id string) (*cryptpgp.Key, error)
}

// encoding is how a data file is stored, as its name says.
type encoding struct {
	encrypted, armored, gzipped bool
}

func encodingOf(name string) encoding {
	return encoding{
		encrypted: manifest.Encrypted(name),
		armored:   manifest.Encrypted(name) && strings.HasSuffix(strings.ToLower(name), ".asc"),
		gzipped:   manifest.Compressed(name),
	}
}

func (e encoding) plain() bool { return !e.encrypted && !e.gzipped }

// Messages of decoding failures; each names what failed.
const (
	msgUndecryptable  = "File couldn't be decrypted: "
	msgUncompressible = "File couldn't be decompressed: "
)

// decode turns the stored bytes of a data file into its CSV text: decrypt,
// then gunzip, each while streaming, within the limits. Its errors and
// those of the stream it returns are *fileError for problems of the file,
// and the source's own errors otherwise.
func decode(raw io.Reader, enc encoding, key *cryptpgp.Key, lim Limits) (io.Reader, error) {
	in := &counter{r: bufio.NewReaderSize(raw, 256<<10)}
	var r io.Reader = in
	var err error
	if enc.encrypted {
		if r, err = cryptpgp.Decrypt(r, enc.armored, key); err != nil {
			return nil, decodeError(err, enc, true)
		}
	}
	if enc.gzipped {
		gz, err := gzip.NewReader(r)
		if err != nil {
			return nil, decodeError(err, enc, true)
		}
		r = gz
	}
	return &decoded{r: r, in: in, lim: lim, enc: enc}, nil
}

// decoded counts the plaintext against the limits and maps errors.
type decoded struct {
	r   io.Reader
	in  *counter // bytes of the upload consumed
	n   int64    // plaintext bytes returned
	lim Limits
	enc encoding
}

func (d *decoded) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.n += int64(n)
	if lerr := d.check(); lerr != nil {
		return 0, lerr
	}
	if err != nil && err != io.EOF {
		err = decodeError(err, d.enc, false)
	}
	return n, err
}

func (d *decoded) check() error {
	if d.lim.MaxBytes > 0 && d.n > d.lim.MaxBytes {
		return &fileError{msg: fmt.Sprintf(msgUncompressible+"it expands to more than %s, the most one import may read "+
			"(--max-decompressed-size); split it into smaller files", sizeText(d.lim.MaxBytes))}
	}
	after := d.lim.RatioAfter
	if after == 0 {
		after = RatioGrace
	}
	if d.lim.MaxRatio > 0 && d.n > after && d.n > d.lim.MaxRatio*d.in.n {
		return &fileError{msg: fmt.Sprintf(msgUncompressible+"it expands more than %d times (%s from the first %s): "+
			"a decompression bomb? (the limit is --max-compression-ratio)", d.lim.MaxRatio, sizeText(d.n), sizeText(d.in.n))}
	}
	return nil
}

// decodeError maps a decryption or decompression failure to the import's
// failure message; other errors (the source's) are returned as they are.
func decodeError(err error, enc encoding, atStart bool) error {
	var ce *cryptpgp.Error
	var fe *fileError
	var corrupt flate.CorruptInputError
	switch {
	case errors.As(err, &fe):
		return fe
	case errors.As(err, &ce):
		return &fileError{msg: msgUndecryptable + ce.Msg}
	case !enc.gzipped:
		return err
	case errors.Is(err, gzip.ErrHeader) && atStart && enc.encrypted:
		return &fileError{msg: msgUncompressible + "the decrypted file is not gzip data (a .csv.gz.gpg file must be gzipped, then encrypted)"}
	case errors.Is(err, gzip.ErrHeader) && atStart:
		return &fileError{msg: msgUncompressible + "it is not gzip data (a .gz file must be made by gzip)"}
	case errors.Is(err, gzip.ErrHeader):
		return &fileError{msg: msgUncompressible + "the gzip data is corrupt: something other than gzip follows it"}
	case errors.Is(err, gzip.ErrChecksum):
		return &fileError{msg: msgUncompressible + "the gzip checksum does not match: the file is damaged"}
	case errors.As(err, &corrupt):
		return &fileError{msg: fmt.Sprintf(msgUncompressible+"the gzip data is corrupt (at byte %d of the compressed data)", int64(corrupt))}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &fileError{msg: msgUncompressible + "the gzip data is truncated: it ends before the compressed data does (was the upload cut short?)"}
	}
	return err
}

// counter counts the bytes read through it.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// ctxReader stops a long read when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func sizeText(n int64) string {
	for _, u := range []struct {
		unit string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size {
			return fmt.Sprintf("%.4g %s", float64(n)/float64(u.size), u.unit)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// keyFor unseals the key that the manifest's keyId names.
func (p *Pipeline) keyFor(ctx context.Context, accountID, keyID string) (*cryptpgp.Key, error) {
	if p.cfg.Keys == nil {
		return nil, &fileError{msg: msgUndecryptable + "this server has no decryption keys configured"}
	}
	k, err := p.cfg.Keys.DecryptionKey(ctx, accountID, keyID)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil, &fileError{msg: fmt.Sprintf(msgUndecryptable+"the manifest's keyId %q names no decryption key with id %[1]q in this account "+
			"(GET /api/v1/pgp-keys lists them)", keyID)}
	case errors.Is(err, cryptpgp.ErrUnseal):
		return nil, &fileError{msg: msgUndecryptable + "the decryption key cannot be unsealed on this server: " +
			"its server secret (--secret-key-file) is not the one the key was stored under; ask the operator"}
	case err != nil:
		return nil, fmt.Errorf("read decryption key: %w", err)
	}
	return k, nil
}

// discard is io.Discard without ReadFrom, so that CopyBuffer uses the
// large buffer given.
type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
