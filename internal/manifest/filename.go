package manifest

import "strings"

// DataFileExtensions are the data-file name endings accepted, plain,
// compressed and encrypted (matched ignoring case).
var DataFileExtensions = []string{
	".csv", ".csv.gz",
	".csv.asc", ".csv.gpg", ".csv.pgp",
	".csv.gz.asc", ".csv.gz.gpg", ".csv.gz.pgp",
}

var encryptedExts = []string{".asc", ".gpg", ".pgp"}

// IsDataFileName reports whether name is a plain file name (no folder, no
// control character) ending in one of DataFileExtensions, with something
// before the extension.
func IsDataFileName(name string) bool {
	if !plainName(name) {
		return false
	}
	ext := dataExt(name)
	return ext != "" && len(name) > len(ext)
}

// Encrypted reports whether a data file name says the file is PGP-encrypted.
func Encrypted(name string) bool {
	for _, e := range encryptedExts {
		if hasSuffixFold(name, ".csv"+e) || hasSuffixFold(name, ".csv.gz"+e) {
			return true
		}
	}
	return false
}

// Compressed reports whether a data file name says the CSV inside is gzipped.
func Compressed(name string) bool {
	if hasSuffixFold(name, ".csv.gz") {
		return true
	}
	for _, e := range encryptedExts {
		if hasSuffixFold(name, ".csv.gz"+e) {
			return true
		}
	}
	return false
}

// BaseName is a data file name without its data-file extension
// ("users.csv.gz.gpg" → "users"); other names are returned unchanged.
func BaseName(name string) string {
	return name[:len(name)-len(dataExt(name))]
}

// dataExt returns the data-file extension name ends with, or "".
// The list is scanned longest first so ".csv.gz.gpg" wins over ".gpg".
func dataExt(name string) string {
	for i := len(DataFileExtensions) - 1; i >= 0; i-- {
		e := DataFileExtensions[i]
		if hasSuffixFold(name, e) {
			return name[len(name)-len(e):]
		}
	}
	return ""
}

func plainName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c == '/' || c == '\\' || c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
