package main

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"

	"sluice/internal/blob"
	"sluice/internal/errs"
	"sluice/internal/hostkey"
	"sluice/internal/sftpd"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

const benchAccount = "BENCH-1"

// child is a server process started by the bench.
type child struct {
	cmd  *exec.Cmd
	port int
	dir  string
}

func (c *child) stop() {
	c.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { c.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		c.cmd.Process.Kill()
		<-done
	}
}

// startSluice runs this program in server mode and reads its port.
func startSluice(ctx context.Context, dir string, pub ssh.PublicKey, cpuProfile string, verbose bool) (*child, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	pubFile := filepath.Join(dir, "client_key.pub")
	if err := os.WriteFile(pubFile, ssh.MarshalAuthorizedKey(pub), 0o600); err != nil {
		return nil, err
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, "server", "-dir", dir, "-pubkey", pubFile, "-cpuprofile", cpuProfile,
		"-v="+strconv.FormatBool(verbose))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	port, perr := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(line), "PORT "))
	if err != nil || perr != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, fmt.Errorf("sluice server did not report its port (%q): %w", line, errors.Join(err, perr))
	}
	return &child{cmd: cmd, port: port, dir: dir}, nil
}

// serverMain is "sftpbench server": sluice's sftpd on a SQLite store and a
// local blob folder in -dir, with one account holding the bench's key.
func serverMain(args []string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	dir := fs.String("dir", "", "data folder")
	pubFile := fs.String("pubkey", "", "authorized key of the bench client")
	cpuProfile := fs.String("cpuprofile", "", "CPU profile output")
	verbose := fs.Bool("v", false, "log every upload")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	db, err := sqlite.Open(ctx, filepath.Join(*dir, "sluice.db"), sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := addBenchKey(ctx, db, *pubFile); err != nil {
		return err
	}
	srv, err := newBenchServer(ctx, *dir, db, *verbose)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Printf("PORT %d\n", srv.Addr().(*net.TCPAddr).Port)
	<-ctx.Done()
	return nil
}

func newBenchServer(ctx context.Context, dir string, db *sqlite.DB, verbose bool) (*sftpd.Server, error) {
	blobs, err := blob.NewLocal(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	keys, err := hostkey.LoadOrCreate(filepath.Join(dir, "hostkeys"))
	if err != nil {
		return nil, err
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	srv, err := sftpd.New(sftpd.Config{Addr: "127.0.0.1:0", HostKeys: keys, Logger: log}, benchStore{db}, blobs, nil)
	if err != nil {
		return nil, err
	}
	return srv, srv.Start(ctx)
}

// benchStore gives the SQLite store the /errors/ methods it may not have
// yet; the bench never lists /errors/.
type benchStore struct{ *sqlite.DB }

func (benchStore) ImportsWithErrors(context.Context, string) ([]store.Import, error) { return nil, nil }
func (benchStore) ErrorRows(context.Context, int64, func([]byte) error) error        { return nil }

func addBenchKey(ctx context.Context, db *sqlite.DB, pubFile string) error {
	line, err := os.ReadFile(pubFile)
	if err != nil {
		return err
	}
	pub, _, _, _, err := ssh.ParseAuthorizedKey(line)
	if err != nil {
		return err
	}
	now := time.Now()
	if _, err := db.Account(ctx, benchAccount); errs.Is(err, errs.NotFound) {
		err = db.CreateAccount(ctx, store.Account{ID: benchAccount, Name: "bench", CreatedAt: now}, []byte("bench-token"))
		if err != nil {
			return err
		}
	}
	_, err = db.AddKey(ctx, store.ImportKey{AccountID: benchAccount, Name: "bench", PublicKey: string(line),
		Fingerprint: ssh.FingerprintSHA256(pub), CreatedAt: now}, 20)
	if err != nil && !errs.Is(err, errs.Conflict) {
		return err
	}
	return nil
}

// startSSHD runs OpenSSH's sshd in the foreground with its own config,
// host key and authorized_keys, on a free loopback port.
func startSSHD(ctx context.Context, sshd, dir string, pub ssh.PublicKey) (*child, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cfg, err := writeSSHDFiles(dir, port, pub)
	if err != nil {
		return nil, err
	}
	// sshd insists on its privilege separation folder.
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, sshd, "-D", "-e", "-f", cfg)
	logFile, err := os.Create(filepath.Join(dir, "sshd.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd.Stderr = logFile // the readiness probe makes sshd log a closed connection
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	c := &child{cmd: cmd, port: port, dir: dir}
	if err := waitListening(port); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

func writeSSHDFiles(dir string, port int, pub ssh.PublicKey) (string, error) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "sshd host key")
	if err != nil {
		return "", err
	}
	hostKey := filepath.Join(dir, "ssh_host_ed25519_key")
	authKeys := filepath.Join(dir, "authorized_keys")
	cfg := filepath.Join(dir, "sshd_config")
	text := fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s
AuthorizedKeysFile %s
PidFile none
UsePAM no
StrictModes no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
Subsystem sftp internal-sftp
LogLevel ERROR
`, port, hostKey, authKeys)
	for path, body := range map[string][]byte{
		hostKey: pem.EncodeToMemory(block), authKeys: ssh.MarshalAuthorizedKey(pub), cfg: []byte(text),
	} {
		if err := os.WriteFile(path, body, 0o600); err != nil {
			return "", err
		}
	}
	return cfg, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func waitListening(port int) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("sshd did not listen on port %d", port)
}

func currentUser() string {
	u, err := user.Current()
	if err != nil {
		return "root"
	}
	return u.Username
}
