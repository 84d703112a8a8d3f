package main

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"

	"sluice/internal/app"
	"sluice/internal/blob"
	"sluice/internal/config"
	"sluice/internal/cryptpgp"
	"sluice/internal/pipeline"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

type result struct {
	upload int64
	total  time.Duration
	cpu    time.Duration // CPU time of this process during the import
	verify time.Duration // the verification pass alone, measured apart
}

const account = "BENCH-0001"

// measure imports the plain file, encoded as mode says, into a fresh store.
func measure(ctx context.Context, o options, mode, plainPath string, rows int64) (result, error) {
	dir, err := os.MkdirTemp(o.dir, mode+"-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "s.db"), sqlite.Options{})
	if err != nil {
		return result{}, err
	}
	defer st.Close()
	blobs, err := blob.NewLocal(filepath.Join(dir, "files"))
	if err != nil {
		return result{}, err
	}
	defer blobs.Close()
	cfg := config.Default()
	cfg.DataDir = dir
	if err := cfg.Validate(); err != nil {
		return result{}, err
	}
	keys, err := app.PGPService(cfg, st)
	if err != nil {
		return result{}, err
	}
	if err := st.CreateAccount(ctx, store.Account{ID: account, Name: "bench", CreatedAt: time.Now()}, []byte("t")); err != nil {
		return result{}, err
	}
	name, keyID, err := encodeFor(ctx, mode, plainPath, filepath.Join(dir, "upload"), keys)
	if err != nil {
		return result{}, err
	}
	p := pipeline.New(pipeline.Config{Workers: 1, BatchRows: o.batchRows, LeaseDuration: 30 * time.Second,
		WaitTimeout: time.Minute, PollEvery: 50 * time.Millisecond, Keys: keys, Limits: app.DecodeLimits(cfg),
		Logger: discardLogger()}, st, blobs)
	p.Start(ctx)
	defer p.Close()
	up, err := put(ctx, st, blobs, filepath.Join(dir, "upload"), name)
	if err != nil {
		return result{}, err
	}
	verify, err := timeVerify(ctx, filepath.Join(dir, "upload"), name, keys, keyID, cfg)
	if err != nil {
		return result{}, err
	}
	start, cpu0 := time.Now(), cpuTime()
	manifest := fmt.Sprintf(`{"type": "event", "fileName": %q, "clientEmail": "b@example.com", "keyId": %q,
		"columns": {"Amount": {"dataType": "FLOAT"}, "Quantity": {"dataType": "INTEGER"}}}`, name, keyID)
	if err := putBytes(ctx, st, blobs, []byte(manifest), "m.manifest", p); err != nil {
		return result{}, err
	}
	imp, err := waitEnd(ctx, st)
	if err != nil {
		return result{}, err
	}
	if imp.Status != store.StatusSucceeded || imp.RowsImported != rows {
		return result{}, fmt.Errorf("import ended %s with %d of %d rows: %s", imp.Status, imp.RowsImported, rows, imp.Error)
	}
	return result{upload: up.Size, total: time.Since(start), cpu: cpuTime() - cpu0, verify: verify}, nil
}

// encodeFor writes the file to upload for mode and returns its name and
// the keyId to give (empty when not encrypted).
func encodeFor(ctx context.Context, mode, plainPath, out string, keys *cryptpgp.Service) (string, string, error) {
	var k store.PGPKey
	var err error
	if strings.Contains(mode, "pgp") {
		if k, err = keys.Generate(ctx, account, "bench"); err != nil {
			return "", "", err
		}
	}
	switch mode {
	case "plain":
		return "events.csv", "", copyFile(plainPath, out, nil)
	case "gzip":
		return "events.csv.gz", "", copyFile(plainPath, out, gzipTo)
	case "pgp":
		return "events.csv.gpg", k.ID, copyFile(plainPath, out, encryptTo(k.PublicKey, packet.CompressionNone))
	case "gzip+pgp":
		gz := out + ".gz"
		defer os.Remove(gz)
		if err := copyFile(plainPath, gz, gzipTo); err != nil {
			return "", "", err
		}
		return "events.csv.gz.gpg", k.ID, copyFile(gz, out, encryptTo(k.PublicKey, packet.CompressionNone))
	}
	return "", "", fmt.Errorf("unknown mode %q: use plain, gzip, pgp or gzip+pgp", mode)
}

// copyFile copies src to dst through wrap (nil: as is).
func copyFile(src, dst string, wrap func(io.Writer) (io.WriteCloser, error)) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer out.Close()
	var w io.WriteCloser = nopCloser{out}
	if wrap != nil {
		if w, err = wrap(out); err != nil {
			return err
		}
	}
	if _, err := io.CopyBuffer(w, in, make([]byte, 1<<20)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return out.Close()
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

func gzipTo(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil }

// encryptTo encrypts as gpg does to a key sluice made: to its encryption
// subkey, with an MDC, not compressed (the key prefers no compression).
func encryptTo(armoredPub string, algo packet.CompressionAlgo) func(io.Writer) (io.WriteCloser, error) {
	return func(w io.Writer) (io.WriteCloser, error) {
		ring, err := openpgp.ReadArmoredKeyRing(strings.NewReader(armoredPub))
		if err != nil {
			return nil, err
		}
		cfg := &packet.Config{DefaultCompressionAlgo: algo, DefaultCipher: packet.CipherAES256}
		return openpgp.Encrypt(w, ring, nil, &openpgp.FileHints{IsBinary: true}, cfg)
	}
}

// put stores a file as an upload the way sftpd does.
func put(ctx context.Context, st *sqlite.DB, blobs *blob.Local, path, name string) (store.Upload, error) {
	f, err := os.Open(path)
	if err != nil {
		return store.Upload{}, err
	}
	defer f.Close()
	key := blob.NewKey(account)
	w, err := blobs.Create(ctx, key)
	if err != nil {
		return store.Upload{}, err
	}
	h := sha256.New()
	n, err := io.CopyBuffer(io.MultiWriter(&offsetWriter{w: w}, h), f, make([]byte, 1<<20))
	if err == nil {
		err = w.Commit()
	}
	if err != nil {
		w.Abort()
		return store.Upload{}, err
	}
	u, _, err := st.RecordUpload(ctx, store.Upload{AccountID: account, Name: name, Kind: store.KindData, Size: n,
		SHA256: hex.EncodeToString(h.Sum(nil)), BlobKey: key, CreatedAt: time.Now()})
	return u, err
}

type offsetWriter struct {
	w   io.WriterAt
	off int64
}

func (o *offsetWriter) Write(p []byte) (int, error) {
	n, err := o.w.WriteAt(p, o.off)
	o.off += int64(n)
	return n, err
}

func putBytes(ctx context.Context, st *sqlite.DB, blobs *blob.Local, data []byte, name string, p *pipeline.Pipeline) error {
	key := blob.NewKey(account)
	w, err := blobs.Create(ctx, key)
	if err != nil {
		return err
	}
	w.WriteAt(data, 0)
	if err := w.Commit(); err != nil {
		return err
	}
	u, _, err := st.RecordUpload(ctx, store.Upload{AccountID: account, Name: name, Kind: store.KindManifest,
		Size: int64(len(data)), SHA256: "00", BlobKey: key, CreatedAt: time.Now()})
	if err != nil {
		return err
	}
	p.UploadCompleted(ctx, u)
	return nil
}

func waitEnd(ctx context.Context, st *sqlite.DB) (store.Import, error) {
	for {
		imps, err := st.ListImports(ctx, account, store.ImportFilter{})
		if err != nil {
			return store.Import{}, err
		}
		if len(imps) == 1 && imps[0].Status.Ended() {
			return imps[0], nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cpuTime is the CPU time (user and system) this process used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timeVerify measures the verification pass alone (decrypt/gunzip to
// nothing), as the pipeline runs it before importing.
func timeVerify(ctx context.Context, path, name string, keys *cryptpgp.Service, keyID string, cfg config.Config) (time.Duration, error) {
	if !strings.HasSuffix(name, ".gz") && !strings.HasSuffix(name, ".gpg") {
		return 0, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	in := pipeline.Input{Data: f, Name: name, Limits: app.DecodeLimits(cfg)}
	if keyID != "" {
		if in.Key, err = keys.DecryptionKey(ctx, account, keyID); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	_, err = pipeline.Verify(ctx, in)
	return time.Since(start), err
}
