package sqlite

import (
	"bytes"
	"os"
	"testing"
)

// The malloc settings are C preprocessor work that fails silently: a
// missing header once left them out of the build.
func TestMallocTuned(t *testing.T) {
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(maps, []byte("/libc.so.6")) {
		t.Skip("not linked with glibc")
	}
	if got := fixMmapThreshold(); got != 2 {
		t.Fatalf("glibc's arena limit and mmap threshold: %d of 2 set", got)
	}
}
