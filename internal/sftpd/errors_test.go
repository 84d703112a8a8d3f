package sftpd

import (
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"sluice/internal/store"
)

func TestBaseName(t *testing.T) {
	tests := map[string]string{
		"users.csv": "users", "users.csv.gz": "users", "users.csv.gpg": "users",
		"users.csv.gz.asc": "users", "users.CSV.GZ.PGP": "users", "a.b.csv": "a.b",
		"weird.txt": "weird.txt", "csv": "csv",
	}
	for in, want := range tests {
		if got := baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		name  string
		final string
		kind  store.UploadKind
		temp  bool
		ok    bool
	}{
		{"a.csv", "a.csv", store.KindData, false, true},
		{"a.CSV", "a.CSV", store.KindData, false, true},
		{"a.csv.gz.gpg", "a.csv.gz.gpg", store.KindData, false, true},
		{"m.manifest", "m.manifest", store.KindManifest, false, true},
		{"a.csv.filepart", "a.csv", store.KindData, true, true},
		{"m.manifest.tmp", "m.manifest", store.KindManifest, true, true},
		{"a.csv.part", "a.csv", store.KindData, true, true},
		{".manifest", "", "", false, false},
		{"a.csv.zip", "", "", false, false},
		{"a.gpg", "", "", false, false},
		{"a.filepart", "", "", false, false},
		{"a\x00.csv", "", "", false, false},
		{strings.Repeat("x", 300) + ".csv", "", "", false, false},
	}
	for _, tc := range tests {
		got, err := classify(tc.name)
		if (err == nil) != tc.ok || got.final != tc.final || got.kind != tc.kind || got.temp != tc.temp {
			t.Errorf("classify(%q) = %+v, %v", tc.name, got, err)
		}
	}
}

func TestErrorFileNames(t *testing.T) {
	imps := []store.Import{
		{ID: 3, FileName: "users.csv"},
		{ID: 7, FileName: "users.csv.gz"}, // newer, same base name
		{ID: 5, FileName: "events.csv.gpg"},
		{ID: 1, FileName: "users.csv"},
		{ID: 9, FileName: "users.3.csv"}, // its plain name clashes with import 3's
	}
	var got []string
	for _, f := range nameErrorFiles(imps) {
		got = append(got, f.name+"="+string(rune('0'+f.imp.ID)))
	}
	want := []string{
		"events.errors.csv=5", "users.1.errors.csv=1", "users.3-2.errors.csv=3",
		"users.3.errors.csv=9", "users.errors.csv=7",
	}
	if !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
}

func TestErrorsFolder(t *testing.T) {
	e := newEnv(t)
	a, b := e.account(t, "ACME-1"), e.account(t, "OTHER-2")
	finished := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	header := []byte("id,age,Failure Description\n")
	rows := [][]byte{[]byte("1,x,age: \"x\" is not an INTEGER\n"), []byte("2,,Atleast one of identity...\n")}
	imps := []store.Import{
		{ID: 11, AccountID: a.id, FileName: "users.csv", ErrorHeader: header, FinishedAt: &finished,
			Checkpoint: store.Checkpoint{ErrorBytes: int64(len(header) + len(rows[0]) + len(rows[1]))}},
		{ID: 12, AccountID: a.id, FileName: "users.csv.gz", ErrorHeader: header,
			Checkpoint: store.Checkpoint{ErrorBytes: int64(len(header))}},
		{ID: 13, AccountID: b.id, FileName: "theirs.csv", ErrorHeader: header},
	}
	e.st.setImports(imps, map[int64][][]byte{11: rows})
	c, _ := e.client(t, a)
	if names := listNames(t, c, "/errors"); !slices.Equal(names, []string{"users.11.errors.csv", "users.errors.csv"}) {
		t.Fatalf("/errors lists %v", names)
	}
	fi, err := c.Stat("/errors/users.11.errors.csv")
	if err != nil || fi.Size() != imps[0].ErrorBytes || !fi.ModTime().Equal(finished) {
		t.Errorf("stat = %v, %v", fi, err)
	}
	f, err := c.Open("/errors/users.11.errors.csv")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(f)
	f.Close()
	want := string(header) + string(rows[0]) + string(rows[1])
	if err != nil || string(body) != want {
		t.Errorf("error file = %q (%v), want %q", body, err, want)
	}
	if _, err := c.Open("/errors/theirs.errors.csv"); err == nil {
		t.Error("another account's error file can be opened")
	}
	readOnlyOps := []struct {
		name string
		op   func() error
	}{
		{"write", func() error { _, err := c.Create("/errors/users.errors.csv"); return err }},
		{"remove", func() error { return c.Remove("/errors/users.errors.csv") }},
		{"rename out", func() error { return c.Rename("/errors/users.errors.csv", "/u.csv") }},
		{"rename in", func() error { return c.Rename("/u.csv.part", "/errors/u.csv") }},
	}
	for _, tc := range readOnlyOps {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); err == nil || !strings.Contains(msg(err), "/errors/ is read-only") {
				t.Errorf("err = %v, want read-only", err)
			}
		})
	}
}
