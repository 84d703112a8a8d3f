package s3_test

import (
	"os"
	"testing"

	"sluice/internal/blob"
	"sluice/internal/blob/blobtest"
	"sluice/internal/weedtest"
)

func TestMain(m *testing.M) { os.Exit(weedtest.Main(m)) }

// TestConformance runs the blob suite against SeaweedFS, with 5 MiB parts
// so that Big blobs take three parts.
func TestConformance(t *testing.T) {
	blobtest.Run(t, blobtest.Suite{Big: 12 << 20, New: func(t *testing.T) blob.Store {
		return weedtest.Store(t)
	}})
}
