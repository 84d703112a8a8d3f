package postgres_test

import (
	"os"
	"testing"

	"sluice/internal/store"
	"sluice/internal/store/postgres"
	"sluice/internal/store/postgres/pgtest"
	"sluice/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return pgtest.Open(t, postgres.Options{})
	})
}
