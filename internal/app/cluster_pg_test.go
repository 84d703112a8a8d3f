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
