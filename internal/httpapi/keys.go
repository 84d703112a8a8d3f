package httpapi

import (
	"net/http"
	"time"

	"sluice/internal/store"
)

// KeyJSON is an import key as the API shows it.
type KeyJSON struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	Fingerprint string     `json:"fingerprint"`
	PublicKey   string     `json:"publicKey"`
	CreatedAt   time.Time  `json:"createdAt"`
	LastUsedAt  *time.Time `json:"lastUsedAt"`
}

// KeyOf converts a stored key.
func KeyOf(k store.ImportKey) KeyJSON {
	return KeyJSON{ID: k.ID, Name: k.Name, Fingerprint: k.Fingerprint, PublicKey: k.PublicKey,
		CreatedAt: k.CreatedAt.UTC(), LastUsedAt: k.LastUsedAt}
}

func (a *API) listKeys(w http.ResponseWriter, r *http.Request, acct store.Account) {
	ks, err := a.d.Keys.List(r.Context(), acct.ID)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out := make([]KeyJSON, len(ks))
	for i, k := range ks {
		out[i] = KeyOf(k)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

func (a *API) addKey(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var in struct {
		Name      string `json:"name"`
		PublicKey string `json:"publicKey"`
	}
	if err := decode(r, &in); err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	k, err := a.d.Keys.Add(r.Context(), acct.ID, in.Name, in.PublicKey)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusCreated, KeyOf(k))
}

func (a *API) deleteKey(w http.ResponseWriter, r *http.Request, acct store.Account) {
	id, err := pathID(r, "id")
	if err == nil {
		err = a.d.Keys.Delete(r.Context(), acct.ID, id)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
