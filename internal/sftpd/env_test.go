package sftpd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/ssh"

	"sluice/internal/blob"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
	"sluice/internal/store/sqlite/sqlitetest"
)

// testEnv is a running sftpd on 127.0.0.1:0 over a real SQLite store and a
// local blob folder.
type testEnv struct {
	dir   string
	st    *testStore
	blobs blob.Store
	srv   *Server
	sub   *recorder
	reg   *prometheus.Registry
	cfg   Config
}

// testStore is the SQLite store plus imports with error files, which the
// SQLite store of this branch does not keep yet.
type testStore struct {
	*sqlite.DB
	path    string
	mu      sync.Mutex
	imports []store.Import
	rows    map[int64][][]byte
}

func (s *testStore) setImports(imps []store.Import, rows map[int64][][]byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.imports, s.rows = imps, rows
}

func (s *testStore) ImportsWithErrors(_ context.Context, accountID string) ([]store.Import, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []store.Import
	for _, imp := range s.imports {
		if imp.AccountID == accountID {
			out = append(out, imp)
		}
	}
	return out, nil
}

func (s *testStore) ErrorRows(_ context.Context, importID int64, fn func([]byte) error) error {
	s.mu.Lock()
	rows := s.rows[importID]
	s.mu.Unlock()
	for _, r := range rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// recorder is a Subscriber that keeps what it heard.
type recorder struct {
	mu  sync.Mutex
	ups []store.Upload
}

func (r *recorder) UploadCompleted(_ context.Context, u store.Upload) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ups = append(r.ups, u)
}

func (r *recorder) all() []store.Upload {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ups)
}

func newEnv(t testing.TB, opts ...func(*Config)) *testEnv {
	t.Helper()
	return newEnvOn(t, nil, opts...)
}

