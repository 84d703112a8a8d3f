package sftpd

import (
	"fmt"
	"path"
	"strings"
	"unicode"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// dataSuffixes are the accepted data file endings, longest first so that
// baseName strips the whole of a compound suffix.
var dataSuffixes = []string{
	".csv.gz.asc", ".csv.gz.gpg", ".csv.gz.pgp",
	".csv.asc", ".csv.gpg", ".csv.pgp",
	".csv.gz", ".csv",
}

const manifestSuffix = ".manifest"

// tempSuffixes mark a client's temporary upload name (WinSCP's .filepart,
// other clients' .part and .tmp); the rename onto the final name uploads it.
var tempSuffixes = []string{".filepart", ".part", ".tmp"}

const acceptedHint = "upload data files named *.csv, *.csv.gz, *.csv.asc, *.csv.gpg or *.csv.pgp, and manifests named *.manifest"

// maxNameLen matches the usual file system limit for one path element.
const maxNameLen = 255

// target is what an upload name means.
type target struct {
	name  string           // as given
	final string           // the name it is recorded under (name without a temp suffix)
	kind  store.UploadKind // data or manifest
	temp  bool             // a temporary name, recorded only when renamed onto final
}

// classify checks an upload name (one path element) and tells its kind.
// Suffixes are matched ignoring case, as the manifest's fileName check does.
func classify(name string) (target, error) {
	if err := checkName(name); err != nil {
		return target{}, err
	}
	t := target{name: name, final: name}
	for _, s := range tempSuffixes {
		if stem, ok := cutSuffixFold(name, s); ok {
			t.final, t.temp = stem, true
			break
		}
	}
	kind, ok := kindOf(t.final)
	if !ok {
		return target{}, notAccepted(name)
	}
	t.kind = kind
	return t, nil
}

// classifyFinal is classify for a name that must not be a temporary one
// (the target of a rename).
func classifyFinal(name string) (target, error) {
	t, err := classify(name)
	if err == nil && t.temp {
		return target{}, notAccepted(name)
	}
	return t, err
}

func kindOf(name string) (store.UploadKind, bool) {
	if stem, ok := cutSuffixFold(name, manifestSuffix); ok && stem != "" {
		return store.KindManifest, true
	}
	for _, s := range dataSuffixes {
		if stem, ok := cutSuffixFold(name, s); ok && stem != "" {
			return store.KindData, true
		}
	}
	return "", false
}

func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsRune(name, '/') {
		return errs.E(errs.Invalid, "%q is not a file name", name)
	}
	if len(name) > maxNameLen {
		return errs.E(errs.Invalid, "file names are at most %d bytes long", maxNameLen)
	}
	if strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return errs.E(errs.Invalid, "%q contains control characters; use a plain file name", name)
	}
	return nil
}

func notAccepted(name string) error {
	return errs.E(errs.Invalid, "%q is not accepted: %s", name, acceptedHint)
}

// baseName is a data file's name without its data suffix: the stem of its
// error file's name in /errors/.
func baseName(fileName string) string {
	name := path.Base(fileName)
	for _, s := range dataSuffixes {
		if stem, ok := cutSuffixFold(name, s); ok && stem != "" {
			return stem
		}
	}
	return name
}

func cutSuffixFold(s, suffix string) (string, bool) {
	if len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix) {
		return s[:len(s)-len(suffix)], true
	}
	return s, false
}

// splitPath turns a cleaned absolute SFTP path into its elements; the
// namespace is at most two levels deep (/name and /errors/name).
func splitPath(p string) []string {
	p = strings.Trim(path.Clean("/"+p), "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// humanSize prints a byte count in the largest binary unit that keeps it short.
func humanSize(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(n), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	if v == float64(int64(v)) {
		return fmt.Sprintf("%d%s", int64(v), units[i])
	}
	return fmt.Sprintf("%.1f%s", v, units[i])
}
