package app_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"sluice/internal/cryptpgp/pgptest"
	"sluice/internal/httpapi"
	"sluice/internal/store"
)

// killMidEncodedImport is killMidImport for a compressed or encrypted
// file: encode gets the key made with the CLI while the server runs (for
// encrypted names) and returns the file to upload.
func killMidEncodedImport(t *testing.T, file string, encrypted bool, encode func(k httpapi.PGPKeyJSON) []byte) (httpapi.ImportJSON, string) {
	proc := newCrashProc(t)
	acct, id := startCustomer(t, proc)
	var k httpapi.PGPKeyJSON
	if encrypted {
		out := proc.CLI("pgp-key", "create", "--account", id, "--name", "crash", "--json")
		if err := json.Unmarshal([]byte(out), &k); err != nil || k.ID == "" {
			t.Fatalf("pgp-key create: %v\n%s", err, out)
		}
	}
	imp := uploadKillResume(t, proc, acct, file, encode(k), pgpManifest(file, k.ID))
	return imp, filepath.Join(proc.DataDir, "sluice.db")
}

// TestCrashResumesEncodedExactlyOnce (issue 6, acceptance 3): sluice is
// killed with SIGKILL mid-import of a gzip file and of an encrypted file;
// after the restart the import resumes at its checkpoint's row and every
// row is stored exactly once, the refused ones in the error file too.
func TestCrashResumesEncodedExactlyOnce(t *testing.T) {
	data := pgpEvents(crashRows)
	var wantQty, wantRefused, wantErrBytes int64
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")[1:] {
		if i%9 == 4 {
			wantRefused++
			wantErrBytes += int64(len(line) + len(",Event name belongs to restricted system events\n"))
		} else {
			wantQty += int64(i % 7)
		}
	}
	g := pgptest.New(t)
	cases := []struct {
		name, file string
		encrypted  bool
		encode     func(k httpapi.PGPKeyJSON) []byte
	}{
		{"gzip", "data.csv.gz", false, func(httpapi.PGPKeyJSON) []byte { return gz(data) }},
		{"encrypted", "data.csv.gpg", true, func(k httpapi.PGPKeyJSON) []byte {
			g.Import(k.PublicKey)
			return g.Encrypt(data, k.Fingerprint)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			imp, dbPath := killMidEncodedImport(t, c.file, c.encrypted, c.encode)
			if imp.Status != store.StatusPartial || imp.RowsRead != crashRows || imp.RowsFailed != wantRefused ||
				imp.BytesRead != imp.SizeBytes {
				t.Fatalf("import after restart: %+v", imp)
			}
			db := openDB(t, dbPath)
			var n, distinct, qty, errRows, errBytes int64
			err := db.QueryRow(`SELECT COUNT(*), COUNT(DISTINCT row), SUM(json_extract(props, '$.Quantity')) FROM events`).Scan(&n, &distinct, &qty)
			if err == nil {
				err = db.QueryRow(`SELECT COUNT(*), SUM(LENGTH(line)) FROM import_errors`).Scan(&errRows, &errBytes)
			}
			if err != nil {
				t.Fatal(err)
			}
			want := crashRows - wantRefused
			if n != want || distinct != want || qty != wantQty || errRows != wantRefused || errBytes != wantErrBytes {
				t.Fatalf("%d events, %d distinct rows, Quantity sum %d, %d error rows of %d bytes; want %d, %d, %d, %d, %d",
					n, distinct, qty, errRows, errBytes, want, want, wantQty, wantRefused, wantErrBytes)
			}
		})
	}
}
