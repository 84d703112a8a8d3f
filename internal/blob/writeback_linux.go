package blob

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the file to disk now,
// without waiting: by Commit's fsync most of a large upload is already on
// disk, so the client's final close does not wait for all of it. Pages
// already clean cost nothing.
func startWriteback(f *os.File) {
	unix.SyncFileRange(int(f.Fd()), 0, 0, unix.SYNC_FILE_RANGE_WRITE) // 0, 0: the whole file
}
