package httpapi

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// Cursors are opaque to clients: the last id seen, base64-encoded, so that
// their form can change without breaking anyone who treats them as opaque.
func cursor(lastID int64) *string {
	s := base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(lastID, 10)))
	return &s
}

func parseCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		if v, ok := strings.CutPrefix(string(b), "id:"); ok {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
				return id, nil
			}
		}
	}
	return 0, errs.E(errs.Invalid, "cursor %q is not one this API gave out; pass the \"next\" value of the previous page", c)
}

func pageOf(r *http.Request) (store.Page, error) {
	var p store.Page
	q := r.URL.Query()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxLimit {
			return p, errs.E(errs.Invalid, "limit %q must be a whole number from 1 to %d", v, store.MaxLimit)
		}
		p.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		id, err := parseCursor(v)
		if err != nil {
			return p, err
		}
		p.Before = id
	}
	return p, nil
}

// onlyParams refuses a request with a query parameter the route does not
// take, naming the ones it does: a misspelt filter (?identifier= for
// ?identity=) would otherwise answer with everything, unfiltered.
func onlyParams(rt Route, h func(http.ResponseWriter, *http.Request, store.Account)) func(http.ResponseWriter, *http.Request, store.Account) {
	return func(w http.ResponseWriter, r *http.Request, acct store.Account) {
		for name := range r.URL.Query() {
			if slices.Contains(rt.Params, name) {
				continue
			}
			accepted := "it takes none"
			if len(rt.Params) > 0 {
				accepted = "accepted: " + strings.Join(rt.Params, ", ")
			}
			writeError(w, r, errs.E(errs.Invalid, "unknown query parameter %q for %s; %s", name, rt.Pattern, accepted), nil)
			return
		}
		h(w, r, acct)
	}
}

// BaseName strips the data-file extensions: events.csv.gz.gpg → events.
func BaseName(name string) string {
	for _, ext := range []string{".asc", ".gpg", ".pgp", ".gz", ".csv"} {
		name = strings.TrimSuffix(name, ext)
	}
	return name
}
