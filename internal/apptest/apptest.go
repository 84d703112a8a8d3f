// Package apptest boots the whole sluice app in-process on 127.0.0.1:0 with
// a temporary data dir, and drives it with real clients: OpenSSH's sftp for
// uploads and HTTP for the API. End-to-end tests of every package use it.
package apptest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"

	"sluice/internal/app"
	"sluice/internal/config"
)

// Env is a running app and what a test needs to talk to it.
type Env struct {
	T      testing.TB
	App    *app.App
	Config config.Config
	HTTP   string // base URL, no trailing slash
	Dir    string

	sftpPort int // set when the app runs as a child process (Proc)
}

// Config returns a test configuration: loopback ports, a temp data dir,
// short timeouts and small batches so tests exercise batching.
func Config(t testing.TB) config.Config {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.SFTPAddr = "127.0.0.1:0"
	cfg.HTTPAddr = "127.0.0.1:0"
	cfg.SFTPHost = "127.0.0.1"
	cfg.WaitTimeout = 10 * time.Second
	cfg.LeaseDuration = 5 * time.Second
	cfg.BatchRows = 1000
	cfg.ProfileBatchRows = 1000
	cfg.KeyCheckEvery = 100 * time.Millisecond
	return cfg
}

// Start boots the app with cfg (use Config and adjust it) and stops it when
// the test ends.
func Start(t testing.TB, cfg config.Config) *Env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		cancel()
		t.Fatalf("open app: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		a.Close()
		cancel()
		t.Fatalf("start app: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := a.Close(); err != nil {
			t.Errorf("close app: %v", err)
		}
	})
	return &Env{T: t, App: a, Config: cfg, HTTP: "http://" + a.HTTPAddr().String(), Dir: cfg.DataDir}
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Account is a test account with an API token and an SSH key on disk.
type Account struct {
	ID      string
	Token   string
	KeyPath string // private key file for sftp -i
	KeyID   int64
	env     *Env
}

// NewAccount creates an account and registers a fresh ed25519 import key.
func (e *Env) NewAccount(name string) *Account {
	e.T.Helper()
	ctx := context.Background()
	acct, token, err := e.App.Accounts.Create(ctx, name)
	if err != nil {
		e.T.Fatalf("create account: %v", err)
	}
	a := &Account{ID: acct.ID, Token: token, env: e}
	pub, path := NewKeyFile(e.T)
	k, err := e.App.Keys.Add(ctx, acct.ID, "test key", pub)
	if err != nil {
		e.T.Fatalf("add key: %v", err)
	}
	a.KeyPath, a.KeyID = path, k.ID
	return a
}

// NewKeyFile writes a new ed25519 private key in OpenSSH form to a temp file
// and returns its authorized_keys line and the file's path.
func NewKeyFile(t testing.TB) (string, string) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	sp, _ := ssh.NewPublicKey(pub)
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " test@sluice", path
}

// SFTPPort is the port the SFTP server listens on.
func (e *Env) SFTPPort() int {
	if e.App == nil {
		return e.sftpPort
	}
	return e.App.SFTP.Addr().(*net.TCPAddr).Port
}

// Account returns a handle on an existing account whose key file is keyPath.
func (e *Env) Account(id, token, keyPath string) *Account {
	return &Account{ID: id, Token: token, KeyPath: keyPath, env: e}
}

// SFTP runs OpenSSH's sftp in batch mode with the given commands and returns
// its combined output; it fails the test if sftp fails and !mayFail.
func (a *Account) SFTP(commands string, mayFail bool) (string, error) {
	a.env.T.Helper()
	batch := filepath.Join(a.env.T.TempDir(), "batch")
	os.WriteFile(batch, []byte(commands), 0o600)
	cmd := exec.Command("sftp", "-b", batch, "-i", a.KeyPath, "-P", fmt.Sprint(a.env.SFTPPort()),
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
		"-o", "LogLevel=ERROR", a.ID+"@127.0.0.1")
	out, err := cmd.CombinedOutput()
	if err != nil && !mayFail {
		a.env.T.Fatalf("sftp %q: %v\n%s", commands, err, out)
	}
	return string(out), err
}

// Upload writes content to a local temp file and uploads it as name with sftp.
func (a *Account) Upload(name string, content []byte) {
	a.env.T.Helper()
	local := filepath.Join(a.env.T.TempDir(), "upload-"+name)
	if err := os.WriteFile(local, content, 0o600); err != nil {
		a.env.T.Fatal(err)
	}
	a.SFTP(fmt.Sprintf("put %s %s\n", local, name), false)
}

// API calls the JSON API with the account's token and decodes the answer
// into out (if not nil). It returns the status code.
func (a *Account) API(method, path string, body any, out any) int {
	a.env.T.Helper()
	return a.env.Call(a.Token, method, path, body, out)
}

// Call calls the API with any token.
func (e *Env) Call(token, method, path string, body any, out any) int {
	e.T.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.HTTP+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil {
		if raw, ok := out.(*[]byte); ok {
			*raw = data
		} else if err := json.Unmarshal(data, out); err != nil {
			e.T.Fatalf("%s %s: decode %q: %v", method, path, data, err)
		}
	}
	return resp.StatusCode
}

// Eventually polls cond every 20 ms until it holds or the deadline passes.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
