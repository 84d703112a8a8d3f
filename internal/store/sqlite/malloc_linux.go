//go:build linux

package sqlite

/*
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static void fix_mmap_threshold(void) {
#if defined(__GLIBC__)
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}
*/
import "C"

// fixMmapThreshold pins glibc's mmap threshold at its default, 128 KiB.
// Each sorted run into event_profiles has SQLite's sorter allocate and free
// buffers of several MB; glibc then raises the threshold to their size, and
// later ones come from the heap and fragment it. Measured on 4M events:
// peak RSS 172–183 MB with glibc's moving threshold, 130–135 MB pinned, at
// the same speed.
func fixMmapThreshold() { C.fix_mmap_threshold() }
