package sftpd

import (
	"context"
	"io"
	"io/fs"
	"os"
	"sort"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// fileInfo is an entry of the virtual folder.
type fileInfo struct {
	name  string
	size  int64
	mtime time.Time
	mode  fs.FileMode
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return f.mode }
func (f fileInfo) ModTime() time.Time { return f.mtime }
func (f fileInfo) IsDir() bool        { return f.mode.IsDir() }
func (f fileInfo) Sys() any           { return nil }

func dirInfo(name string, mode fs.FileMode) fileInfo {
	return fileInfo{name: name, mode: fs.ModeDir | mode}
}

func uploadInfo(u store.Upload) fileInfo {
	return fileInfo{name: u.Name, size: u.Size, mtime: u.CreatedAt, mode: 0o644}
}

// list returns the entries of / or /errors.
func (ss *session) list(ctx context.Context, parts []string, p string) ([]os.FileInfo, error) {
	switch {
	case len(parts) == 0:
		return ss.listRoot(ctx)
	case len(parts) == 1 && parts[0] == errorsDir:
		files, err := ss.errorFiles(ctx)
		if err != nil {
			return nil, err
		}
		out := make([]os.FileInfo, 0, len(files))
		for _, f := range files {
			out = append(out, f.info())
		}
		return out, nil
	}
	if _, err := ss.stat(ctx, parts, p); err != nil {
		return nil, err
	}
	return nil, denied("%s is a file, not a folder", p)
}

// listRoot is the visible uploads, this connection's closed temporary
// uploads, and the errors folder.
func (ss *session) listRoot(ctx context.Context) ([]os.FileInfo, error) {
	ups, err := ss.visible(ctx)
	if err != nil {
		return nil, err
	}
	out := []os.FileInfo{dirInfo(errorsDir, 0o555)}
	for _, u := range ups {
		out = append(out, uploadInfo(u))
	}
	for _, p := range ss.pendingList() {
		out = append(out, p.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// visible is the account's stored and locked uploads, one per name (the newest).
func (ss *session) visible(ctx context.Context) (map[string]store.Upload, error) {
	ups, err := ss.srv.st.VisibleUploads(ctx, ss.account)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]store.Upload, len(ups))
	for _, u := range ups {
		if old, ok := byName[u.Name]; !ok || u.ID > old.ID {
			byName[u.Name] = u
		}
	}
	return byName, nil
}

// stat describes one path.
func (ss *session) stat(ctx context.Context, parts []string, p string) (os.FileInfo, error) {
	switch {
	case len(parts) == 0:
		return dirInfo("/", 0o755), nil
	case len(parts) == 1 && parts[0] == errorsDir:
		return dirInfo(errorsDir, 0o555), nil
	case len(parts) == 1:
		if pf := ss.pendingFile(parts[0]); pf != nil {
			return pf.info(), nil
		}
		ups, err := ss.visible(ctx)
		if err != nil {
			return nil, err
		}
		if u, ok := ups[parts[0]]; ok {
			return uploadInfo(u), nil
		}
	case len(parts) == 2 && parts[0] == errorsDir:
		f, err := ss.errorFile(ctx, parts[1])
		if err != nil {
			return nil, err
		}
		return f.info(), nil
	}
	return nil, notExist(p)
}

// openUpload reads back a visible upload (or a closed temporary one); the
// blob reader gets handleCtx, which lasts as long as the SFTP handle.
func (ss *session) openUpload(ctx, handleCtx context.Context, name string) (io.ReaderAt, error) {
	key := ""
	if pf := ss.pendingFile(name); pf != nil {
		key = pf.key
	} else {
		ups, err := ss.visible(ctx)
		if err != nil {
			return nil, err
		}
		u, ok := ups[name]
		if !ok {
			return nil, notExist("/" + name)
		}
		key = u.BlobKey
	}
	r, err := ss.srv.blobs.Open(handleCtx, key)
	if errs.Is(err, errs.NotFound) {
		return nil, notExist("/" + name) // deleted since it was listed
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}
