package web

import (
	"net/http"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store"
)

// pgpForm is the generate or import form as the user left it (never the
// private key or passphrase: those are typed again).
type pgpForm struct {
	Which string // "generate" or "import": the form the message is about
	Name  string
	Error string
}

type pgpKeysData struct {
	Keys []store.PGPKey
	Form pgpForm
}

func (d *Dashboard) pgpKeysPage(w http.ResponseWriter, r *http.Request, c *call) {
	d.showPGPKeys(w, r, c, http.StatusOK, pgpForm{})
}

func (d *Dashboard) showPGPKeys(w http.ResponseWriter, r *http.Request, c *call, status int, form pgpForm) {
	ks, err := d.d.PGPKeys.List(r.Context(), c.account().ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, c, status, "pgp_keys", "pgp-keys", "Decryption keys", pgpKeysData{Keys: ks, Form: form})
}

// generatePGPKey and importPGPKey go through cryptpgp.Service, the same
// rules and messages as POST /api/v1/pgp-keys.
func (d *Dashboard) generatePGPKey(w http.ResponseWriter, r *http.Request, c *call) {
	form := pgpForm{Which: "generate", Name: r.PostForm.Get("name")}
	k, err := d.d.PGPKeys.Generate(r.Context(), c.account().ID, form.Name)
	d.pgpKeyAdded(w, r, c, form, k, err, "generated")
}

func (d *Dashboard) importPGPKey(w http.ResponseWriter, r *http.Request, c *call) {
	form := pgpForm{Which: "import", Name: r.PostForm.Get("name")}
	k, err := d.d.PGPKeys.Import(r.Context(), c.account().ID, form.Name, r.PostForm.Get("privateKey"), r.PostForm.Get("passphrase"))
	d.pgpKeyAdded(w, r, c, form, k, err, "imported")
}

func (d *Dashboard) pgpKeyAdded(w http.ResponseWriter, r *http.Request, c *call, form pgpForm, k store.PGPKey, err error, verb string) {
	if err != nil && errs.CodeOf(err) == errs.Internal {
		d.fail(w, r, err)
		return
	}
	if err != nil {
		form.Error = errs.MessageOf(err)
		d.showPGPKeys(w, r, c, httpapi.StatusOf(err), form)
		return
	}
	d.redirect(w, r, c, "/pgp-keys", notice{Text: "Decryption key “" + k.Name + "” " + verb + ". Its keyId for manifests is " + k.ID + "."})
}

func (d *Dashboard) pgpKeyOf(r *http.Request, c *call) (store.PGPKey, error) {
	return d.d.PGPKeys.Get(r.Context(), c.account().ID, r.PathValue("id"))
}

// publicPGPKey downloads the armored public key, for gpg --import.
func (d *Dashboard) publicPGPKey(w http.ResponseWriter, r *http.Request, c *call) {
	k, err := d.pgpKeyOf(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Decryption key not found")
		return
	}
	httpapi.WritePublicKey(w, k)
}

func (d *Dashboard) confirmDeletePGPKey(w http.ResponseWriter, r *http.Request, c *call) {
	k, err := d.pgpKeyOf(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Decryption key not found")
		return
	}
	d.show(w, r, c, http.StatusOK, "pgp_key_delete", "pgp-keys", "Delete decryption key "+k.Name, k)
}

func (d *Dashboard) deletePGPKey(w http.ResponseWriter, r *http.Request, c *call) {
	k, err := d.pgpKeyOf(r, c)
	if err == nil {
		err = d.d.PGPKeys.Delete(r.Context(), c.account().ID, k.ID)
	}
	if err != nil {
		d.storeError(w, r, c, err, "Decryption key not found")
		return
	}
	d.redirect(w, r, c, "/pgp-keys", notice{Text: "Decryption key “" + k.Name + "” deleted. Files encrypted to it can no longer be imported."})
}
