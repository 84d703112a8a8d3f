package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sync"
	"testing"
	"time"

	"sluice/internal/apptest"
	"sluice/internal/httpapi"
)

// The tests in this file run the real binary, `sluice serve`, as a child
// process, so that it can be killed like a crash and started again.

// buildSluice compiles cmd/sluice into a temp dir.
func buildSluice(t *testing.T) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "sluice")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/sluice")
	cmd.Dir = filepath.Join(filepath.Dir(here), "..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// lockedBuffer collects a child's output while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// served is a running `sluice serve`.
type served struct {
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	sftpPort, http string
}

var runningLine = regexp.MustCompile(`msg="sluice is running" sftp=127\.0\.0\.1:(\d+) http=(127\.0\.0\.1:\d+)`)

// serve starts `sluice serve` on loopback ports and waits until it runs.
func serve(t *testing.T, bin, dataDir string, args ...string) *served {
	t.Helper()
	s := &served{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}}
	s.cmd = exec.Command(bin, append([]string{"serve", "--data-dir", dataDir, "--sftp-addr", "127.0.0.1:0",
		"--http-addr", "127.0.0.1:0", "--sftp-host", "127.0.0.1"}, args...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		if t.Failed() {
			t.Logf("sluice serve (pid %d) stdout:\n%s\nstderr:\n%s", s.cmd.Process.Pid, s.stdout, s.stderr)
		}
	})
	apptest.Eventually(t, 20*time.Second, "sluice serve to start", func() bool {
		m := runningLine.FindStringSubmatch(s.stderr.String())
		if m != nil {
			s.sftpPort, s.http = m[1], m[2]
		}
		return m != nil
	})
	return s
}

// kill ends the process with SIGKILL: no shutdown code runs.
func (s *served) kill(t *testing.T) {
	t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	s.cmd.Wait()
}

// firstAccount reads the account and token a fresh data dir prints.
func (s *served) firstAccount(t *testing.T) (id, token string) {
	t.Helper()
	var m []string
	apptest.Eventually(t, 5*time.Second, "the first account on stdout", func() bool {
		m = regexp.MustCompile(`account id\s+(\S+)[\s\S]*API token\s+(\S+)`).FindStringSubmatch(s.stdout.String())
		return m != nil
	})
	return m[1], m[2]
}

// customer is an account driven from outside: CLI, sftp and HTTP.
type customer struct {
	bin, dataDir, id, token, key string
}

func newCustomer(t *testing.T, bin, dataDir, id, token string) *customer {
	t.Helper()
	pub, key := apptest.NewKeyFile(t)
	pubFile := key + ".pub"
	if err := os.WriteFile(pubFile, []byte(pub+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "key", "add", "--data-dir", dataDir, "--account", id, "--name", "test", pubFile).CombinedOutput()
	if err != nil {
		t.Fatalf("sluice key add: %v\n%s", err, out)
	}
	return &customer{bin: bin, dataDir: dataDir, id: id, token: token, key: key}
}

// upload puts files (name → content, in order) with OpenSSH's sftp.
func (c *customer) upload(t *testing.T, s *served, files ...[2]string) {
	t.Helper()
	var batch bytes.Buffer
	for _, f := range files {
		local := filepath.Join(t.TempDir(), f[0])
		if err := os.WriteFile(local, []byte(f[1]), 0o600); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&batch, "put %s %s\n", local, f[0])
	}
	batchFile := filepath.Join(t.TempDir(), "batch")
	os.WriteFile(batchFile, batch.Bytes(), 0o600)
	out, err := exec.Command("sftp", "-b", batchFile, "-i", c.key, "-P", s.sftpPort, "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", c.id+"@127.0.0.1").CombinedOutput()
	if err != nil {
		t.Fatalf("sftp: %v\n%s", err, out)
	}
}

// ended waits for the import of a manifest to end, through the API.
func (c *customer) ended(t *testing.T, s *served, manifest string) httpapi.ImportJSON {
	t.Helper()
	var found httpapi.ImportJSON
	apptest.Eventually(t, 30*time.Second, "import of "+manifest+" to end", func() bool {
		req, _ := http.NewRequest("GET", "http://"+s.http+"/api/v1/imports", nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Imports []httpapi.ImportJSON }
		json.NewDecoder(resp.Body).Decode(&out)
		for _, imp := range out.Imports {
			if imp.ManifestName == manifest && imp.Status.Ended() {
				found = imp
				return true
			}
		}
		return false
	})
	return found
}
