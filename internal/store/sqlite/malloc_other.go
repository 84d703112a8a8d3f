//go:build !linux

package sqlite

// fixMmapThreshold is for glibc (see malloc_linux.go).
func fixMmapThreshold() int { return -1 }
