//go:build linux || darwin || freebsd || netbsd || openbsd

package pipeline

import (
	"syscall"
	"unsafe"
)

// allocWords maps n zeroed words outside the Go heap; free unmaps them.
// Pages cost memory only once written.
func allocWords(n int) ([]uint64, func()) {
	b, err := syscall.Mmap(-1, 0, n*8, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil { // no mapping: the heap will do
		return make([]uint64, n), func() {}
	}
	return unsafe.Slice((*uint64)(unsafe.Pointer(&b[0])), n), func() { syscall.Munmap(b) }
}
