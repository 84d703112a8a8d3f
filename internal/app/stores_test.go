package app_test

import (
	"testing"

	"sluice/internal/apptest"
	"sluice/internal/config"
	"sluice/internal/store/postgres/pgtest"
)

// eachStore runs fn as two subtests, on the app's test configuration with
// SQLite in the data dir and with PostgreSQL on a fresh database.
func eachStore(t *testing.T, fn func(t *testing.T, cfg config.Config)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, apptest.Config(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, postgresConfig(t)) })
}

// postgresConfig is the app's test configuration on a fresh PostgreSQL database.
func postgresConfig(t *testing.T) config.Config {
	cfg := apptest.Config(t)
	cfg.DatabaseURL = pgtest.URL(t)
	return cfg
}
