package web_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/chromedp/chromedp"

	"sluice/internal/apptest"
	"sluice/internal/httpapi"
)

// receiver is a webhook endpoint on the loopback that keeps what it gets.
type receiver struct {
	srv  *httptest.Server
	mu   sync.Mutex
	got  []posted
	path string
}

type posted struct {
	body      []byte
	signature string
}

func newReceiver() *receiver {
	rc := &receiver{path: "/hooks/sluice"}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, posted{body: b, signature: r.Header.Get("X-Sluice-Signature")})
		rc.mu.Unlock()
	}))
	return rc
}

func (rc *receiver) url() string { return rc.srv.URL + rc.path }

func (rc *receiver) posts() []posted {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]posted(nil), rc.got...)
}

// addWebhook adds a webhook through the form: first a URL the API refuses,
// whose message must be the API's, then the test's receiver, which becomes
// the one for import notifications as the account's first.
func (d *dash) addWebhook() {
	t := d.t
	d.hooks = newReceiver()
	t.Cleanup(d.hooks.srv.Close)
	const bad = "ftp://files.example.com/in"
	var api struct{ Error string }
	if code := d.beta.API("POST", "/api/v1/webhooks", map[string]string{"url": bad}, &api); code != http.StatusBadRequest {
		t.Fatalf("API add bad webhook: %d", code)
	}
	d.go_("/notifications", "#hook-url")
	run(t, d.tab, "add bad webhook", chromedp.SendKeys("#hook-url", bad), chromedp.Click(hasText("button", "Add webhook")),
		chromedp.WaitVisible("#hook-url-error"))
	if got := d.text("#hook-url-error"); got != api.Error {
		t.Fatalf("form error %q, API error %q", got, api.Error)
	}
	if kept := get(t, d.tab, "kept URL", chromedp.Value("#hook-url")); kept != bad {
		t.Fatalf("the form lost the URL: %q", kept)
	}
	run(t, d.tab, "add webhook", chromedp.SetValue("#hook-url", d.hooks.url()), chromedp.Click(hasText("button", "Add webhook")),
		chromedp.WaitVisible(".flash .secret"))
	d.secret = d.text(".flash .secret")
	if !strings.HasPrefix(d.secret, "whsec_") {
		t.Fatalf("secret shown: %q", d.secret)
	}
	if !get(t, d.tab, "chosen", chromedp.Evaluate[bool](`document.querySelector("input[name=webhookId]:checked").value !== "0"`)) {
		t.Fatal("the first webhook is not chosen for import notifications")
	}
	d.shots.take(t, d.tab, "15-notifications-added")
}

// deliveries waits for the partial import's notification to show as
// delivered on the page, checks the receiver got it signed with the secret
// the page showed, then chooses and deletes a second webhook.
func (d *dash) deliveries() {
	t := d.t
	imp := d.acme.ImportByManifest("events-bad.manifest", time.Second)
	hookID := d.webhookID(d.hooks.url())
	apptest.Eventually(t, 15*time.Second, "the partial import's notification to be delivered", func() bool {
		var out struct{ Deliveries []httpapi.DeliveryJSON }
		d.acme.API("GET", fmt.Sprintf("/api/v1/webhooks/%d/deliveries", hookID), nil, &out)
		for _, dl := range out.Deliveries {
			if dl.ImportID == imp.ID && dl.Event == "import.partial" && dl.Status == "delivered" {
				return true
			}
		}
		return false
	})
	d.go_("/notifications", fmt.Sprintf("//tr[.//a[normalize-space()='#%d'] and .//code[normalize-space()='import.partial']]"+
		"//span[contains(@class,'badge-delivered')]", imp.ID))
	d.shots.take(t, d.tab, "16-notifications-deliveries")
	d.shots.phone(t, d.tab, "16-notifications-phone")
	signed := false
	for _, p := range d.hooks.posts() {
		mac := hmac.New(sha256.New, []byte(d.secret))
		mac.Write(p.body)
		signed = signed || p.signature == "sha256="+hex.EncodeToString(mac.Sum(nil))
	}
	if !signed {
		t.Fatalf("no POST to the receiver is signed with the secret the page showed (%d posts)", len(d.hooks.posts()))
	}

	second := newReceiver()
	defer second.srv.Close()
	run(t, d.tab, "add a second webhook", chromedp.SetValue("#hook-url", second.url()),
		chromedp.Click(hasText("button", "Add webhook")), chromedp.WaitVisible(".flash .secret"))
	label := "//label[.//span[normalize-space()='" + second.url() + "']]"
	run(t, d.tab, "choose it", chromedp.Click(label), chromedp.Click(hasText("button", "Save choice")),
		chromedp.WaitVisible(hasText("p", "Import notifications now go to")))
	var chosen struct{ WebhookID *int64 }
	d.acme.API("GET", "/api/v1/notifications", nil, &chosen)
	if chosen.WebhookID == nil || *chosen.WebhookID != d.webhookID(second.url()) {
		t.Fatalf("after choosing the second webhook, the API says %v", chosen.WebhookID)
	}
	run(t, d.tab, "delete it", chromedp.Click(label+"/following-sibling::a[contains(.,'Delete')]"),
		chromedp.WaitVisible(hasText("h1", "Delete this webhook")))
	d.shots.take(t, d.tab, "17-webhook-delete-confirm")
	run(t, d.tab, "confirm", chromedp.Click("button.danger"), chromedp.WaitVisible(hasText("p", "deleted, with its delivery log")))
	if d.webhookID(second.url()) != 0 || d.webhookID(d.hooks.url()) == 0 {
		t.Fatal("the wrong webhook was deleted")
	}
}

func (d *dash) webhookID(url string) int64 {
	var list struct{ Webhooks []httpapi.WebhookJSON }
	d.acme.API("GET", "/api/v1/webhooks", nil, &list)
	for _, h := range list.Webhooks {
		if h.URL == url {
			return h.ID
		}
	}
	return 0
}
