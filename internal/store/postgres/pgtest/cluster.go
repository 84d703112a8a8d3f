package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Cluster is a throw-away PostgreSQL server: initdb in a temp dir, then
// postgres listening only on a Unix socket in that dir (no port to clash).
type Cluster struct {
	dir  string
	cmd  *exec.Cmd
	done chan struct{}
}

// ClusterOptions tune a Cluster.
type ClusterOptions struct {
	// Durable keeps PostgreSQL's default fsync and commit settings; tests
	// turn them off, benchmarks keep them.
	Durable bool
	// Settings are more server settings, name=value (postgres -c).
	Settings []string
}

// binDir finds the server binaries: SLUICE_TEST_PG_BIN, else the newest
// Debian /usr/lib/postgresql/<v>/bin, else initdb on PATH.
func binDir() (string, error) {
	if d := os.Getenv("SLUICE_TEST_PG_BIN"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("SLUICE_TEST_PG_BIN=%s: no initdb there: %w", d, err)
		}
		return d, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("no PostgreSQL server binaries: install Debian's postgresql package " +
		"(initdb and postgres under /usr/lib/postgresql/<version>/bin), or set SLUICE_TEST_DATABASE_URL " +
		"to a server where the user may create databases, or set SLUICE_TEST_POSTGRES=off to skip these tests")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// serverUser is who runs initdb and postgres: the current user, or the
// postgres system user when running as root (both refuse to run as root).
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root, and PostgreSQL refuses to run as root; "+
			"there is no postgres system user to run it as (Debian's postgresql package creates one): %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// StartCluster makes and starts a throw-away server; Stop removes it.
func StartCluster(o ClusterOptions) (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := socketDir()
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("give %s to the postgres user: %w", dir, err)
		}
	}
	c := &Cluster{dir: dir}
	if err := c.initdb(bin, cred); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.start(bin, cred, o); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// socketDir is a fresh temp dir short enough for a Unix socket path.
func socketDir() (string, error) {
	base := os.TempDir()
	if len(base) > 60 {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, "sluice-pg-")
	if err != nil {
		return "", fmt.Errorf("temp dir for PostgreSQL: %w", err)
	}
	return dir, os.Chmod(dir, 0o755)
}

func (c *Cluster) initdb(bin string, cred *syscall.Credential) error {
	cmd := exec.Command(filepath.Join(bin, "initdb"), "-D", c.dataDir(), "--auth=trust", "--username=postgres",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.dir, "data") }

// start runs postgres tuned for throw-away data (no fsync) and waits until
// it accepts connections. Pdeathsig stops it if the test binary dies.
func (c *Cluster) start(bin string, cred *syscall.Credential, o ClusterOptions) error {
	args := []string{"-D", c.dataDir(), "-k", c.dir, "-p", "5432", "-c", "listen_addresses=",
		"-c", "max_connections=200", "-c", "shared_buffers=128MB", "-c", "max_wal_size=2GB"}
	if !o.Durable {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	for _, s := range o.Settings {
		args = append(args, "-c", s)
	}
	c.cmd = exec.Command(filepath.Join(bin, "postgres"), args...)
	log, err := os.Create(c.logFile())
	if err != nil {
		return fmt.Errorf("postgres log: %w", err)
	}
	defer log.Close() // the child has its own copy
	c.cmd.Stdout, c.cmd.Stderr = log, log
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := c.cmd.Start(); err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.done = make(chan struct{})
	go func() {
		c.cmd.Wait()
		close(c.done)
	}()
	return c.waitReady(60 * time.Second)
}

func (c *Cluster) logFile() string { return filepath.Join(c.dir, "postgres.log") }

// logTail is the end of the server's log, for error messages.
func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(c.logFile())
	return string(b[max(0, len(b)-4000):])
}

// URL is the address of database db on the cluster, as user postgres.
func (c *Cluster) URL(db string) string {
	return "postgres:///" + db + "?host=" + c.dir + "&user=postgres&sslmode=disable"
}

func (c *Cluster) waitReady(within time.Duration) error {
	deadline := time.Now().Add(within)
	db, err := sql.Open("pgx", c.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err = db.PingContext(ctx)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited:\n%s", c.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections within %s: %v\n%s", within, err, c.logTail())
		}
	}
}

// Stop shuts postgres down (fast mode, then SIGKILL) and removes its dir.
func (c *Cluster) Stop() error {
	if c.cmd != nil && c.cmd.Process != nil {
		c.cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-c.done:
		case <-time.After(10 * time.Second):
			c.cmd.Process.Kill()
			<-c.done
		}
	}
	return os.RemoveAll(c.dir)
}
