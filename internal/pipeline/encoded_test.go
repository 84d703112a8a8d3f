package pipeline_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"sluice/internal/pipeline"
	"sluice/internal/store"
)

var testLimits = pipeline.Limits{MaxBytes: 1 << 30, MaxRatio: 200}

// TestEncodedFilesImportLikePlain: gzipped, encrypted (armored and binary)
// and both, each imports exactly what the plain file does, error file
// included, and ends with bytesRead = sizeBytes.
func TestEncodedFilesImportLikePlain(t *testing.T) {
	h := newEncHarness(t, testLimits, 0)
	plain := manyEvents(200)
	h.account("PLAIN")
	h.upload("PLAIN", "data.csv", string(plain))
	h.upload("PLAIN", "m.manifest", eventManifest("data.csv", ""))
	want := h.stored("PLAIN", h.ended("PLAIN", "m.manifest"))
	if !strings.Contains(want, "status partial read 200 imported 171 failed 29") {
		t.Fatalf("reference import:\n%s", want)
	}
	cases := []struct {
		name string
		file string
		make func(fpr string) []byte
	}{
		{"gzip", "data.csv.gz", func(string) []byte { return gzipped(plain) }},
		{"armored", "data.csv.asc", func(fpr string) []byte { return h.gpg.Encrypt(plain, fpr, "--armor") }},
		{"binary .gpg", "data.csv.gpg", func(fpr string) []byte { return h.gpg.Encrypt(plain, fpr) }},
		{"binary .pgp, upper case", "DATA.CSV.PGP", func(fpr string) []byte { return h.gpg.Encrypt(plain, fpr) }},
		{"gzip, then encrypted", "data.csv.gz.gpg", func(fpr string) []byte { return h.gpg.Encrypt(gzipped(plain), fpr) }},
		{"gzip, then armored", "data.csv.gz.asc", func(fpr string) []byte { return h.gpg.Encrypt(gzipped(plain), fpr, "--armor") }},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			acct := "ENC-" + string(rune('A'+i))
			h.account(acct)
			k := h.key(acct)
			data := c.make(k.Fingerprint)
			h.upload(acct, c.file, string(data))
			h.upload(acct, "m.manifest", eventManifest(c.file, k.ID))
			imp := h.ended(acct, "m.manifest")
			if got := h.stored(acct, imp); got != want {
				t.Fatalf("stored:\n%s\nplain file stored:\n%s\n(error: %s)", got, want, imp.Error)
			}
			if imp.BytesRead != int64(len(data)) {
				t.Fatalf("bytesRead %d, want the upload's size %d", imp.BytesRead, len(data))
			}
		})
	}
}

