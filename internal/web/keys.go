package web

import (
	"net/http"
	"strconv"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/keys"
	"sluice/internal/store"
)

// keyForm is the add-key form as the user left it, with the key service's
// message next to the field it is about.
type keyForm struct {
	Name, PublicKey string
	NameError       string
	KeyError        string
	FormError       string // about the request as a whole (e.g. the key limit)
}

type keysData struct {
	Keys    []store.ImportKey
	Form    keyForm
	Connect connectData
}

// connectData is the connection instructions shared by the keys and server pages.
type connectData struct {
	Info    httpapi.ServerInfo
	Account string
	Command string
}

func (d *Dashboard) connect(acct store.Account) connectData {
	info := d.d.Server()
	return connectData{Info: info, Account: acct.ID, Command: httpapi.ConnectCommand(info, acct.ID)}
}

func (d *Dashboard) keysPage(w http.ResponseWriter, r *http.Request, c *call) {
	d.showKeys(w, r, c, http.StatusOK, keyForm{})
}

func (d *Dashboard) showKeys(w http.ResponseWriter, r *http.Request, c *call, status int, form keyForm) {
	ks, err := d.d.Keys.List(r.Context(), c.account().ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, c, status, "keys", "keys", "Saved keys", keysData{Keys: ks, Form: form, Connect: d.connect(c.account())})
}

// addKey adds a key through keys.Service, the same rules and messages as
// POST /api/v1/keys. On error the page comes back with what was typed.
func (d *Dashboard) addKey(w http.ResponseWriter, r *http.Request, c *call) {
	form := keyForm{Name: r.PostForm.Get("name"), PublicKey: r.PostForm.Get("publicKey")}
	k, err := d.d.Keys.Add(r.Context(), c.account().ID, form.Name, form.PublicKey)
	if err != nil && errs.CodeOf(err) == errs.Internal {
		d.fail(w, r, err)
		return
	}
	if err != nil {
		switch keys.FieldOf(err) {
		case keys.FieldName:
			form.NameError = errs.MessageOf(err)
		case keys.FieldPublicKey:
			form.KeyError = errs.MessageOf(err)
		default:
			form.FormError = errs.MessageOf(err)
		}
		d.showKeys(w, r, c, httpapi.StatusOf(err), form)
		return
	}
	d.redirect(w, r, c, "/keys", notice{Text: "Key “" + k.Name + "” added (" + k.Fingerprint + "). It works for SFTP logins right away."})
}

// keyOf finds one of the account's keys for the confirmation page.
func (d *Dashboard) keyOf(r *http.Request, c *call) (store.ImportKey, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.ImportKey{}, errs.E(errs.NotFound, "no such key")
	}
	ks, err := d.d.Keys.List(r.Context(), c.account().ID)
	if err != nil {
		return store.ImportKey{}, err
	}
	for _, k := range ks {
		if k.ID == id {
			return k, nil
		}
	}
	return store.ImportKey{}, errs.E(errs.NotFound, "This account has no key %d. It may have been deleted already.", id)
}

func (d *Dashboard) confirmDeleteKey(w http.ResponseWriter, r *http.Request, c *call) {
	k, err := d.keyOf(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Key not found")
		return
	}
	d.show(w, r, c, http.StatusOK, "key_delete", "keys", "Delete key "+k.Name, k)
}

func (d *Dashboard) deleteKey(w http.ResponseWriter, r *http.Request, c *call) {
	k, err := d.keyOf(r, c)
	if err == nil {
		err = d.d.Keys.Delete(r.Context(), c.account().ID, k.ID)
	}
	if err != nil {
		d.storeError(w, r, c, err, "Key not found")
		return
	}
	d.redirect(w, r, c, "/keys", notice{Text: "Key “" + k.Name + "” deleted. SFTP sessions that used it have been closed."})
}

// storeError shows a user-facing error (not found, invalid) as a page, and
// anything else as a logged 500.
func (d *Dashboard) storeError(w http.ResponseWriter, r *http.Request, c *call, err error, title string) {
	if errs.CodeOf(err) == errs.Internal {
		d.fail(w, r, err)
		return
	}
	d.errorPage(w, r, c.s, httpapi.StatusOf(err), title, errs.MessageOf(err))
}

func (d *Dashboard) serverPage(w http.ResponseWriter, r *http.Request, c *call) {
	d.show(w, r, c, http.StatusOK, "server", "server", "Server", d.connect(c.account()))
}
