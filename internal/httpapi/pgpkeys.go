package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"sluice/internal/errs"
	"sluice/internal/store"
)

// PGPKeyJSON is a decryption key as the API shows it: never its private part.
type PGPKeyJSON struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Kind        string    `json:"kind"` // generated or imported
	Fingerprint string    `json:"fingerprint"`
	PublicKey   string    `json:"publicKey"`
	CreatedAt   time.Time `json:"createdAt"`
}

// PGPKeyOf converts a stored key.
func PGPKeyOf(k store.PGPKey) PGPKeyJSON {
	return PGPKeyJSON{ID: k.ID, Name: k.Name, Kind: string(k.Kind), Fingerprint: k.Fingerprint,
		PublicKey: k.PublicKey, CreatedAt: k.CreatedAt.UTC()}
}

func (a *API) listPGPKeys(w http.ResponseWriter, r *http.Request, acct store.Account) {
	ks, err := a.d.PGPKeys.List(r.Context(), acct.ID)
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	out := make([]PGPKeyJSON, len(ks))
	for i, k := range ks {
		out[i] = PGPKeyOf(k)
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

// addPGPKey generates a key ({"name"}) or imports one ({"name",
// "privateKey", "passphrase"}).
func (a *API) addPGPKey(w http.ResponseWriter, r *http.Request, acct store.Account) {
	var in struct {
		Name       string `json:"name"`
		PrivateKey string `json:"privateKey"`
		Passphrase string `json:"passphrase"`
	}
	err := decode(r, &in)
	var k store.PGPKey
	switch {
	case err != nil:
	case in.PrivateKey != "":
		k, err = a.d.PGPKeys.Import(r.Context(), acct.ID, in.Name, in.PrivateKey, in.Passphrase)
	case in.Passphrase != "":
		err = errs.E(errs.Invalid, "a passphrase was given without privateKey: send both to import a key, or only name to generate one")
	default:
		k, err = a.d.PGPKeys.Generate(r.Context(), acct.ID, in.Name)
	}
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusCreated, PGPKeyOf(k))
}

func (a *API) getPGPKey(w http.ResponseWriter, r *http.Request, acct store.Account) {
	k, err := a.d.PGPKeys.Get(r.Context(), acct.ID, r.PathValue("id"))
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	writeJSON(w, http.StatusOK, PGPKeyOf(k))
}

// publicPGPKey downloads the armored public key, for `gpg --import`.
func (a *API) publicPGPKey(w http.ResponseWriter, r *http.Request, acct store.Account) {
	k, err := a.d.PGPKeys.Get(r.Context(), acct.ID, r.PathValue("id"))
	if err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	WritePublicKey(w, k)
}

// WritePublicKey sends k's armored public key as a download; the API and the
// dashboard both serve it through here.
func WritePublicKey(w http.ResponseWriter, k store.PGPKey) {
	w.Header().Set("Content-Type", "application/pgp-keys")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="sluice-%s.asc"`, k.Fingerprint[max(0, len(k.Fingerprint)-16):]))
	w.Write([]byte(k.PublicKey))
}

func (a *API) deletePGPKey(w http.ResponseWriter, r *http.Request, acct store.Account) {
	if err := a.d.PGPKeys.Delete(r.Context(), acct.ID, r.PathValue("id")); err != nil {
		writeError(w, r, err, a.d.Logger)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
