package sftpd

import (
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestAccountsCannotReachEachOther(t *testing.T) {
	e := newEnv(t)
	a, b := e.account(t, "ACME-1"), e.account(t, "OTHER-2")
	ca, _ := e.client(t, a)
	cb, _ := e.client(t, b)
	if err := put(ca, "secret.csv", []byte("id\n42\n")); err != nil {
		t.Fatal(err)
	}
	paths := []string{
		"secret.csv", "/secret.csv", "../secret.csv", "/../ACME-1/secret.csv", "/ACME-1/secret.csv",
		"../../ACME-1/secret.csv", "/errors/../../ACME-1/secret.csv", "./../ACME-1/./secret.csv",
	}
	for _, p := range paths {
		t.Run(p, func(t *testing.T) {
			if _, err := cb.Stat(p); err == nil {
				t.Errorf("B can stat %q", p)
			}
			if f, err := cb.Open(p); err == nil {
				body, _ := io.ReadAll(f)
				f.Close()
				t.Errorf("B can read %q: %q", p, body)
			}
			if err := cb.Remove(p); err == nil {
				t.Errorf("B can remove %q", p)
			}
		})
	}
	for _, p := range []string{"/../ACME-1/secret.csv", "../ACME-1/x.csv"} {
		if err := put(cb, p, []byte("overwritten")); err == nil || !strings.Contains(msg(err), "there are no folders here") {
			t.Errorf("B's write to %s: err = %v", p, err)
		}
	}
	names := listNames(t, cb, "/")
	if slices.Contains(names, "secret.csv") {
		t.Errorf("B's listing shows A's file: %v", names)
	}
	if u := e.visible(t, a.id)["secret.csv"]; string(e.blobBytes(t, u.BlobKey)) != "id\n42\n" {
		t.Error("A's file changed")
	}
	if len(e.visible(t, b.id)) != 0 {
		t.Errorf("B has uploads: %v", e.visible(t, b.id))
	}
}

func TestLinksAndFoldersRefused(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	if err := put(c, "x.csv", []byte("a\n1\n")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		op   func() error
		want string
	}{
		{"symlink", func() error { return c.Symlink("/x.csv", "/y.csv") }, "links are not supported"},
		{"symlink out", func() error { return c.Symlink("/etc/passwd", "/p.csv") }, "links are not supported"},
		{"hard link", func() error { return c.Link("/x.csv", "/z.csv") }, "links are not supported"},
		{"readlink", func() error { _, err := c.ReadLink("/x.csv"); return err }, "links are not supported"},
		{"mkdir", func() error { return c.Mkdir("/sub") }, "folders cannot be created"},
		{"rmdir", func() error { return c.RemoveDirectory("/errors") }, "folders cannot be removed"},
		{"rename an upload", func() error { return c.Rename("/x.csv", "/y.csv") }, `"x.csv" was uploaded already and cannot be renamed`},
		{"remove an upload", func() error { return c.Remove("/x.csv") }, `"x.csv" was uploaded already and cannot be removed`},
		{"list a file", func() error { _, err := c.ReadDir("/x.csv"); return err }, "is a file, not a folder"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); err == nil || !strings.Contains(msg(err), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	if names := listNames(t, c, "/"); !slices.Equal(names, []string{"errors", "x.csv"}) {
		t.Errorf("listing after refused operations: %v", names)
	}
}

func TestReadBackAndStat(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	data := randomBytes(200<<10, 3)
	if err := put(c, "back.csv", data); err != nil {
		t.Fatal(err)
	}
	f, err := c.Open("back.csv")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	f.Close()
	if err != nil || sha(got) != sha(data) {
		t.Fatalf("read back %d bytes (err %v), want the %d uploaded", len(got), err, len(data))
	}
	fi, err := c.Stat("/back.csv")
	if err != nil || fi.Size() != int64(len(data)) || fi.IsDir() {
		t.Errorf("stat = %v, %v", fi, err)
	}
	for _, dir := range []string{"/", "/errors", "/.."} {
		if fi, err := c.Stat(dir); err != nil || !fi.IsDir() {
			t.Errorf("stat %s = %v, %v; want a folder", dir, fi, err)
		}
	}
	if _, err := c.Stat("/nope.csv"); !os.IsNotExist(err) {
		t.Errorf("stat of a missing file: %v, want not exist", err)
	}
	if wd, err := c.Getwd(); err != nil || wd != "/" {
		t.Errorf("working folder %q (%v), want /", wd, err)
	}
	if p, err := c.RealPath("../../.."); err != nil || p != "/" {
		t.Errorf("realpath ../../.. = %q (%v), want /", p, err)
	}
}

func TestTempNameUploadLandsOnRename(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, _ := e.client(t, a)
	other, _ := e.client(t, a) // a second connection of the same account
	data := randomBytes(2<<20, 8)
	if err := put(c, "x.csv.filepart", data); err != nil {
		t.Fatal(err)
	}
	if len(e.visible(t, a.id)) != 0 || len(e.sub.all()) != 0 {
		t.Fatal("a temporary-name upload was recorded before its rename")
	}
	if !slices.Contains(listNames(t, c, "/"), "x.csv.filepart") {
		t.Error("the temporary file is not listed on its own connection")
	}
	if slices.Contains(listNames(t, other, "/"), "x.csv.filepart") {
		t.Error("the temporary file is listed on another connection")
	}
	if err := c.Rename("x.csv.filepart", "notes.txt"); err == nil || !strings.Contains(msg(err), "is not accepted") {
		t.Errorf("rename onto a refused name: %v", err)
	}
	if err := c.PosixRename("x.csv.filepart", "x.csv"); err != nil {
		t.Fatal(err)
	}
	u, ok := e.visible(t, a.id)["x.csv"]
	if !ok || u.SHA256 != sha(data) || u.Size != int64(len(data)) {
		t.Fatalf("after rename: recorded %v %+v", ok, u)
	}
	if heard := e.sub.all(); len(heard) != 1 || heard[0].Name != "x.csv" {
		t.Errorf("announcements %+v, want x.csv once", heard)
	}
	if slices.Contains(listNames(t, c, "/"), "x.csv.filepart") {
		t.Error("the temporary name is still listed after the rename")
	}
}

func TestAbandonedTempUploadIsDiscarded(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	c, sc := e.client(t, a)
	if err := put(c, "y.csv.part", []byte("a\n1\n")); err != nil {
		t.Fatal(err)
	}
	if err := put(c, "z.manifest.tmp", []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if err := c.Remove("z.manifest.tmp"); err != nil {
		t.Errorf("remove of a temporary upload: %v", err)
	}
	sc.Close()
	waitFor(t, "temporary uploads to be discarded", func() bool {
		return e.metric(t, "sluice_sftp_uploads_total", resultAborted) == 2
	})
	if n := e.blobFiles(t, a.id); n != 0 {
		t.Errorf("%d blobs of discarded temporary uploads left", n)
	}
	if len(e.visible(t, a.id)) != 0 || len(e.sub.all()) != 0 {
		t.Error("an abandoned temporary upload was recorded")
	}
}

func listNames(t testing.TB, c interface {
	ReadDir(string) ([]os.FileInfo, error)
}, dir string) []string {
	t.Helper()
	fis, err := c.ReadDir(dir)
	if err != nil {
		t.Fatalf("list %s: %v", dir, err)
	}
	var names []string
	for _, fi := range fis {
		names = append(names, fi.Name())
	}
	slices.Sort(names)
	return names
}
