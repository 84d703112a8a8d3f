package blob_test

import (
	"testing"

	"sluice/internal/blob"
	"sluice/internal/blob/blobtest"
)

func TestLocalConformance(t *testing.T) {
	blobtest.Run(t, blobtest.Suite{Big: 3 << 20, New: func(t *testing.T) blob.Store {
		l, err := blob.NewLocal(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}})
}
