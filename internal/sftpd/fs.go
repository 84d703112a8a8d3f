package sftpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime/debug"

	"github.com/pkg/sftp"

	"sluice/internal/errs"
)

// handlers is one sftp subsystem's view of its account's virtual folder:
//
//	/                 uploads waiting or in progress, and errors/
//	/<name>           an upload (read back), or a new one (write)
//	/errors/<name>    an import's error file, read-only
//
// Paths are only ever matched against names from the store; no path built
// from user input reaches the file system, so "..", absolute paths and
// links have nothing to escape into.
type handlers struct {
	ss    *session
	notes io.Writer // the channel's stderr, shown by OpenSSH's sftp
}

const errorsDir = "errors"

// refusal is an error sent to the client with an SFTP status code and a
// message meant for the user.
type refusal struct {
	msg  string
	code error // a sftp.ErrSSHFx… code
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.code }

// denied refuses with SSH_FX_FAILURE: clients keep the message of a
// failure, while pkg/sftp's client (and others) turn PERMISSION_DENIED into
// a bare "permission denied".
func denied(format string, args ...any) error {
	return &refusal{msg: fmt.Sprintf(format, args...), code: sftp.ErrSSHFxFailure}
}

func failure(msg string) error { return &refusal{msg: msg, code: sftp.ErrSSHFxFailure} }

func notExist(p string) error {
	return &os.PathError{Op: "open", Path: p, Err: os.ErrNotExist}
}

func readOnly() error {
	return denied("/errors/ is read-only: it holds the error files of your imports, to download with get")
}

// userError turns an internal error into what the client sees: errs
// messages as they are, anything else as a generic failure (logged).
func (h *handlers) userError(op string, err error) error {
	var r *refusal
	var pe *os.PathError
	switch {
	case err == nil || errors.As(err, &r) || errors.As(err, &pe):
		return err
	case errs.CodeOf(err) == errs.Internal:
		h.ss.log.Error("sftp "+op, slog.Any("err", err))
		return failure("internal error; please try again later")
	case errs.Is(err, errs.NotFound):
		return failure(errs.MessageOf(err))
	case errs.Is(err, errs.TooLarge), errs.Is(err, errs.Conflict):
		return failure(errs.MessageOf(err))
	default:
		return denied("%s", errs.MessageOf(err))
	}
}

// finish maps err for the client, tells OpenSSH users why on stderr (its
// sftp prints only the status code of an SFTP error), and turns a panic in
// a handler into an error instead of a crash of the whole server.
func (h *handlers) finish(op string, errp *error) {
	h.recoverTo(op, errp)
	*errp = h.userError(op, *errp)
	var r *refusal
	if errors.As(*errp, &r) {
		fmt.Fprintf(h.notes, "sluice: %s\n", r.msg)
	}
}

// recoverTo turns a panic into an error: handlers run on pkg/sftp's worker
// goroutines, where a panic would take the whole server down.
func (h *handlers) recoverTo(op string, errp *error) {
	if r := recover(); r != nil {
		h.ss.log.Error("sftp handler panicked", slog.String("op", op), slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		*errp = failure("internal error; please try again later")
	}
}

// Fileread opens an upload or an error file for reading.
func (h *handlers) Fileread(r *sftp.Request) (_ io.ReaderAt, err error) {
	defer h.finish("open for reading", &err)
	ctx, cancel := context.WithTimeout(r.Context(), opTimeout)
	defer cancel()
	parts := splitPath(r.Filepath)
	switch {
	case len(parts) == 1 && parts[0] != errorsDir:
		return h.ss.openUpload(ctx, r.Context(), parts[0])
	case len(parts) == 2 && parts[0] == errorsDir:
		return h.ss.openErrorFile(ctx, parts[1])
	}
	return nil, notExist(r.Filepath)
}

// Filewrite starts an upload; only top-level accepted names are allowed.
func (h *handlers) Filewrite(r *sftp.Request) (_ io.WriterAt, err error) {
	defer h.finish("open for writing", &err)
	ctx, cancel := context.WithTimeout(r.Context(), opTimeout)
	defer cancel()
	parts := splitPath(r.Filepath)
	if err := checkUploadPath(parts); err != nil {
		h.ss.srv.m.upload(resultRefused)
		return nil, err
	}
	if r.Pflags().Append {
		h.ss.srv.m.upload(resultRefused)
		return nil, denied("appending and resuming are not supported: upload the whole file")
	}
	u, err := h.ss.startUpload(ctx, r.Context(), h, parts[0])
	if err != nil {
		return nil, err
	}
	return u, nil
}

func checkUploadPath(parts []string) error {
	switch {
	case len(parts) == 0:
		return denied("/ is a folder; upload files into it")
	case parts[0] == errorsDir:
		return readOnly()
	case len(parts) > 1:
		return denied("there are no folders here: upload files to /")
	}
	return nil
}

// Filecmd handles renames (the moment a temporary-name upload lands),
// removes of temporary uploads, and refuses what has no meaning here.
func (h *handlers) Filecmd(r *sftp.Request) (err error) {
	defer h.finish(r.Method, &err)
	ctx, cancel := context.WithTimeout(r.Context(), opTimeout)
	defer cancel()
	switch r.Method {
	case "Rename", "PosixRename":
		return h.ss.rename(ctx, splitPath(r.Filepath), splitPath(r.Target))
	case "Remove":
		return h.ss.remove(ctx, splitPath(r.Filepath))
	case "Setstat":
		return nil // times and modes are not kept; accepting keeps put -p and WinSCP happy
	case "Mkdir":
		return denied("folders cannot be created: upload files to /")
	case "Rmdir":
		return denied("folders cannot be removed")
	case "Symlink", "Link":
		return denied("links are not supported")
	}
	return &refusal{msg: r.Method + " is not supported", code: sftp.ErrSSHFxOpUnsupported}
}

// Filelist lists a folder or stats one entry.
func (h *handlers) Filelist(r *sftp.Request) (_ sftp.ListerAt, err error) {
	defer h.finish(r.Method, &err)
	ctx, cancel := context.WithTimeout(r.Context(), opTimeout)
	defer cancel()
	parts := splitPath(r.Filepath)
	switch r.Method {
	case "List":
		entries, err := h.ss.list(ctx, parts, r.Filepath)
		return listing(entries), err
	case "Stat", "Lstat":
		fi, err := h.ss.stat(ctx, parts, r.Filepath)
		if err != nil {
			return nil, err
		}
		return listing{fi}, nil
	case "Readlink":
		return nil, denied("links are not supported")
	}
	return nil, &refusal{msg: r.Method + " is not supported", code: sftp.ErrSSHFxOpUnsupported}
}

// listing is a ListerAt over a slice.
type listing []os.FileInfo

func (l listing) ListAt(dst []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(dst, l[off:])
	if off+int64(n) >= int64(len(l)) {
		return n, io.EOF
	}
	return n, nil
}
