package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"sluice/internal/config"
	"sluice/internal/store"
)

// mailer hands a finished message on: to an SMTP server, or to a folder.
type mailer interface {
	send(ctx context.Context, msg *gomail.Msg, d store.Delivery) outcome
	String() string // for the log: where mail goes
}

func newMailer(cfg config.Config, tlsBase *tls.Config, log *slog.Logger) (mailer, error) {
	if cfg.SMTPURL == "" {
		return newEMLDir(cfg.DataDir, log)
	}
	s, err := parseSMTPURL(cfg.SMTPURL)
	if err != nil {
		return nil, err
	}
	s.timeout, s.tlsBase = cfg.SMTPTimeout, tlsBase
	return s, nil
}

// smtpServer is a parsed --smtp-url.
//
//	smtp://[user:pass@]host[:port][?starttls=opportunistic|required|none]  (port 587)
//	smtps://[user:pass@]host[:port]                                         (port 465, TLS from the start)
//
// starttls: opportunistic (default) upgrades when the server offers
// STARTTLS; required refuses to send without it; none never upgrades.
// Credentials are sent only over TLS, or in clear to a server on localhost.
type smtpServer struct {
	host        string
	port        int
	implicitTLS bool
	policy      gomail.TLSPolicy
	starttls    string // the policy as configured, for the log
	user, pass  string
	timeout     time.Duration
	tlsBase     *tls.Config
}

func parseSMTPURL(raw string) (*smtpServer, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("--smtp-url is not a URL")
	}
	s := &smtpServer{host: u.Hostname(), port: 587, policy: gomail.TLSOpportunistic, starttls: "opportunistic"}
	switch u.Scheme {
	case "smtp":
	case "smtps":
		s.implicitTLS, s.port = true, 465
	default:
		return nil, fmt.Errorf("--smtp-url %s: scheme must be smtp or smtps", u.Redacted())
	}
	if s.host == "" {
		return nil, fmt.Errorf("--smtp-url %s: no host", u.Redacted())
	}
	if p := u.Port(); p != "" {
		if s.port, err = strconv.Atoi(p); err != nil || s.port < 1 || s.port > 65535 {
			return nil, fmt.Errorf("--smtp-url %s: bad port %q", u.Redacted(), p)
		}
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	return s, s.setPolicy(u)
}

func (s *smtpServer) setPolicy(u *url.URL) error {
	mode := u.Query().Get("starttls")
	if mode != "" && s.implicitTLS {
		return fmt.Errorf("--smtp-url %s: starttls applies to smtp:// only; smtps:// is TLS from the start", u.Redacted())
	}
	switch mode {
	case "", "opportunistic":
	case "required":
		s.policy, s.starttls = gomail.TLSMandatory, mode
	case "none":
		s.policy, s.starttls = gomail.NoTLS, mode
	default:
		return fmt.Errorf("--smtp-url %s: starttls=%q must be opportunistic, required or none", u.Redacted(), mode)
	}
	return nil
}

func (s *smtpServer) String() string {
	if s.implicitTLS {
		return fmt.Sprintf("smtps://%s:%d", s.host, s.port)
	}
	return fmt.Sprintf("smtp://%s:%d (starttls %s)", s.host, s.port, s.starttls)
}

// options are go-mail's client settings for this server.
func (s *smtpServer) options() []gomail.Option {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if s.tlsBase != nil {
		tc = s.tlsBase.Clone()
	}
	tc.ServerName = s.host
	opts := []gomail.Option{gomail.WithPort(s.port), gomail.WithTimeout(s.timeout), gomail.WithTLSConfig(tc),
		gomail.WithTLSPolicy(s.policy)}
	if s.implicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if s.user != "" {
		// The strongest mechanism the server offers; go-mail refuses PLAIN and
		// LOGIN over an unencrypted connection unless the server is localhost.
		opts = append(opts, gomail.WithUsername(s.user), gomail.WithPassword(s.pass),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
	}
	return opts
}

// send delivers one message over a fresh connection. 5xx replies to the
// message (e.g. the recipient refused) are final; everything else, from a
// refused connection to a 4xx, is retried.
func (s *smtpServer) send(ctx context.Context, msg *gomail.Msg, _ store.Delivery) outcome {
	c, err := gomail.NewClient(s.host, s.options()...)
	if err != nil {
		return outcome{Err: fmt.Errorf("SMTP client: %w", err), Permanent: true}
	}
	err = c.DialAndSendWithContext(ctx, msg)
	if err == nil {
		return outcome{Code: 250}
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		return outcome{Code: code, Err: fmt.Errorf("SMTP %s:%d: %w", s.host, s.port, err), Permanent: code >= 500 && !se.IsTemp()}
	}
	return outcome{Err: fmt.Errorf("SMTP %s:%d: %w", s.host, s.port, err)}
}
