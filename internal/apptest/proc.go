package apptest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var build struct {
	once sync.Once
	path string
	err  error
}

// Binary builds cmd/sluice once per test binary and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	build.once.Do(func() {
		dir, err := os.MkdirTemp("", "sluice-bin-")
		if err != nil {
			build.err = err
			return
		}
		build.path = filepath.Join(dir, "sluice")
		out, err := exec.Command("go", "build", "-o", build.path, "sluice/cmd/sluice").CombinedOutput()
		if err != nil {
			build.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.path
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Proc is `sluice serve` running as a child process.
type Proc struct {
	T        testing.TB
	DataDir  string
	SFTPPort int
	HTTPPort int
	Args     []string // extra serve flags
	Environ  []string // extra environment of the server and CLI processes (e.g. SLUICE_DATABASE_URL=…)
	cmd      *exec.Cmd
	stdout   *strings.Builder
	mu       sync.Mutex
	done     chan struct{}
}

// NewProc prepares a server process on fresh ports and a fresh data dir.
func NewProc(t testing.TB, args ...string) *Proc {
	return &Proc{T: t, DataDir: t.TempDir(), SFTPPort: FreePort(t), HTTPPort: FreePort(t), Args: args}
}

// Start runs the server and waits until its HTTP health check answers.
func (p *Proc) Start() {
	p.T.Helper()
	args := append([]string{"serve", "--data-dir", p.DataDir, "--sftp-addr", fmt.Sprintf("127.0.0.1:%d", p.SFTPPort),
		"--http-addr", fmt.Sprintf("127.0.0.1:%d", p.HTTPPort), "--sftp-host", "127.0.0.1"}, p.Args...)
	p.cmd = exec.Command(Binary(p.T), args...)
	p.cmd.Env = append(os.Environ(), p.Environ...)
	p.stdout = &strings.Builder{}
	out, _ := p.cmd.StdoutPipe()
	p.cmd.Stderr = testWriter{p.T}
	if err := p.cmd.Start(); err != nil {
		p.T.Fatal(err)
	}
	p.done = make(chan struct{})
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.mu.Lock()
			p.stdout.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.cmd.Wait()
	}()
	p.T.Cleanup(p.Kill)
	Eventually(p.T, 20*time.Second, "sluice to answer /healthz", func() bool {
		c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", p.HTTPPort), 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// Kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *Proc) Kill() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
	p.cmd = nil
}

var firstAccount = regexp.MustCompile(`account id\s+(\S+)[\s\S]*?API token\s+(\S+)`)

// FirstAccount reads the first account's id and token from the output of
// the first start on an empty data dir.
func (p *Proc) FirstAccount() (id, token string) {
	p.T.Helper()
	var m []string
	Eventually(p.T, 5*time.Second, "the first account to be printed", func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		m = firstAccount.FindStringSubmatch(p.stdout.String())
		return m != nil
	})
	return m[1], m[2]
}

// CLI runs a sluice subcommand against the process's data dir.
func (p *Proc) CLI(args ...string) string {
	p.T.Helper()
	args = append(args, "--data-dir", p.DataDir)
	cmd := exec.Command(Binary(p.T), args...)
	cmd.Env = append(os.Environ(), p.Environ...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.T.Fatalf("sluice %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Env is a view of the process for the HTTP and SFTP helpers of Env.
func (p *Proc) Env() *Env {
	return &Env{T: p.T, HTTP: fmt.Sprintf("http://127.0.0.1:%d", p.HTTPPort), Dir: p.DataDir, sftpPort: p.SFTPPort}
}
