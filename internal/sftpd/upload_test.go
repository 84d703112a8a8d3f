package sftpd

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"sluice/internal/store"
)

func TestUploadIsRecordedAndAnnounced(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	tests := []struct {
		name string
		size int
		kind store.UploadKind
	}{
		{"users.csv", 3<<20 + 17, store.KindData},
		{"events.csv.gz", 100, store.KindData},
		{"secret.CSV.GPG", 5000, store.KindData},
		{"empty.csv", 0, store.KindData},
		{"batch-1.manifest", 300, store.KindManifest},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := randomBytes(tc.size, uint64(i))
			if err := put(c, tc.name, data); err != nil {
				t.Fatal(err)
			}
			u, ok := e.visible(t, a.id)[tc.name]
			if !ok {
				t.Fatalf("%s not recorded", tc.name)
			}
			if u.Kind != tc.kind || u.Size != int64(tc.size) || u.SHA256 != sha(data) {
				t.Errorf("recorded kind %s size %d sha %s, want %s %d %s", u.Kind, u.Size, u.SHA256, tc.kind, tc.size, sha(data))
			}
			if got := e.blobBytes(t, u.BlobKey); !bytes.Equal(got, data) {
				t.Errorf("blob holds %d bytes that differ from the %d sent", len(got), len(data))
			}
			heard := e.sub.all()
			if len(heard) != i+1 || heard[i].ID != u.ID || heard[i].SHA256 != u.SHA256 {
				t.Errorf("announcements %+v, want upload %d announced once", heard, u.ID)
			}
		})
	}
	if got := e.metric(t, "sluice_sftp_uploads_total", resultCompleted); got != float64(len(tests)) {
		t.Errorf("completed uploads metric = %v, want %d", got, len(tests))
	}
	if got := e.blobTemps(t); len(got) != 0 {
		t.Errorf("blob temp files left: %v", got)
	}
}

func TestDataFileReplacedUntilLocked(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	for _, body := range []string{"a,b\n1,2\n", "a,b\n3,4\n"} {
		if err := put(c, "x.csv", []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	u := e.visible(t, a.id)["x.csv"]
	if string(e.blobBytes(t, u.BlobKey)) != "a,b\n3,4\n" {
		t.Error("the replacing upload is not what x.csv holds")
	}
	if n := e.blobFiles(t, a.id); n != 1 {
		t.Errorf("%d blobs kept, want 1 (the replaced one deleted)", n)
	}
	e.lock(t, a.id, "x.csv")
	err := put(c, "x.csv", []byte("a,b\n5,6\n"))
	if err == nil || !strings.Contains(msg(err), `"x.csv" is in use by an import that has not ended`) {
		t.Errorf("upload over a locked name: err = %v", err)
	}
}

func TestLockedAtCommitFailsClose(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	if err := put(c, "x.csv", []byte("first")); err != nil {
		t.Fatal(err)
	}
	f, err := c.Create("x.csv")
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("second"))
	e.lock(t, a.id, "x.csv") // a manifest named it while the new copy was uploading
	err = f.Close()
	if err == nil || !strings.Contains(msg(err), "is in use by an import that has not ended") {
		t.Fatalf("close after the name was locked: err = %v", err)
	}
	if string(e.blobBytes(t, e.visible(t, a.id)["x.csv"].BlobKey)) != "first" {
		t.Error("the locked upload changed")
	}
	if n := e.blobFiles(t, a.id); n != 1 {
		t.Errorf("%d blobs, want 1: the refused upload's blob must be deleted", n)
	}
	if got := len(e.sub.all()); got != 1 {
		t.Errorf("%d announcements, want 1", got)
	}
}

func TestManifestNameUsedOnce(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	if err := put(c, "jan.manifest", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	_, err := c.Create("jan.manifest")
	if err == nil || !strings.Contains(msg(err), `manifest name "jan.manifest" was already used`) {
		t.Errorf("second jan.manifest: err = %v", err)
	}
	if got := e.metric(t, "sluice_sftp_uploads_total", resultRefused); got != 1 {
		t.Errorf("refused metric = %v, want 1", got)
	}
}

func TestRefusedPaths(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	tests := []struct{ path, want string }{
		{"report.txt", `"report.txt" is not accepted: upload data files named *.csv, *.csv.gz, *.csv.asc, *.csv.gpg or *.csv.pgp, and manifests named *.manifest`},
		{".csv", `".csv" is not accepted`},
		{"x.csv.bak", `"x.csv.bak" is not accepted`},
		{"x.txt.filepart", `"x.txt.filepart" is not accepted`},
		{"sub/x.csv", "there are no folders here"},
		{"/errors/x.csv", "/errors/ is read-only"},
		{"/", "is a folder"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			_, err := c.Create(tc.path)
			if err == nil || !strings.Contains(msg(err), tc.want) {
				t.Errorf("Create(%q): err = %v, want it to say %q", tc.path, err, tc.want)
			}
		})
	}
	if n := len(e.visible(t, a.id)); n != 0 {
		t.Errorf("%d uploads recorded, want none", n)
	}
}

func TestSizeLimits(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxDataFileSize = 1 << 20; c.MaxManifestSize = 1000 })
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	tests := []struct {
		name, want string
		size       int
	}{
		{"big.csv", `"big.csv" is larger than the 1MiB limit for data files`, 1<<20 + 1},
		{"big.manifest", `"big.manifest" is larger than the 1000B limit for manifests`, 1001},
		{"big.csv.filepart", `"big.csv.filepart" is larger than the 1MiB limit for data files`, 3 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := put(c, tc.name, randomBytes(tc.size, 9))
			if err == nil || !strings.Contains(msg(err), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if got := e.blobTemps(t); len(got) != 0 {
				t.Errorf("partial file left behind: %v", got)
			}
		})
	}
	if err := put(c, "fits.csv", randomBytes(1<<20, 1)); err != nil {
		t.Errorf("a file of exactly the limit: %v", err)
	}
	if n := len(e.visible(t, a.id)); n != 1 || e.blobFiles(t, a.id) != 1 {
		t.Errorf("%d uploads and %d blobs, want only fits.csv", n, e.blobFiles(t, a.id))
	}
	if got := e.metric(t, "sluice_sftp_uploads_total", resultTooLarge); got != 3 {
		t.Errorf("too_large metric = %v, want 3", got)
	}
}

