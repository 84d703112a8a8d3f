//go:build linux || darwin || freebsd || netbsd || openbsd

// Package offheap maps large buffers of plain values outside the Go heap:
// the garbage collector neither scans them nor counts them toward its next
// goal, which would double what they cost in memory, and their pages cost
// memory only once written.
package offheap

import (
	"syscall"
	"unsafe"
)

// Slice maps n zeroed values of T; free unmaps them. T must hold no
// pointers: the collector does not see into the mapping.
func Slice[T any](n int) (s []T, free func()) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if n == 0 || size == 0 {
		return make([]T, n), func() {}
	}
	b, err := syscall.Mmap(-1, 0, n*size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil { // no mapping: the heap will do
		return make([]T, n), func() {}
	}
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n), func() { syscall.Munmap(b) }
}
