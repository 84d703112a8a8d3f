package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store"
)

// importsPerPage is one page of the activity log.
const importsPerPage = 25

// importView is an import with what the templates derive from it.
type importView struct {
	store.Import
	Running   bool // not ended: the page keeps polling it
	Percent   int  // of the data file read
	ErrorFile bool // there are refused rows to download
}

func viewOf(imp store.Import) importView {
	return importView{Import: imp, Running: !imp.Status.Ended(), Percent: percent(imp.BytesRead, imp.SizeBytes),
		ErrorFile: imp.RowsFailed > 0 && httpapi.HasErrorFile(imp) == nil}
}

type importPageData struct {
	importView
	Preview *refusedPreview
}

type importsData struct {
	Imports  []importView
	Status   store.Status // the filter; empty: all
	Statuses []store.Status
	Before   int64 // this page starts below this id; 0 on the first page
	Older    string
	Newest   int64 // the newest id shown on the first page, for the "new imports" notice
	Connect  connectData
}

func (d *Dashboard) importsPage(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	data := importsData{Status: store.Status(q.Get("status")), Statuses: []store.Status{store.StatusWaiting,
		store.StatusQueued, store.StatusProcessing, store.StatusSucceeded, store.StatusPartial, store.StatusFailed}}
	if data.Status != "" && !data.Status.Valid() {
		data.Status = ""
	}
	data.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	imps, err := d.d.Store.ListImports(r.Context(), c.account().ID, store.ImportFilter{Status: data.Status,
		Page: store.Page{Limit: importsPerPage + 1, Before: max(data.Before, 0)}})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if len(imps) > importsPerPage { // one more than shown: there is an older page
		imps = imps[:importsPerPage]
		older := url.Values{"before": {strconv.FormatInt(imps[len(imps)-1].ID, 10)}}
		if data.Status != "" {
			older.Set("status", string(data.Status))
		}
		data.Older = "/imports?" + older.Encode()
	}
	for _, imp := range imps {
		data.Imports = append(data.Imports, viewOf(imp))
	}
	if data.Before == 0 && len(imps) > 0 {
		data.Newest = imps[0].ID
	}
	data.Connect = d.connect(c.account())
	d.show(w, r, c, http.StatusOK, "imports", "imports", "Activity log", data)
}

func (d *Dashboard) importOf(r *http.Request, c *call) (store.Import, error) {
	return byID(r, c, r.PathValue("id"), d.d.Store.Import, "This account has no import %q.")
}

// byID reads the account's object whose id is raw, as written in a path or
// query. One message (notFound, given raw) whether the id is malformed,
// unknown, or another account's.
func byID[T any](r *http.Request, c *call, raw string, get func(context.Context, string, int64) (T, error), notFound string) (T, error) {
	id, err := strconv.ParseInt(raw, 10, 64)
	if err == nil {
		var v T
		v, err = get(r.Context(), c.account().ID, id)
		if err == nil || !errs.Is(err, errs.NotFound) {
			return v, err
		}
	}
	var zero T
	return zero, errs.E(errs.NotFound, notFound, raw)
}

func (d *Dashboard) importPage(w http.ResponseWriter, r *http.Request, c *call) {
	imp, err := d.importOf(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Import not found")
		return
	}
	pv, err := d.preview(r.Context(), imp)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, c, http.StatusOK, "import", "imports", "Import "+strconv.FormatInt(imp.ID, 10)+": "+imp.FileName,
		importPageData{importView: viewOf(imp), Preview: pv})
}

// importErrors serves the error file with the API's own writer, so the
// download is byte for byte GET /api/v1/imports/{id}/errors.csv.
func (d *Dashboard) importErrors(w http.ResponseWriter, r *http.Request, c *call) {
	imp, err := d.importOf(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Import not found")
		return
	}
	if err := httpapi.HasErrorFile(imp); err != nil {
		d.storeError(w, r, c, err, "No error file")
		return
	}
	httpapi.WriteErrorFile(w, r, d.d.Store, imp, d.d.Logger)
}

// progressJSON is what the activity log's script needs to update a row in
// place; the texts are formatted here, in the account's time zone.
type progressJSON struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	Running      bool   `json:"running"`
	Percent      int    `json:"percent"`
	BytesRead    string `json:"bytesRead"`
	RowsRead     string `json:"rowsRead"`
	RowsImported string `json:"rowsImported"`
	RowsFailed   string `json:"rowsFailed"`
	StartedAt    string `json:"startedAt"`
	FinishedAt   string `json:"finishedAt"`
	Error        string `json:"error"`
	ErrorFile    bool   `json:"errorFile"`
}

// importsProgress answers the activity log's poll: ?id=… for each running
// import shown, and ?newest=N to learn how many imports arrived since.
func (d *Dashboard) importsProgress(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	out := struct {
		Imports []progressJSON `json:"imports"`
		Newer   int            `json:"newer"`
	}{Imports: []progressJSON{}}
	for _, v := range q["id"][:min(len(q["id"]), importsPerPage)] {
		id, _ := strconv.ParseInt(v, 10, 64)
		imp, err := d.d.Store.Import(r.Context(), c.account().ID, id)
		if errs.Is(err, errs.NotFound) {
			continue
		}
		if err != nil {
			d.jsonError(w, r, err)
			return
		}
		out.Imports = append(out.Imports, c.progressOf(imp))
	}
	if newest, err := strconv.ParseInt(q.Get("newest"), 10, 64); err == nil {
		n, err := d.newerThan(r, c, newest, store.Status(q.Get("status")))
		if err != nil {
			d.jsonError(w, r, err)
			return
		}
		out.Newer = n
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

func (c *call) progressOf(imp store.Import) progressJSON {
	v := viewOf(imp)
	return progressJSON{ID: imp.ID, Status: string(imp.Status), Running: v.Running, Percent: v.Percent,
		BytesRead: formatBytes(imp.BytesRead), RowsRead: formatInt(imp.RowsRead), RowsImported: formatInt(imp.RowsImported),
		RowsFailed: formatInt(imp.RowsFailed), StartedAt: c.fmt.When(imp.StartedAt).Text,
		FinishedAt: c.fmt.When(imp.FinishedAt).Text, Error: imp.Error, ErrorFile: v.ErrorFile}
}

// newerThan counts the account's imports (of a status, if given) above id.
func (d *Dashboard) newerThan(r *http.Request, c *call, id int64, status store.Status) (int, error) {
	if !status.Valid() {
		status = ""
	}
	imps, err := d.d.Store.ListImports(r.Context(), c.account().ID, store.ImportFilter{Status: status,
		Page: store.Page{Limit: 100}})
	n := 0
	for _, imp := range imps {
		if imp.ID > id {
			n++
		}
	}
	return n, err
}

func (d *Dashboard) jsonError(w http.ResponseWriter, r *http.Request, err error) {
	d.d.Logger.Error("dashboard poll failed", "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	json.NewEncoder(w).Encode(map[string]string{"error": errs.MessageOf(err)})
}
