package sftpd

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

func TestLoginRefused(t *testing.T) {
	e := newEnv(t)
	a, b := e.account(t, "ACME-1"), e.account(t, "OTHER-2")
	stranger, _ := newClientKey(t, e.dir, "stranger")
	tests := []struct {
		name string
		user string
		auth ssh.AuthMethod
	}{
		{"unregistered key", a.id, ssh.PublicKeys(stranger)},
		{"another account's key", a.id, ssh.PublicKeys(b.signer)},
		{"unknown account", "NOBODY-9", ssh.PublicKeys(a.signer)},
		{"password", a.id, ssh.Password("hunter2")},
		{"keyboard-interactive", a.id, ssh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) {
			return []string{"hunter2"}, nil
		})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := e.dial(tc.user, tc.auth)
			if err == nil {
				c.Close()
				t.Fatal("login succeeded")
			}
			if !strings.Contains(err.Error(), "unable to authenticate") {
				t.Errorf("err = %v, want an authentication failure", err)
			}
		})
	}
	if got := e.metric(t, "sluice_sftp_auth_failures_total", ""); got < 3 {
		t.Errorf("auth failures metric = %v, want at least one per refused key", got)
	}
	c, err := e.dial(strings.ToLower(a.id), ssh.PublicKeys(a.signer))
	if err != nil {
		t.Fatalf("login with the right key and the account id in lower case: %v", err)
	}
	c.Close()
}

func TestLoginTouchesKey(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	e.client(t, a)
	keys, err := e.st.ListKeys(context.Background(), a.id)
	if err != nil || len(keys) != 1 || keys[0].LastUsedAt == nil {
		t.Fatalf("keys after login: %+v, %v; want last used set", keys, err)
	}
	if got := e.metric(t, "sluice_sftp_sessions", ""); got != 1 {
		t.Errorf("sessions gauge = %v, want 1", got)
	}
}

func TestOnlySFTPOnSessions(t *testing.T) {
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	_, sc := e.client(t, a)
	tests := []struct {
		name string
		req  func(*ssh.Session) error
	}{
		{"exec", func(s *ssh.Session) error { return s.Run("cat /etc/passwd") }},
		{"shell", func(s *ssh.Session) error {
			if err := s.Shell(); err != nil {
				return err
			}
			return s.Wait() // ends at once with exit status 1
		}},
		{"pty", func(s *ssh.Session) error { return s.RequestPty("xterm", 24, 80, ssh.TerminalModes{}) }},
		{"other subsystem", func(s *ssh.Session) error { return s.RequestSubsystem("netconf") }},
		{"agent forwarding", func(s *ssh.Session) error { return agent.RequestAgentForwarding(s) }},
		{"x11", func(s *ssh.Session) error {
			ok, err := s.SendRequest("x11-req", true, ssh.Marshal(&struct {
				Single        bool
				Proto, Cookie string
				Screen        uint32
			}{false, "MIT-MAGIC-COOKIE-1", "00", 0}))
			if err == nil && !ok {
				return errRefused
			}
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := sc.NewSession()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			var out strings.Builder
			s.Stdout = &out
			if err := tc.req(s); err == nil {
				t.Error("request accepted")
			}
			if out.Len() > 0 {
				t.Errorf("the session printed %q", out.String())
			}
		})
	}
	if _, err := sc.Dial("tcp", "127.0.0.1:22"); err == nil {
		t.Error("direct-tcpip (ssh -L) accepted")
	}
	if _, err := sc.Listen("tcp", "127.0.0.1:0"); err == nil {
		t.Error("tcpip-forward (ssh -R) accepted")
	}
	if _, _, err := sc.OpenChannel("x11", nil); err == nil {
		t.Error("an x11 channel was accepted")
	}
}

var errRefused = &refusal{msg: "refused"}

