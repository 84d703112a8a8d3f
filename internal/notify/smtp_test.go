package notify_test

import (
	"crypto/tls"
	"strings"
	"testing"

	"sluice/internal/notify/notifytest"
	"sluice/internal/store"
	"sluice/internal/store/sqlite"
)

// mailDelivery waits until the import's one mail delivery made at least one
// attempt, and returns it.
func mailDelivery(t *testing.T, st *sqlite.DB, importID int64) store.Delivery {
	t.Helper()
	var d store.Delivery
	notifytest.WaitFor(t, func() bool {
		ds, err := st.ImportDeliveries(t.Context(), acct, importID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range ds {
			if x.Channel == store.ChannelEmail {
				d = x
			}
		}
		return d.Attempts > 0
	}, "an attempt to mail import %d", importID)
	return d
}

// TestSMTPTransport runs the --smtp-url forms against a real SMTP server:
// STARTTLS policies, implicit TLS, authentication, and refusals.
func TestSMTPTransport(t *testing.T) {
	serverTLS, clientTLS := notifytest.TestTLS(t)
	cases := []struct {
		name      string
		sink      notifytest.Options
		url       string // %s is the server's address
		to        string
		delivered bool
		tls       bool   // the mail travelled encrypted
		errHas    string // the attempt's error, when not delivered
		status    store.DeliveryStatus
	}{
		{name: "STARTTLS required, with login", sink: notifytest.Options{TLS: serverTLS, User: "sluice", Pass: "p@ss"},
			url: "smtp://sluice:p%40ss@%s?starttls=required", delivered: true, tls: true},
		{name: "smtps: TLS from the start, with login", sink: notifytest.Options{TLS: serverTLS, ImplicitTLS: true, User: "sluice", Pass: "pw"},
			url: "smtps://sluice:pw@%s", delivered: true, tls: true},
		{name: "opportunistic (default) upgrades when offered", sink: notifytest.Options{TLS: serverTLS},
			url: "smtp://%s", delivered: true, tls: true},
		{name: "opportunistic sends in clear when not offered", sink: notifytest.Options{User: "u", Pass: "pw"},
			url: "smtp://u:pw@%s", delivered: true, tls: false},
		{name: "starttls=none stays in clear", sink: notifytest.Options{TLS: serverTLS},
			url: "smtp://%s?starttls=none", delivered: true, tls: false},
		{name: "STARTTLS required but not offered", sink: notifytest.Options{},
			url: "smtp://%s?starttls=required", errHas: "STARTTLS", status: store.DeliveryPending},
		{name: "wrong password is retried", sink: notifytest.Options{User: "u", Pass: "right"},
			url: "smtp://u:wrong@%s", errHas: "535", status: store.DeliveryPending},
		{name: "a refused recipient is final", sink: notifytest.Options{Refuse: "gone@example.com"},
			url: "smtp://%s", to: "gone@example.com", errHas: "550", status: store.DeliveryFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := newStore(t)
			sink := notifytest.StartSMTP(t, c.sink)
			cfg := fastConfig(t, strings.Replace(c.url, "%s", sink.Addr, 1))
			startNotifier(t, cfg, st, &tls.Config{RootCAs: clientTLS.RootCAs})
			to := c.to
			if to == "" {
				to = "ops@example.com"
			}
			imp := invalidManifest(t, st, "x.manifest", to, "Incorrect details in manifest file: type is missing")
			d := mailDelivery(t, st, imp.ID)
			if !c.delivered {
				if d.Status != c.status || !strings.Contains(d.LastError, c.errHas) || len(sink.Received()) != 0 {
					t.Fatalf("delivery %s after %d attempts, error %q; want %s with %q and no mail", d.Status, d.Attempts, d.LastError, c.status, c.errHas)
				}
				return
			}
			m := sink.WaitMails(t, 1)[0]
			if d.Status != store.DeliveryDelivered || m.TLS != c.tls || (c.sink.User != "" && m.Auth != c.sink.User) || m.To[0] != to {
				t.Fatalf("delivery %s (%q); mail TLS=%v auth=%q to=%v; want TLS=%v", d.Status, d.LastError, m.TLS, m.Auth, m.To, c.tls)
			}
		})
	}
}
