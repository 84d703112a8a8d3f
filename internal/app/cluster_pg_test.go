//go:build pending_pg_nodes

// This file waits for the PostgreSQL store (branch pg) to land on main. Once
// it has: delete the build line, put postgresBackend() first in
// TestTwoNodes's backends (the acceptance setup), and have the package's
// one TestMain call weedtest.Stop() after pgtest.Main(m).

package app_test

import (
	"database/sql"
	"fmt"
	"testing"

	"sluice/internal/store/postgres/pgtest"
)

// postgresBackend runs the nodes on a fresh PostgreSQL database, each with
// its own data dir: the supported way to run several nodes.
func postgresBackend() backend {
	return backend{name: "postgres", ph: func(i int) string { return fmt.Sprintf("$%d", i) }, setup: func(t *testing.T) ([]string, string, *sql.DB) {
		url := pgtest.URL(t)
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return []string{"--database-url", url}, "", db
	}}
}
