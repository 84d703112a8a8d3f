// Package notifytest has test helpers for notifications: a real SMTP server
// (go-smtp) on 127.0.0.1 that keeps what it receives, a throwaway TLS
// certificate for it, and a MIME parser for the mails. Only tests import it.
package notifytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTPServer is a real SMTP server on 127.0.0.1 that keeps what it receives.
type SMTPServer struct {
	Addr string
	srv  *smtp.Server
	opts Options

	mu    sync.Mutex
	mails []Mail
}

// Options shape the server.
type Options struct {
	Addr        string      // listen address; default 127.0.0.1:0
	User, Pass  string      // when set, mail is refused until AUTH PLAIN with these
	TLS         *tls.Config // offered with STARTTLS, or from the start when ImplicitTLS
	ImplicitTLS bool
	Refuse      string // a recipient answered with 550
}

// Mail is one message the server accepted.
type Mail struct {
	From string
	To   []string
	Data []byte
	TLS  bool   // the message travelled over TLS
	Auth string // the user that logged in, if any
}

// StartSMTP starts a server that stops when the test ends.
func StartSMTP(t testing.TB, o Options) *SMTPServer {
	t.Helper()
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", o.Addr)
	if err != nil {
		t.Fatalf("listen for SMTP: %v", err)
	}
	s := &SMTPServer{Addr: l.Addr().String(), opts: o}
	s.srv = smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &sinkSession{sink: s, conn: c}, nil
	}))
	s.srv.Domain = "sink.test"
	s.srv.AllowInsecureAuth = true // PLAIN to localhost without TLS, as go-mail permits
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	if o.TLS != nil && !o.ImplicitTLS {
		s.srv.TLSConfig = o.TLS
	}
	if o.ImplicitTLS {
		l = tls.NewListener(l, o.TLS)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.srv.Serve(l) }()
	t.Cleanup(func() { s.srv.Close(); <-done })
	return s
}

// Received returns the mails so far.
func (s *SMTPServer) Received() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mails...)
}

// WaitMails polls until at least n mails arrived, or fails after a deadline.
func (s *SMTPServer) WaitMails(t testing.TB, n int) []Mail {
	t.Helper()
	var got []Mail
	WaitFor(t, func() bool { got = s.Received(); return len(got) >= n }, "%d mails at %s", n, s.Addr)
	return got
}

type sinkSession struct {
	sink   *SMTPServer
	conn   *smtp.Conn
	authed string
	cur    Mail
}

func (ss *sinkSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *sinkSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.sink.opts.User || pass != ss.sink.opts.Pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		ss.authed = user
		return nil
	}), nil
}

func (ss *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.sink.opts.User != "" && ss.authed == "" {
		return &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "authentication required"}
	}
	_, isTLS := ss.conn.TLSConnectionState()
	ss.cur = Mail{From: from, TLS: isTLS, Auth: ss.authed}
	return nil
}

func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if to == ss.sink.opts.Refuse {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Data = b
	ss.sink.mu.Lock()
	ss.sink.mails = append(ss.sink.mails, ss.cur)
	ss.sink.mu.Unlock()
	return nil
}

func (ss *sinkSession) Reset()        { ss.cur = Mail{} }
func (ss *sinkSession) Logout() error { return nil }

// TestTLS makes a self-signed certificate for 127.0.0.1: the server's TLS
// config and a client config that trusts it.
func TestTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sink.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}

// WaitFor polls cond until it holds, failing the test after a deadline.
func WaitFor(t testing.TB, cond func() bool, what string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for "+what, args...)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// FreeAddr returns a loopback address nothing listens on (yet).
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatal(err)
	}
	return addr
}
