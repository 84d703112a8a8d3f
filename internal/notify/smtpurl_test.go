package notify

import (
	"strings"
	"testing"

	gomail "github.com/wneessen/go-mail"
)

func TestParseSMTPURL(t *testing.T) {
	cases := []struct {
		name     string
		url      string
		want     smtpServer
		errHas   string
		redacted bool // the error must not show the password
	}{
		{name: "smtp defaults to 587 and opportunistic STARTTLS", url: "smtp://mail.example.com",
			want: smtpServer{host: "mail.example.com", port: 587, policy: gomail.TLSOpportunistic, starttls: "opportunistic"}},
		{name: "smtps defaults to 465", url: "smtps://mail.example.com",
			want: smtpServer{host: "mail.example.com", port: 465, implicitTLS: true, policy: gomail.TLSOpportunistic, starttls: "opportunistic"}},
		{name: "user, escaped password and port", url: "smtp://me%40x.com:p%3Ass@mail.example.com:2525?starttls=required",
			want: smtpServer{host: "mail.example.com", port: 2525, user: "me@x.com", pass: "p:ss", policy: gomail.TLSMandatory, starttls: "required"}},
		{name: "starttls=none", url: "smtp://localhost:25?starttls=none",
			want: smtpServer{host: "localhost", port: 25, policy: gomail.NoTLS, starttls: "none"}},
		{name: "unknown starttls value", url: "smtp://u:hunter2@h?starttls=maybe", errHas: "must be opportunistic, required or none", redacted: true},
		{name: "starttls with smtps", url: "smtps://h?starttls=required", errHas: "smtp:// only"},
		{name: "other scheme", url: "http://u:hunter2@h", errHas: "scheme", redacted: true},
		{name: "no host", url: "smtp://", errHas: "no host"},
		{name: "bad port", url: "smtp://h:99999", errHas: "bad port"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseSMTPURL(c.url)
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("error %v, want one saying %q", err, c.errHas)
				}
				if c.redacted && strings.Contains(err.Error(), "hunter2") {
					t.Fatalf("error shows the password: %v", err)
				}
				return
			}
			if err != nil || *got != c.want {
				t.Fatalf("got %+v %v, want %+v", got, err, c.want)
			}
		})
	}
}
