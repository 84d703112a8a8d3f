// Package weedtest gives tests a real S3-compatible server: SeaweedFS's
// `weed server -s3`, started once per test binary on free loopback ports in
// a temp dir, with one bucket and a signing identity. Each test gets its own
// key prefix in that bucket, so tests never see each other's objects.
//
// The binary is $SLUICE_WEED, or the cache path tools/seaweedfs/build.sh
// builds it to (${XDG_CACHE_HOME:-$HOME/.cache}/sluice/weed). Without it, S3
// tests fail with a message saying to run the script; SLUICE_TEST_S3=off
// skips them instead.
//
// A test package that uses weedtest has TestMain call Main (or Stop after
// the tests), which stops the server when the tests are done.
package weedtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"sluice/internal/blob/s3"
)

// shared is the one server of the test binary, started on first use (a
// package variable, like pgtest's cluster: it lives as long as the binary).
var shared struct {
	once sync.Once
	srv  *Server
	err  error
}

// Main runs the tests, then stops the server if one was started:
//
//	func TestMain(m *testing.M) { os.Exit(weedtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	Stop()
	return code
}

// Stop stops the server if one was started; for a TestMain that runs the
// tests itself (or through another helper's Main).
func Stop() {
	if shared.srv != nil {
		if err := shared.srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "weedtest:", err)
		}
		shared.srv = nil
	}
}

// Enabled reports whether S3 tests should run, and why not.
func Enabled() (bool, string) {
	if os.Getenv("SLUICE_TEST_S3") == "off" {
		return false, "SLUICE_TEST_S3=off: S3 tests skipped"
	}
	return true, ""
}

// Binary finds the weed binary.
func Binary() (string, error) {
	path := os.Getenv("SLUICE_WEED")
	if path == "" {
		cache := os.Getenv("XDG_CACHE_HOME")
		if cache == "" {
			home, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("find the weed binary: %w", err)
			}
			cache = filepath.Join(home, ".cache")
		}
		path = filepath.Join(cache, "sluice", "weed")
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("no SeaweedFS binary at %s: run tools/seaweedfs/build.sh once on this machine "+
			"(or set SLUICE_WEED to a weed binary; SLUICE_TEST_S3=off skips S3 tests)", path)
	} else if err != nil {
		return "", fmt.Errorf("find the weed binary: %w", err)
	}
	return path, nil
}

// Get returns the shared server, starting it on first use.
func Get(tb testing.TB) *Server {
	tb.Helper()
	if ok, why := Enabled(); !ok {
		tb.Skip(why)
	}
	shared.once.Do(func() { shared.srv, shared.err = Start(context.Background()) })
	if shared.err != nil {
		tb.Fatalf("weedtest: no S3 server for this test: %v", shared.err)
	}
	return shared.srv
}

// Options returns store options for a fresh key prefix in the bucket.
func Options(tb testing.TB) s3.Options {
	tb.Helper()
	srv := Get(tb)
	o := srv.Options()
	o.Prefix = "t-" + randomName() + "/"
	o.SpillDir = tb.TempDir()
	return o
}

// URL returns a --blob-url for a fresh key prefix, credentials included.
func URL(tb testing.TB) string {
	tb.Helper()
	o := Options(tb)
	u := url.URL{Scheme: "s3", Host: o.Bucket, Path: "/" + o.Prefix,
		User: url.UserPassword(o.AccessKey, o.SecretKey)}
	u.RawQuery = url.Values{"endpoint": {o.Endpoint}, "insecure": {"true"}, "part-size": {"5MiB"}}.Encode()
	return u.String()
}

// Store opens an S3 store on a fresh prefix.
func Store(tb testing.TB) *s3.Store {
	tb.Helper()
	st, err := s3.New(context.Background(), Options(tb))
	if err != nil {
		tb.Fatalf("open s3 store: %v", err)
	}
	return st
}

func randomName() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
