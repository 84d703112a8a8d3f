package app_test

import (
	"os"
	"testing"

	"sluice/internal/weedtest"
)

// TestMain stops the S3 server (SeaweedFS) that tests started, if any.
func TestMain(m *testing.M) { os.Exit(weedtest.Main(m)) }
