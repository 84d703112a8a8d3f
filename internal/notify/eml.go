package notify

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"sluice/internal/store"
)

// emlDir is the mailer without an SMTP server: each message becomes a
// complete MIME file, <data-dir>/outbox/<name>.eml, that any mail client
// opens. The name depends only on the delivery, so a retry after a crash
// rewrites the same file instead of adding a second one.
type emlDir struct {
	dir string
	log *slog.Logger
}

func newEMLDir(dataDir string, log *slog.Logger) (*emlDir, error) {
	dir := filepath.Join(dataDir, "outbox")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("create mail outbox %s: %w", dir, err)
	}
	return &emlDir{dir: dir, log: log}, nil
}

func (e *emlDir) String() string { return "files in " + e.dir }

// EMLName is the outbox file of a mail delivery:
// <created, UTC>-<delivery id>-import-<import id>-<event>.eml, e.g.
// 20261128T120000Z-00000042-import-17-succeeded.eml. Names sort in the order
// the mails were made (delivery ids grow), even within one second.
func EMLName(d store.Delivery) string {
	event := strings.TrimPrefix(string(d.Milestone), "import.")
	return fmt.Sprintf("%s-%08d-import-%d-%s.eml", d.CreatedAt.UTC().Format("20060102T150405Z"), d.ID, d.ImportID, event)
}

// send writes the message to a hidden temporary file and renames it into
// place, so that a reader of the folder never sees half a mail.
func (e *emlDir) send(_ context.Context, msg *gomail.Msg, d store.Delivery) outcome {
	name := EMLName(d)
	path := filepath.Join(e.dir, name)
	tmp := filepath.Join(e.dir, "."+name+".tmp")
	if err := writeMsg(tmp, msg); err != nil {
		os.Remove(tmp)
		return outcome{Err: err}
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return outcome{Err: fmt.Errorf("move mail into the outbox: %w", err)}
	}
	e.log.Info("mail written to the outbox (no --smtp-url)", slog.String("file", path), slog.String("to", d.Target),
		slog.String("event", string(d.Milestone)), slog.Int64("import", d.ImportID))
	return outcome{}
}

func writeMsg(path string, msg *gomail.Msg) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("create mail file: %w", err)
	}
	if _, err := msg.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("write mail file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync mail file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close mail file: %w", err)
	}
	return nil
}
