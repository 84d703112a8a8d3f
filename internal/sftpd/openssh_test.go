package sftpd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The real OpenSSH clients, driven as a user would.

func needOpenSSH(t testing.TB) {
	t.Helper()
	for _, bin := range []string{"sftp", "ssh"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("OpenSSH client %s not installed: %v", bin, err)
		}
	}
}

// sshArgs are the options every OpenSSH invocation gets: no user config, no
// agent, no host key prompts, only the given key.
func (e *testEnv) sshArgs(keyFile string, extra ...string) []string {
	args := []string{
		"-F", "/dev/null", "-i", keyFile,
		"-o", "IdentitiesOnly=yes", "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "ConnectTimeout=10",
	}
	return append(args, extra...)
}

// sftpCmd builds an OpenSSH sftp run of a batch script as account.
func (e *testEnv) sftpCmd(ctx context.Context, account, keyFile, batch string, extra ...string) (*exec.Cmd, *bytes.Buffer) {
	script := filepath.Join(e.dir, fmt.Sprintf("batch-%d", time.Now().UnixNano()))
	os.WriteFile(script, []byte(batch), 0o600)
	args := append([]string{"-b", script, "-P", fmt.Sprint(e.port())}, e.sshArgs(keyFile, extra...)...)
	cmd := exec.CommandContext(ctx, "sftp", append(args, account+"@127.0.0.1")...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so a kill reaches its ssh child too
	return cmd, &out
}

// sftpBatch runs a batch script and returns the combined output.
func (e *testEnv) sftpBatch(t testing.TB, account, keyFile, batch string, extra ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd, out := e.sftpCmd(ctx, account, keyFile, batch, extra...)
	err := cmd.Run()
	return out.String(), err
}

// sshRun runs the OpenSSH ssh client with extra options and a command.
func (e *testEnv) sshRun(t testing.TB, account, keyFile string, opts []string, command ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	all := append(e.sshArgs(keyFile, "-p", fmt.Sprint(e.port())), opts...)
	all = append(append(all, account+"@127.0.0.1"), command...)
	cmd := exec.CommandContext(ctx, "ssh", all...)
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestOpenSSHUploadAndGet(t *testing.T) {
	needOpenSSH(t)
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	data := randomBytes(5<<20+3, 11)
	local := filepath.Join(e.dir, "upload.csv")
	os.WriteFile(local, data, 0o600)
	back := filepath.Join(e.dir, "back.csv")
	out, err := e.sftpBatch(t, a.id, a.keyFile, fmt.Sprintf("put %s users.csv\nls -l\nget users.csv %s\n", local, back))
	if err != nil {
		t.Fatalf("sftp: %v\n%s", err, out)
	}
	u, ok := e.visible(t, a.id)["users.csv"]
	if !ok || u.SHA256 != sha(data) {
		t.Fatalf("recorded %v %+v, want sha %s", ok, u, sha(data))
	}
	if got, _ := os.ReadFile(back); sha(got) != sha(data) {
		t.Error("get returned different bytes")
	}
	if !strings.Contains(out, "users.csv") || !strings.Contains(out, "errors") {
		t.Errorf("ls -l output lacks users.csv and errors:\n%s", out)
	}
	if heard := e.sub.all(); len(heard) != 1 {
		t.Errorf("%d announcements, want 1", len(heard))
	}
}

func TestOpenSSHShowsRefusalMessages(t *testing.T) {
	needOpenSSH(t)
	e := newEnv(t, func(c *Config) { c.MaxDataFileSize = 1 << 20 })
	a := e.account(t, "ACME-1")
	small := filepath.Join(e.dir, "small")
	os.WriteFile(small, []byte("a,b\n"), 0o600)
	big := filepath.Join(e.dir, "big")
	os.WriteFile(big, randomBytes(3<<20, 1), 0o600)
	tests := []struct{ name, batch, want string }{
		{"name not accepted", "put " + small + " report.txt\n",
			`"report.txt" is not accepted: upload data files named *.csv, *.csv.gz, *.csv.asc, *.csv.gpg or *.csv.pgp, and manifests named *.manifest`},
		{"too large", "put " + big + " big.csv\n", `"big.csv" is larger than the 1MiB limit for data files`},
		{"read-only errors", "put " + small + " errors/x.csv\n", "/errors/ is read-only"},
		{"symlink", "symlink /etc/passwd p.csv\n", "links are not supported"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.sftpBatch(t, a.id, a.keyFile, tc.batch)
			if err == nil {
				t.Errorf("sftp succeeded:\n%s", out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
	if len(e.visible(t, a.id)) != 0 {
		t.Error("a refused upload was recorded")
	}
	if got := e.blobTemps(t); len(got) != 0 {
		t.Errorf("partial files left behind: %v", got)
	}
}

func TestOpenSSHKilledMidTransfer(t *testing.T) {
	needOpenSSH(t)
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	local := filepath.Join(e.dir, "big.csv")
	os.WriteFile(local, randomBytes(16<<20, 5), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// -l 16384: 16 Mbit/s, so the transfer is still running when we look.
	cmd, out := e.sftpCmd(ctx, a.id, a.keyFile, "put "+local+" big.csv\n", "-l", "16384")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the upload to start arriving", func() bool { return blobTempSize(t, e) >= 1<<20 })
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // sftp and its ssh child
	cmd.Wait()
	waitFor(t, "the cut-off upload to be discarded", func() bool {
		return e.metric(t, "sluice_sftp_uploads_total", resultAborted) == 1
	})
	if len(e.visible(t, a.id)) != 0 || len(e.sub.all()) != 0 || len(e.blobTemps(t)) != 0 || e.blobFiles(t, a.id) != 0 {
		t.Errorf("a killed transfer left traces: recorded %v, announced %v, temp %v\n%s",
			e.visible(t, a.id), e.sub.all(), e.blobTemps(t), out)
	}
}

// blobTempSize is how many bytes unfinished blobs hold on disk.
func blobTempSize(t testing.TB, e *testEnv) int64 {
	var n int64
	for _, name := range e.blobTemps(t) {
		if fi, err := os.Stat(filepath.Join(e.dir, "files", ".tmp", name)); err == nil {
			n += fi.Size()
		}
	}
	return n
}

func TestOpenSSHOnlyModernAlgorithms(t *testing.T) {
	needOpenSSH(t)
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	rsaKey := filepath.Join(e.dir, "rsa-key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsaKey).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, _ := os.ReadFile(rsaKey + ".pub")
	if err := e.addKeyText(t, a.id, pub); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		key    string
		opts   []string
		wantOK bool
	}{
		{"defaults", a.keyFile, nil, true},
		{"aes128-gcm", a.keyFile, []string{"-o", "Ciphers=aes128-gcm@openssh.com"}, true},
		{"curve25519", a.keyFile, []string{"-o", "KexAlgorithms=curve25519-sha256"}, true},
		{"rsa-sha2-512 client key", rsaKey, []string{"-o", "PubkeyAcceptedAlgorithms=rsa-sha2-512"}, true},
		{"SHA-1 key exchange", a.keyFile, []string{"-o", "KexAlgorithms=diffie-hellman-group14-sha1"}, false},
		{"SHA-1 group exchange", a.keyFile, []string{"-o", "KexAlgorithms=diffie-hellman-group-exchange-sha1"}, false},
		{"CBC cipher", a.keyFile, []string{"-o", "Ciphers=aes128-cbc"}, false},
		{"SHA-1 MAC", a.keyFile, []string{"-o", "Ciphers=aes128-ctr", "-o", "MACs=hmac-sha1"}, false},
		{"ssh-rsa host signature", a.keyFile, []string{"-o", "HostKeyAlgorithms=ssh-rsa"}, false},
		{"ssh-rsa client signature", rsaKey, []string{"-o", "PubkeyAcceptedAlgorithms=ssh-rsa"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.sftpBatch(t, a.id, tc.key, "pwd\n", tc.opts...)
			if (err == nil) != tc.wantOK {
				t.Errorf("connected = %v, want %v:\n%s", err == nil, tc.wantOK, out)
			}
		})
	}
}
