package web

import (
	"net/http"
	"strconv"

	"sluice/internal/errs"
	"sluice/internal/httpapi"
	"sluice/internal/store"
	"sluice/internal/webhooks"
)

// recentDeliveries is how many of a webhook's deliveries the page lists.
const recentDeliveries = 20

// webhookForm is the add-webhook form as the user left it, with the
// webhook service's message next to the field it is about.
type webhookForm struct {
	URL, Secret string
	URLError    string
	SecretError string
	FormError   string
}

type deliveryView struct {
	store.Delivery
	Last *store.DeliveryAttempt // the latest attempt, if any
}

type notificationsData struct {
	Hooks      []store.Webhook
	Chosen     int64
	Form       webhookForm
	Shown      *store.Webhook // the webhook whose deliveries are listed
	Deliveries []deliveryView
}

func (d *Dashboard) notificationsPage(w http.ResponseWriter, r *http.Request, c *call) {
	d.showNotifications(w, r, c, http.StatusOK, webhookForm{})
}

func (d *Dashboard) showNotifications(w http.ResponseWriter, r *http.Request, c *call, status int, form webhookForm) {
	hooks, chosen, err := d.d.Webhooks.List(r.Context(), c.account().ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	data := notificationsData{Hooks: hooks, Chosen: chosen, Form: form}
	data.Shown = shownWebhook(hooks, chosen, r.URL.Query().Get("webhook"))
	if data.Shown != nil {
		ds, err := d.d.Webhooks.Deliveries(r.Context(), c.account().ID, data.Shown.ID, store.Page{Limit: recentDeliveries})
		if err != nil {
			d.fail(w, r, err)
			return
		}
		for _, dl := range ds {
			v := deliveryView{Delivery: dl}
			if n := len(dl.AttemptLog); n > 0 {
				v.Last = &dl.AttemptLog[n-1]
			}
			data.Deliveries = append(data.Deliveries, v)
		}
	}
	d.show(w, r, c, status, "notifications", "notifications", "Notifications", data)
}

// shownWebhook is the one asked for, else the chosen one, else the first.
func shownWebhook(hooks []store.Webhook, chosen int64, asked string) *store.Webhook {
	want, _ := strconv.ParseInt(asked, 10, 64)
	if want == 0 {
		want = chosen
	}
	for i := range hooks {
		if hooks[i].ID == want {
			return &hooks[i]
		}
	}
	if len(hooks) > 0 {
		return &hooks[0]
	}
	return nil
}

// addWebhook adds a webhook through webhooks.Service, the same rules and
// messages as POST /api/v1/webhooks. The secret is shown once, on the next page.
func (d *Dashboard) addWebhook(w http.ResponseWriter, r *http.Request, c *call) {
	form := webhookForm{URL: r.PostForm.Get("url"), Secret: r.PostForm.Get("secret")}
	hook, chosen, err := d.d.Webhooks.Add(r.Context(), c.account().ID, form.URL, form.Secret)
	if err != nil && errs.CodeOf(err) == errs.Internal {
		d.fail(w, r, err)
		return
	}
	if err != nil {
		switch webhooks.FieldOf(err) {
		case webhooks.FieldURL:
			form.URLError = errs.MessageOf(err)
		case webhooks.FieldSecret:
			form.SecretError = errs.MessageOf(err)
		default:
			form.FormError = errs.MessageOf(err)
		}
		form.Secret = "" // never echo a secret back into the page
		d.showNotifications(w, r, c, httpapi.StatusOf(err), form)
		return
	}
	msg := "Webhook added: " + hook.URL + "."
	if chosen {
		msg += " It receives import notifications, as the account's first webhook."
	}
	msg += " Its signing secret is below and is shown only this once; sluice signs every body with it (header X-Sluice-Signature)."
	d.redirect(w, r, c, "/notifications?webhook="+strconv.FormatInt(hook.ID, 10), notice{Text: msg, Code: hook.Secret})
}

// chooseWebhook sets the webhook for import notifications; "0" is none.
func (d *Dashboard) chooseWebhook(w http.ResponseWriter, r *http.Request, c *call) {
	id, err := strconv.ParseInt(r.PostForm.Get("webhookId"), 10, 64)
	if err != nil {
		id = -1
	}
	if err := d.d.Webhooks.Choose(r.Context(), c.account().ID, id); err != nil {
		d.storeError(w, r, c, err, "Webhook not found")
		return
	}
	msg := "No webhook receives import notifications now."
	if id > 0 {
		msg = "Import notifications now go to the chosen webhook."
	}
	d.redirect(w, r, c, "/notifications", notice{Text: msg})
}

func (d *Dashboard) webhookOf(r *http.Request, c *call) (store.Webhook, error) {
	return byID(r, c, r.PathValue("id"), d.d.Webhooks.Webhook, "This account has no webhook %q. It may have been deleted already.")
}

func (d *Dashboard) confirmDeleteWebhook(w http.ResponseWriter, r *http.Request, c *call) {
	h, err := d.webhookOf(r, c)
	if err != nil {
		d.storeError(w, r, c, err, "Webhook not found")
		return
	}
	chosen, err := d.d.Webhooks.Chosen(r.Context(), c.account().ID)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	d.show(w, r, c, http.StatusOK, "webhook_delete", "notifications", "Delete webhook",
		struct {
			store.Webhook
			Chosen bool
		}{h, h.ID == chosen})
}

func (d *Dashboard) deleteWebhook(w http.ResponseWriter, r *http.Request, c *call) {
	h, err := d.webhookOf(r, c)
	if err == nil {
		err = d.d.Webhooks.Delete(r.Context(), c.account().ID, h.ID)
	}
	if err != nil {
		d.storeError(w, r, c, err, "Webhook not found")
		return
	}
	d.redirect(w, r, c, "/notifications", notice{Text: "Webhook " + h.URL + " deleted, with its delivery log."})
}
