package sftpd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"sort"

	"sluice/internal/store"
)

// errorFile is one entry of /errors/: an import's error file.
type errorFile struct {
	name string
	imp  store.Import
}

func (f errorFile) info() fileInfo {
	mtime := f.imp.ReceivedAt
	if f.imp.FinishedAt != nil {
		mtime = *f.imp.FinishedAt
	}
	return fileInfo{name: f.name, size: f.imp.ErrorBytes, mtime: mtime, mode: 0o444}
}

// errorFiles lists /errors/.
func (ss *session) errorFiles(ctx context.Context) ([]errorFile, error) {
	imps, err := ss.srv.st.ImportsWithErrors(ctx, ss.account)
	if err != nil {
		return nil, err
	}
	return nameErrorFiles(imps), nil
}

// nameErrorFiles names each import's error file <base>.errors.csv after its
// data file; when several imports share a base name the newest keeps the
// plain name and older ones get <base>.<import id>.errors.csv.
func nameErrorFiles(imps []store.Import) []errorFile {
	imps = append([]store.Import(nil), imps...)
	sort.Slice(imps, func(i, j int) bool { return imps[i].ID > imps[j].ID })
	taken := map[string]bool{}
	out := make([]errorFile, 0, len(imps))
	var older []store.Import
	for _, imp := range imps {
		name := baseName(imp.FileName) + ".errors.csv"
		if taken[name] {
			older = append(older, imp)
			continue
		}
		taken[name] = true
		out = append(out, errorFile{name: name, imp: imp})
	}
	for _, imp := range older {
		name := fmt.Sprintf("%s.%d.errors.csv", baseName(imp.FileName), imp.ID)
		for n := 2; taken[name]; n++ { // a data file named like that exists too
			name = fmt.Sprintf("%s.%d-%d.errors.csv", baseName(imp.FileName), imp.ID, n)
		}
		taken[name] = true
		out = append(out, errorFile{name: name, imp: imp})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func (ss *session) errorFile(ctx context.Context, name string) (errorFile, error) {
	files, err := ss.errorFiles(ctx)
	if err != nil {
		return errorFile{}, err
	}
	for _, f := range files {
		if f.name == name {
			return f, nil
		}
	}
	return errorFile{}, notExist("/errors/" + name)
}

// openErrorFile spools an error file (header, then every refused row) to
// an unlinked temporary file: clients read at any offset, the store
// streams rows in order, and an error file may be large.
func (ss *session) openErrorFile(ctx context.Context, name string) (io.ReaderAt, error) {
	f, err := ss.errorFile(ctx, name)
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(ss.srv.cfg.TempDir, "sluice-errors-*.csv")
	if err != nil {
		return nil, fmt.Errorf("spool error file: %w", err)
	}
	os.Remove(tmp.Name()) // unlinked: gone once closed, even after a crash
	if err := writeErrorFile(ctx, tmp, f.imp, ss.srv.st); err != nil {
		tmp.Close()
		return nil, err
	}
	return tmp, nil
}

func writeErrorFile(ctx context.Context, w io.Writer, imp store.Import, st Store) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(imp.ErrorHeader)
	err := st.ErrorRows(ctx, imp.ID, func(line []byte) error {
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return fmt.Errorf("read error rows of import %d: %w", imp.ID, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("spool error file: %w", err)
	}
	return nil
}
