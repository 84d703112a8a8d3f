package apptest

import (
	"fmt"
	"net/http"
	"time"

	"sluice/internal/httpapi"
)

// Import reads one import through the API.
func (a *Account) Import(id int64) httpapi.ImportJSON {
	a.env.T.Helper()
	var imp httpapi.ImportJSON
	if code := a.API("GET", fmt.Sprintf("/api/v1/imports/%d", id), nil, &imp); code != http.StatusOK {
		a.env.T.Fatalf("GET import %d: status %d", id, code)
	}
	return imp
}

// Imports lists the account's imports, newest first.
func (a *Account) Imports() []httpapi.ImportJSON {
	a.env.T.Helper()
	var out struct {
		Imports []httpapi.ImportJSON `json:"imports"`
	}
	a.API("GET", "/api/v1/imports?limit=1000", nil, &out)
	return out.Imports
}

// ImportByManifest waits for the import of a manifest to reach an ended
// status and returns it.
func (a *Account) ImportByManifest(manifest string, within time.Duration) httpapi.ImportJSON {
	a.env.T.Helper()
	var found httpapi.ImportJSON
	Eventually(a.env.T, within, "import of "+manifest+" to end", func() bool {
		for _, imp := range a.Imports() {
			if imp.ManifestName == manifest && imp.Status.Ended() {
				found = imp
				return true
			}
		}
		return false
	})
	return found
}

// ErrorFile downloads an import's error file.
func (a *Account) ErrorFile(id int64) string {
	a.env.T.Helper()
	var raw []byte
	if code := a.API("GET", fmt.Sprintf("/api/v1/imports/%d/errors.csv", id), nil, &raw); code != http.StatusOK {
		a.env.T.Fatalf("GET errors.csv of %d: status %d: %s", id, code, raw)
	}
	return string(raw)
}