// TestEncodedResumeExactlyOnce: a batch fails mid-import (as a crash
// would end the run); the retry re-opens the stream, skips to the
// checkpoint's row, and the store ends as if the file was imported once.
func TestEncodedResumeExactlyOnce(t *testing.T) {
	plain := manyEvents(100)
	ref := newEncHarness(t, testLimits, 0)
	ref.account("REF")
	ref.upload("REF", "data.csv", string(plain))
	ref.upload("REF", "m.manifest", eventManifest("data.csv", ""))
	want := ref.stored("REF", ref.ended("REF", "m.manifest"))
	for _, file := range []string{"data.csv.gz", "data.csv.gpg"} {
		t.Run(file, func(t *testing.T) {
			h := newEncHarness(t, testLimits, 10) // batches of 3 rows: row 28 onward is retried
			h.account("A-1")
			data := gzipped(plain)
			k := h.key("A-1")
			if strings.HasSuffix(file, ".gpg") {
				data = h.gpg.Encrypt(plain, k.Fingerprint)
			}
			h.upload("A-1", file, string(data))
			h.upload("A-1", "m.manifest", eventManifest(file, k.ID))
			imp := h.ended("A-1", "m.manifest")
			if imp.Attempts < 2 {
				t.Fatalf("the injected failure did not happen: %d attempts", imp.Attempts)
			}
			if got := h.stored("A-1", imp); got != want {
				t.Fatalf("after resume:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

// TestEncodedFailures: each way an encoded file can be wrong fails the
// import with its own message, and stores no rows even when the problem is
// only found at the very end of the file.
func TestEncodedFailures(t *testing.T) {
	h := newEncHarness(t, pipeline.Limits{MaxBytes: 4 << 20, MaxRatio: 200, RatioAfter: 1 << 20}, 0)
	plain := manyEvents(3000)
	h.account("KEYS")
	sluiceKey := h.key("KEYS")
	other := h.gpg.GenKey("Other <o@example.com>", "pw", "future-default", "default")
	enc := h.gpg.Encrypt(plain, sluiceKey.Fingerprint, "--compress-algo", "none")
	gz := gzipped(plain)
	bomb := gzipped(append(manyEvents(10), bytes.Repeat([]byte("user-1,1700000000,Purchased,1,,\n"), 1<<20)...))
	big := gzipped(bytes.Repeat(manyEvents(30000), 8)) // ~7 MiB, over the 4 MiB cap, at a ratio far below 200
	cases := []struct {
		name, file, keyID string
		data              []byte
		msg               string
	}{
		{"unknown keyId", "d.csv.gpg", "3f1c2d4e-0000-4000-8000-000000000000", enc, "names no decryption key with id"},
		{"another account's key", "d.csv.gpg", "set below", enc, "names no decryption key with id"},
		{"encrypted to another key", "d.csv.gpg", "", h.gpg.Encrypt(plain, other), "encrypted to another key"},
		{"truncated", "d.csv.gpg", "", enc[:len(enc)-100], "truncated"},
		{"a flipped byte near the end", "d.csv.gpg", "", flip(enc, len(enc)-40), "integrity check failed"},
		{"not encrypted", "d.csv.gpg", "", plain, "not an OpenPGP message"},
		{"not armored", "d.csv.asc", "", enc, "not ASCII-armored"},
		{"not gzip", "d.csv.gz", "", plain, "not gzip data"},
		{"gzip, a flipped byte near the end", "d.csv.gz", "", flip(gz, len(gz)-100), "checksum does not match"},
		{"gzip, a reserved block type", "d.csv.gz", "", set(gz, 10, 0x07), "gzip data is corrupt"},
		{"gzip, truncated", "d.csv.gz", "", gz[:len(gz)-100], "gzip data is truncated"},
		{"encrypted, not gzip inside", "d.csv.gz.gpg", "", enc, "the decrypted file is not gzip data"},
		{"gzip bomb", "d.csv.gz", "", bomb, "expands more than 200 times"},
		{"over the size cap", "d.csv.gz", "", big, "expands to more than 4 MiB"},
	}
	h.account("ELSE")
	elsewhere := h.key("ELSE")
	cases[1].keyID = elsewhere.ID
	seen := map[string]string{}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			keyID := c.keyID
			if keyID == "" {
				keyID = sluiceKey.ID
			}
			file, m := fmt.Sprintf("f%d-%s", i, c.file), fmt.Sprintf("m%d.manifest", i)
			h.upload("KEYS", file, string(c.data))
			h.upload("KEYS", m, eventManifest(file, keyID))
			imp := h.ended("KEYS", m)
			if imp.Status != store.StatusFailed || !strings.Contains(imp.Error, c.msg) {
				t.Fatalf("status %s, error %q; want failed with %q", imp.Status, imp.Error, c.msg)
			}
			if imp.RowsRead != 0 || imp.RowsImported != 0 || imp.RowsFailed != 0 || h.errorFile(imp) != "" {
				t.Fatalf("a failed import stored rows: %+v", imp.Checkpoint)
			}
			if prev, dup := seen[imp.Error]; dup && c.name != "another account's key" {
				t.Fatalf("same message as %q: %s", prev, imp.Error)
			}
			seen[imp.Error] = c.name
		})
	}
	if evs, _ := h.st.ListEvents(t.Context(), "KEYS", store.EventFilter{}); len(evs) != 0 {
		t.Fatalf("%d events stored by failed imports", len(evs))
	}
}

func flip(b []byte, at int) []byte {
	out := bytes.Clone(b)
	out[at] ^= 0x20
	return out
}

func set(b []byte, at int, v byte) []byte {
	out := bytes.Clone(b)
	out[at] = v
	return out
}
