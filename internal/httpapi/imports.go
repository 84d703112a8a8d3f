package httpapi

import (
	"bufio"
	"context"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// Reader is the read side of the store the API shows.
type Reader interface {
	Import(ctx context.Context, accountID string, id int64) (store.Import, error)
	ListImports(ctx context.Context, accountID string, f store.ImportFilter) ([]store.Import, error)
	ErrorRows(ctx context.Context, importID int64, fn func(line []byte) error) error
	store.Profiles
	store.Events
}

// ImportJSON is an import as the API shows it (SPEC section 7).
type ImportJSON struct {
	ID           int64        `json:"id"`
	ManifestName string       `json:"manifestName"`
	FileName     string       `json:"fileName"`
	Type         string       `json:"type"`
	Status       store.Status `json:"status"`
	SizeBytes    int64        `json:"sizeBytes"`
	BytesRead    int64        `json:"bytesRead"`
	RowsRead     int64        `json:"rowsRead"`
	RowsImported int64        `json:"rowsImported"`
	RowsFailed   int64        `json:"rowsFailed"`
	Error        string       `json:"error"`
	ReceivedAt   time.Time    `json:"receivedAt"`
	StartedAt    *time.Time   `json:"startedAt"`
	FinishedAt   *time.Time   `json:"finishedAt"`
	ErrorFile    string       `json:"errorFile,omitempty"` // API path of the error file, when there is one
}

// ImportOf converts a stored import.
func ImportOf(imp store.Import) ImportJSON {
	j := ImportJSON{
		ID: imp.ID, ManifestName: imp.ManifestName, FileName: imp.FileName, Type: imp.Type,
		Status: imp.Status, SizeBytes: imp.SizeBytes, BytesRead: imp.BytesRead, RowsRead: imp.RowsRead,
		RowsImported: imp.RowsImported, RowsFailed: imp.RowsFailed, Error: imp.Error,
		ReceivedAt: imp.ReceivedAt.UTC(), StartedAt: utc(imp.StartedAt), FinishedAt: utc(imp.FinishedAt),
	}
	if len(imp.ErrorHeader) > 0 {
		j.ErrorFile = "/api/v1/imports/" + strconv.FormatInt(imp.ID, 10) + "/errors.csv"
	}
	return j
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

func (a *API) listImports(w http.ResponseWriter, r *http.Request, acct store.Account) {
	page, err := pageOf(r)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	f := store.ImportFilter{Status: store.Status(r.URL.Query().Get("status")), Page: page}
	if f.Status != "" && !f.Status.Valid() {
		writeError(w, r, errs.E(errs.Invalid, "status %q is not one of waiting, queued, processing, succeeded, partial, failed", f.Status), a.d.Logger)
		return
	}
	imps, err := a.d.Store.ListImports(r.Context(), acct.ID, f)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out := make([]ImportJSON, len(imps))
	for i, imp := range imps {
		out[i] = ImportOf(imp)
	}
	var next *string
	if len(imps) == f.Norm().Limit {
		next = cursor(imps[len(imps)-1].ID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"imports": out, "next": next})
}

func (a *API) getImport(w http.ResponseWriter, r *http.Request, acct store.Account) {
	imp, err := a.importOf(r, acct)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusOK, ImportOf(imp))
}

func (a *API) importOf(r *http.Request, acct store.Account) (store.Import, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return store.Import{}, err
	}
	return a.d.Store.Import(r.Context(), acct.ID, id)
}

func (a *API) importErrors(w http.ResponseWriter, r *http.Request, acct store.Account) {
	imp, err := a.importOf(r, acct)
	if err == nil {
		err = HasErrorFile(imp)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	WriteErrorFile(w, r, a.d.Store, imp, a.d.Logger)
}

// HasErrorFile is nil when imp has an error file, else errs.NotFound saying why not.
func HasErrorFile(imp store.Import) error {
	if len(imp.ErrorHeader) > 0 {
		return nil
	}
	return errs.E(errs.NotFound, "import %d has no error file: %s", imp.ID, noErrorFileWhy(imp))
}

// ErrorRower streams an import's stored error lines.
type ErrorRower interface {
	ErrorRows(ctx context.Context, importID int64, fn func(line []byte) error) error
}

// WriteErrorFile streams imp's error file as a CSV download. The API and the
// dashboard both serve it through here, so that both give the same bytes.
func WriteErrorFile(w http.ResponseWriter, r *http.Request, rows ErrorRower, imp store.Import, log *slog.Logger) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	// FormatMediaType quotes (or RFC 2231-encodes) any odd character of the name.
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ErrorFileName(imp)}))
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(imp.ErrorHeader)
	err := rows.ErrorRows(r.Context(), imp.ID, func(line []byte) error {
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		log.Error("stream error file", "import", imp.ID, "err", err)
		return // headers are gone; the client sees a truncated body
	}
	bw.Flush()
}

func noErrorFileWhy(imp store.Import) string {
	if !imp.Status.Ended() {
		return "it has not read its data file yet"
	}
	return "its data file could not be read (see its error)"
}

// ErrorFileName is the error file's name: <data file base name>.errors.csv.
func ErrorFileName(imp store.Import) string {
	return BaseName(imp.FileName) + ".errors.csv"
}