func TestAccountQuota(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.AccountQuota = 1 << 20 })
	a, b := e.account(t, "ACME-1"), e.account(t, "OTHER-2")
	c, _ := e.client(t, a)
	steps := []struct {
		name    string
		size    int
		wantErr string
	}{
		{"a.csv", 600 << 10, ""},
		{"b.csv", 600 << 10, `"b.csv" does not fit in this account's quota of 1MiB`},
		{"a.csv", 700 << 10, ""}, // replacing a.csv frees its old bytes
		{"c.csv", 300 << 10, ""},
		{"d.csv", 30 << 10, "does not fit"},
	}
	for i, s := range steps {
		err := put(c, s.name, randomBytes(s.size, uint64(i)))
		if (s.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(msg(err), s.wantErr)) {
			t.Fatalf("step %d: put %s (%d bytes): err = %v, want %q", i, s.name, s.size, err, s.wantErr)
		}
	}
	if got := e.blobTemps(t); len(got) != 0 {
		t.Errorf("partial files left behind: %v", got)
	}
	cb, _ := e.client(t, b)
	if err := put(cb, "b.csv", randomBytes(900<<10, 5)); err != nil {
		t.Errorf("another account's upload counted against this quota: %v", err)
	}
}

func TestParallelUploadsAreByteExact(t *testing.T) {
	e := newEnv(t)
	const accounts, perAccount = 4, 5
	type sent struct{ account, name, sha string }
	var mu sync.Mutex
	var all []sent
	var wg sync.WaitGroup
	for i := range accounts {
		a := e.account(t, fmt.Sprintf("ACCT-%d", i))
		c, _ := e.client(t, a)
		for j := range perAccount {
			wg.Go(func() {
				name := fmt.Sprintf("part-%d.csv", j)
				data := randomBytes(1<<20+i*7919+j*104729, uint64(i*100+j))
				if err := put(c, name, data); err != nil {
					t.Errorf("%s/%s: %v", a.id, name, err)
				}
				mu.Lock()
				all = append(all, sent{a.id, name, sha(data)})
				mu.Unlock()
			})
		}
	}
	wg.Wait()
	for _, s := range all {
		u, ok := e.visible(t, s.account)[s.name]
		if !ok || u.SHA256 != s.sha || sha(e.blobBytes(t, u.BlobKey)) != s.sha {
			t.Errorf("%s/%s: recorded %v, want sha %s in store and blob", s.account, s.name, ok, s.sha)
		}
	}
	if got := len(e.sub.all()); got != accounts*perAccount {
		t.Errorf("%d announcements, want %d", got, accounts*perAccount)
	}
}

func TestCutOffUploadIsNeverRecorded(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, sc := e.client(t, a)
	f, err := c.Create("cut.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, bytes.NewReader(randomBytes(3<<20, 1))); err != nil {
		t.Fatal(err)
	}
	sc.Conn.Close() // the connection drops before the client closes the file
	waitFor(t, "the cut-off upload to be discarded", func() bool {
		return e.metric(t, "sluice_sftp_uploads_total", resultAborted) == 1
	})
	if got := e.blobTemps(t); len(got) != 0 {
		t.Errorf("partial file left behind: %v", got)
	}
	if n := len(e.visible(t, a.id)); n != 0 || len(e.sub.all()) != 0 || e.blobFiles(t, a.id) != 0 {
		t.Errorf("cut-off upload recorded (%d), announced (%d) or stored", n, len(e.sub.all()))
	}
}

func TestOpenUploadsPerConnectionBounded(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	var open []io.Closer
	for i := range maxOpenUploads {
		f, err := c.Create(fmt.Sprintf("f%d.csv", i))
		if err != nil {
			t.Fatalf("upload %d: %v", i, err)
		}
		open = append(open, f)
	}
	if _, err := c.Create("one-too-many.csv"); err == nil || !strings.Contains(msg(err), "files can be uploaded at once") {
		t.Errorf("upload past the bound: err = %v", err)
	}
	open[0].Close()
	f, err := c.Create("now-fits.csv")
	if err != nil {
		t.Fatalf("upload after one closed: %v", err)
	}
	f.Close()
	for _, f := range open[1:] {
		f.Close()
	}
	if n := len(e.visible(t, a.id)); n != maxOpenUploads+1 {
		t.Errorf("%d uploads recorded, want %d", n, maxOpenUploads+1)
	}
}
