package app_test

import (
	"os"
	"testing"

	"sluice/internal/store/postgres/pgtest"
	"sluice/internal/weedtest"
)

// TestMain stops the PostgreSQL cluster and the S3 server (SeaweedFS) that
// tests started, if any.
func TestMain(m *testing.M) {
	code := pgtest.Main(m)
	weedtest.Stop()
	os.Exit(code)
}
