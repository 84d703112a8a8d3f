package sqlite

import (
	"bytes"
	"os"
	"testing"
)

// The mmap threshold is C preprocessor work that fails silently: testing
// __GLIBC__ before any header defined it once left it out of the build.
func TestMallocTuned(t *testing.T) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(maps, []byte("/libc.so.6")) {
		t.Skip("not linked with glibc")
	}
	if got := fixMmapThreshold(); got != 1 {
		t.Fatalf("glibc's mmap threshold was not set: mallopt returned %d", got)
	}
}