func TestOpenSSHRefusals(t *testing.T) {
	needOpenSSH(t)
	e := newEnv(t)
	a := e.account(t, "ACME-1")
	tests := []struct {
		name    string
		opts    []string
		command []string
		want    string
	}{
		{"password", []string{"-o", "PreferredAuthentications=password", "-o", "PubkeyAuthentication=no"}, []string{"true"}, "Permission denied"},
		{"exec", nil, []string{"cat", "/etc/passwd"}, "only offers SFTP"},
		{"shell", []string{"-T"}, nil, "only offers SFTP"},
		{"shell with pty", []string{"-tt"}, nil, "PTY allocation request failed"},
		{"local forwarding", []string{"-W", "127.0.0.1:22"}, nil, "stdio forwarding failed"},
		{"remote forwarding", []string{"-N", "-o", "ExitOnForwardFailure=yes", "-R", "0:127.0.0.1:22"}, nil, "remote port forwarding failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := e.sshRun(t, a.id, a.keyFile, tc.opts, tc.command...)
			if err == nil {
				t.Errorf("ssh succeeded:\n%s", out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

func TestBanAfterFailedLogins(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.BanThreshold, c.BanWindow, c.BanDuration = 3, time.Minute, time.Hour })
	a := e.account(t, "ACME-1")
	stranger, _ := newClientKey(t, e.dir, "stranger")
	for i := range 3 {
		if c, err := e.dial(a.id, ssh.PublicKeys(stranger)); err == nil {
			c.Close()
			t.Fatalf("attempt %d with an unknown key logged in", i)
		}
	}
	// The server counts a failure when it is done with the connection,
	// a moment after the client gave up.
	waitFor(t, "127.0.0.1 to be banned", func() bool {
		banned, err := e.srv.bans.Banned(t.Context(), "127.0.0.1", time.Now())
		return err == nil && banned
	})
	if c, err := e.dial(a.id, ssh.PublicKeys(a.signer)); err == nil {
		c.Close()
		t.Fatal("a banned address logged in with a good key")
	}
	// 127.0.0.2 is loopback too, but another address: not banned.
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
	nc, err := d.Dial("tcp", e.srv.Addr().String())
	if err != nil {
		t.Skipf("cannot dial from 127.0.0.2: %v", err)
	}
	conn, _, _, err := ssh.NewClientConn(nc, e.srv.Addr().String(), e.clientConfig(a.id, ssh.PublicKeys(a.signer)))
	if err != nil {
		t.Fatalf("login from another address: %v", err)
	}
	conn.Close()
}

func TestDeletedKeyEndsSessions(t *testing.T) {
	tests := []struct {
		name string
		kick bool // KickKey (in-process delete) instead of the sweep (delete by another process)
	}{
		{"KickKey", true},
		{"sweep", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, func(c *Config) { c.KeyCheckEvery = 50 * time.Millisecond })
			a, b := e.account(t, "ACME-1"), e.account(t, "OTHER-2")
			_, sa := e.client(t, a)
			_, sb := e.client(t, b)
			if err := e.st.DeleteKey(context.Background(), a.id, a.keyID); err != nil {
				t.Fatal(err)
			}
			if tc.kick {
				e.srv.KickKey(a.keyID)
			}
			ended := make(chan error, 1)
			go func() { ended <- sa.Wait() }()
			select {
			case <-ended:
			case <-time.After(10 * time.Second):
				t.Fatal("the deleted key's session is still open")
			}
			if _, _, err := sb.SendRequest("keepalive@openssh.com", true, nil); err != nil {
				t.Errorf("another account's session ended too: %v", err)
			}
			if c, err := e.dial(a.id, ssh.PublicKeys(a.signer)); err == nil {
				c.Close()
				t.Error("the deleted key still logs in")
			}
		})
	}
}

func TestIdleConnectionClosed(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.IdleTimeout = 200 * time.Millisecond })
	a := e.account(t, "ACME-1")
	_, sc := e.client(t, a)
	ended := make(chan error, 1)
	go func() { ended <- sc.Wait() }()
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("an idle connection stayed open")
	}
	waitFor(t, "the session gauge to drop", func() bool { return e.metric(t, "sluice_sftp_sessions", "") == 0 })
}

func TestHandshakeTimeout(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.HandshakeTimeout = 200 * time.Millisecond })
	nc, err := net.Dial("tcp", e.srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 256)
	for { // the server's version line, then EOF when it gives up on us
		if _, err := nc.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server kept a silent client past its handshake timeout")
			}
			return
		}
	}
}
