//go:build !(linux || darwin || freebsd || netbsd || openbsd)

// Package offheap maps large buffers of plain values outside the Go heap
// where the system allows (see offheap_unix.go); here, on the heap.
package offheap

// Slice makes n zeroed values of T; free does nothing.
func Slice[T any](n int) (s []T, free func()) { return make([]T, n), func() {} }