// newEnvOn is newEnv with the given blob store (nil: a local folder, which
// the blob* helpers look into).
func newEnvOn(t testing.TB, blobs blob.Store, opts ...func(*Config)) *testEnv {
	t.Helper()
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sluice.db")
	db := sqlitetest.Open(t, dbPath, sqlite.Options{})
	if blobs == nil {
		local, err := blob.NewLocal(filepath.Join(dir, "files"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { local.Close() })
		blobs = local
	}
	_, hk, _ := ed25519.GenerateKey(rand.Reader)
	hostKey, _ := ssh.NewSignerFromSigner(hk)
	e := &testEnv{dir: dir, blobs: blobs, sub: &recorder{}, reg: prometheus.NewRegistry(),
		st: &testStore{DB: db, path: dbPath, rows: map[int64][][]byte{}}}
	e.cfg = Config{
		Addr: "127.0.0.1:0", HostKeys: []ssh.Signer{hostKey}, Metrics: e.reg, TempDir: dir,
		KeyCheckEvery: time.Hour, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if testing.Verbose() {
		e.cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	for _, o := range opts {
		o(&e.cfg)
	}
	e.start(t)
	return e
}

func (e *testEnv) start(t testing.TB) {
	t.Helper()
	srv, err := New(e.cfg, e.st, e.blobs, e.sub)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.srv = srv
	t.Cleanup(func() { srv.Close() })
}

func (e *testEnv) port() int { return e.srv.Addr().(*net.TCPAddr).Port }

// testAccount is an account with one registered ed25519 key.
type testAccount struct {
	id      string
	signer  ssh.Signer
	keyFile string // the private key in OpenSSH format, for the OpenSSH client
	keyID   int64
}

func (e *testEnv) account(t testing.TB, id string) *testAccount {
	t.Helper()
	ctx := context.Background()
	if err := e.st.CreateAccount(ctx, store.Account{ID: id, Name: id, CreatedAt: time.Now()}, []byte("token-"+id)); err != nil {
		t.Fatal(err)
	}
	a := &testAccount{id: id}
	a.signer, a.keyFile = newClientKey(t, e.dir, id)
	a.keyID = e.addKey(t, id, a.signer)
	return a
}

func (e *testEnv) addKey(t testing.TB, account string, s ssh.Signer) int64 {
	t.Helper()
	k, err := e.st.AddKey(context.Background(), store.ImportKey{
		AccountID: account, Name: "test", PublicKey: string(ssh.MarshalAuthorizedKey(s.PublicKey())),
		Fingerprint: ssh.FingerprintSHA256(s.PublicKey()), CreatedAt: time.Now(),
	}, 20)
	if err != nil {
		t.Fatal(err)
	}
	return k.ID
}

// newClientKey makes an ed25519 key and writes it where OpenSSH can use it.
func newClientKey(t testing.TB, dir, name string) (ssh.Signer, string) {
	t.Helper()
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s, err := ssh.NewSignerFromSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, name)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "key-"+name+fmt.Sprint(time.Now().UnixNano()))
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return s, path
}

func (e *testEnv) clientConfig(user string, auth ...ssh.AuthMethod) *ssh.ClientConfig {
	return &ssh.ClientConfig{User: user, Auth: auth, HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 10 * time.Second}
}

func (e *testEnv) dial(user string, auth ...ssh.AuthMethod) (*ssh.Client, error) {
	return ssh.Dial("tcp", e.srv.Addr().String(), e.clientConfig(user, auth...))
}

// client logs in as a with its key and opens an SFTP client.
func (e *testEnv) client(t testing.TB, a *testAccount) (*sftp.Client, *ssh.Client) {
	t.Helper()
	sc, err := e.dial(a.id, ssh.PublicKeys(a.signer))
	if err != nil {
		t.Fatalf("login as %s: %v", a.id, err)
	}
	c, err := sftp.NewClient(sc, sftp.UseConcurrentWrites(true), sftp.MaxConcurrentRequestsPerFile(64))
	if err != nil {
		sc.Close()
		t.Fatalf("start sftp as %s: %v", a.id, err)
	}
	t.Cleanup(func() { c.Close(); sc.Close() })
	return c, sc
}

// put uploads data to name with concurrent (out-of-order) writes.
func put(c *sftp.Client, name string, data []byte) error {
	f, err := c.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.ReadFrom(bytes.NewReader(data)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// waitFor polls cond until it holds or 10 s pass.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *testEnv) visible(t testing.TB, account string) map[string]store.Upload {
	t.Helper()
	ups, err := e.st.VisibleUploads(context.Background(), account)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.Upload{}
	for _, u := range ups {
		out[u.Name] = u
	}
	return out
}

// blobTemps lists the blob store's unfinished files.
func (e *testEnv) blobTemps(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(e.dir, "files", ".tmp"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	return names
}

// blobFiles counts committed blobs of an account.
func (e *testEnv) blobFiles(t testing.TB, account string) int {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(e.dir, "files", account))
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

func (e *testEnv) blobBytes(t testing.TB, key string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.dir, "files", key))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sql opens the store's database directly, for states this package cannot
// reach through its interface (a name locked by an import).
func (e *testEnv) sql(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+e.st.path+"?_busy_timeout=10000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (e *testEnv) lock(t testing.TB, account, name string) {
	t.Helper()
	_, err := e.sql(t).Exec(`UPDATE uploads SET state = 'locked' WHERE account_id = ? AND name = ?`, account, name)
	if err != nil {
		t.Fatal(err)
	}
}

// metric reads a counter or gauge (with label result=… if given).
func (e *testEnv) metric(t testing.TB, name, result string) float64 {
	t.Helper()
	fams, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if result != "" && (len(m.GetLabel()) == 0 || m.GetLabel()[0].GetValue() != result) {
				continue
			}
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s{result=%q}", name, result)
	return 0
}

// msg is the message of an SFTP status error as the Go client shows it
// (sftp: "<message>" (SSH_FX_…)), unquoted.
func msg(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if i := strings.Index(s, "sftp: "); i >= 0 {
		rest := s[i+len("sftp: "):]
		if i := strings.LastIndex(rest, " ("); i > 0 {
			if m, err := strconv.Unquote(rest[:i]); err == nil {
				return m
			}
		}
	}
	return s
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// addKeyText registers an authorized_keys line for an account.
func (e *testEnv) addKeyText(t testing.TB, account string, line []byte) error {
	t.Helper()
	pub, _, _, _, err := ssh.ParseAuthorizedKey(line)
	if err != nil {
		return err
	}
	_, err = e.st.AddKey(context.Background(), store.ImportKey{
		AccountID: account, Name: "text", PublicKey: string(ssh.MarshalAuthorizedKey(pub)),
		Fingerprint: ssh.FingerprintSHA256(pub), CreatedAt: time.Now(),
	}, 20)
	return err
}
