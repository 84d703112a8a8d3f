//go:build linux

package sqlite

/*
#include <stdlib.h> // defines __GLIBC__ on glibc
#if defined(__GLIBC__)
#include <malloc.h>

static int one_arena;

// glibc fixes its arena limit the first time two threads contend for
// malloc, which the Go runtime's cgo thread starts do before main runs: the
// limit is only followed if set at load time.
static void __attribute__((constructor)) sluice_one_arena(void) {
	one_arena = mallopt(M_ARENA_MAX, 1);
}
#endif

// fix_mmap_threshold returns 2 when both settings took, -1 off glibc.
static int fix_mmap_threshold(void) {
#if defined(__GLIBC__)
	return one_arena + mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#else
	return -1;
#endif
}
*/
import "C"

// SQLite's allocations fragment glibc's heap; two settings keep it down.
//   - One arena (set at load time, above): Go runs the writer on whichever
//     thread is free, and glibc gives each thread that meets a locked arena
//     one of its own (up to 8 per core), each keeping the memory freed in
//     it.
//   - The mmap threshold is pinned at its default, 128 KiB. Each sorted run
//     into event_profiles has SQLite's sorter allocate and free buffers of
//     several MB; glibc would raise the threshold to their size, and later
//     ones would come from the heap and fragment it.
//
// It returns 2 when both took, -1 off glibc.
func fixMmapThreshold() int { return int(C.fix_mmap_threshold()) }
