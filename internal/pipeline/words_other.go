//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package pipeline

// allocWords makes n zeroed words (see words_unix.go).
func allocWords(n int) ([]uint64, func()) { return make([]uint64, n), func() {} }
