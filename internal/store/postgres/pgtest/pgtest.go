// Package pgtest gives tests real PostgreSQL databases: one fresh, migrated
// database per test, cloned from a template migrated once per test binary.
//
// The server is SLUICE_TEST_DATABASE_URL when set (its user must be allowed
// to create databases); otherwise a throw-away cluster that pgtest starts
// itself from the PostgreSQL server binaries (Debian's postgresql package),
// once per test binary, on a Unix socket in a temp dir, as the postgres
// system user when running as root. Without either, PostgreSQL tests fail:
// set SLUICE_TEST_POSTGRES=off to skip them instead.
//
// A test package that uses pgtest has TestMain call Main, which stops the
// cluster and drops the template when the tests are done.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	"sluice/internal/store/postgres"
)

// server is where the test databases are made.
type server struct {
	admin    *sql.DB // connected to the maintenance database
	baseURL  string  // the server's URL; the database name is replaced per test
	template string  // migrated database that test databases copy
	cluster  *Cluster
}

// shared is the one server of the test binary, started on first use (a
// package variable, like apptest's binary: it lives as long as the binary).
var shared struct {
	once sync.Once
	srv  *server
	err  error
}

// Main runs the tests and then stops what pgtest started:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	code := m.Run()
	if shared.srv != nil {
		if err := shared.srv.close(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	return code
}

// Enabled reports whether PostgreSQL tests should run, and why not.
func Enabled() (bool, string) {
	if os.Getenv("SLUICE_TEST_POSTGRES") == "off" {
		return false, "SLUICE_TEST_POSTGRES=off: PostgreSQL tests skipped"
	}
	return true, ""
}

func get(tb testing.TB) *server {
	tb.Helper()
	if ok, why := Enabled(); !ok {
		tb.Skip(why)
	}
	shared.once.Do(func() { shared.srv, shared.err = newServer() })
	if shared.err != nil {
		tb.Fatalf("pgtest: no PostgreSQL server for this test: %v", shared.err)
	}
	return shared.srv
}

func newServer() (*server, error) {
	s := &server{baseURL: os.Getenv("SLUICE_TEST_DATABASE_URL")}
	if s.baseURL == "" {
		c, err := StartCluster(ClusterOptions{})
		if err != nil {
			return nil, err
		}
		s.cluster, s.baseURL = c, c.URL("postgres")
	}
	admin, err := sql.Open("pgx", s.baseURL)
	if err != nil {
		s.close()
		return nil, fmt.Errorf("connect to %s: %w", s.baseURL, err)
	}
	s.admin = admin
	if err := s.makeTemplate(); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// makeTemplate creates and migrates the database every test database copies.
func (s *server) makeTemplate() error {
	s.template = "sluice_tpl_" + randomName()
	if _, err := s.admin.Exec(`CREATE DATABASE ` + s.template); err != nil {
		s.template = ""
		return fmt.Errorf("create template database: %w", err)
	}
	db, err := postgres.Open(context.Background(), s.url(s.template), postgres.Options{MaxConns: 1})
	if err != nil {
		return fmt.Errorf("migrate template database: %w", err)
	}
	return db.Close()
}

func (s *server) url(db string) string {
	u, err := url.Parse(s.baseURL)
	if err != nil {
		panic(err) // parsed once already by the driver
	}
	u.Path = "/" + db
	return u.String()
}

func (s *server) close() error {
	var errs []error
	if s.admin != nil && s.template != "" {
		_, err := s.admin.Exec(`DROP DATABASE IF EXISTS ` + s.template + ` WITH (FORCE)`)
		errs = append(errs, err)
	}
	if s.admin != nil {
		errs = append(errs, s.admin.Close())
	}
	if s.cluster != nil {
		errs = append(errs, s.cluster.Stop())
	}
	return errors.Join(errs...)
}

func randomName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// URL creates a fresh, migrated database for tb and returns its URL; the
// database is dropped when tb ends.
func URL(tb testing.TB) string {
	tb.Helper()
	s := get(tb)
	name := "sluice_test_" + randomName()
	if _, err := s.admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + s.template); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := s.admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			tb.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return s.url(name)
}

// Open opens the store on a fresh database for tb and closes it when tb ends.
func Open(tb testing.TB, o postgres.Options) *postgres.DB {
	tb.Helper()
	u := URL(tb)
	db, err := postgres.Open(context.Background(), u, o)
	if err != nil {
		tb.Fatalf("pgtest: open store: %v", err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}
