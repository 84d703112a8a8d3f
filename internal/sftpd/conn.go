package sftpd

import (
	"log/slog"
	"net"
	"runtime/debug"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/ssh"
)

// serveConn runs one TCP connection: ban check, handshake, session.
func (s *Server) serveConn(nc net.Conn) {
	log := s.log.With(slog.String("remote", nc.RemoteAddr().String()))
	defer func() {
		if r := recover(); r != nil {
			log.Error("sftp connection panicked", slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
		}
	}()
	ip := remoteIP(nc)
	if s.banned(ip, log) {
		log.Info("refused connection from banned address")
		return
	}
	ic := &idleConn{Conn: nc}
	sc, chans, reqs, ok := s.handshake(ic, ip, log)
	if !ok {
		return
	}
	ic.arm(s.cfg.IdleTimeout)
	ss, err := newSession(s, sc, log)
	if err != nil {
		log.Error("start sftp session", slog.Any("err", err))
		sc.Close()
		return
	}
	s.addSession(ss)
	defer s.removeSession(ss)
	ss.log.Info("sftp login")
	ss.serve(chans, reqs)
	ss.log.Info("sftp logout")
}

// handshake runs the SSH handshake and login under a deadline, and counts a
// connection that tried to log in and failed against its address.
func (s *Server) handshake(nc net.Conn, ip string, log *slog.Logger) (*ssh.ServerConn, <-chan ssh.NewChannel, <-chan *ssh.Request, bool) {
	var outcome authOutcome
	cfg := *s.ssh
	cfg.AuthLogCallback = s.authLog(&outcome)
	nc.SetDeadline(time.Now().Add(s.cfg.HandshakeTimeout))
	sc, chans, reqs, err := ssh.NewServerConn(nc, &cfg)
	if err != nil {
		if outcome.failed {
			s.loginFailed(ip, log)
		}
		log.Debug("ssh handshake failed", slog.Any("err", err))
		return nil, nil, nil, false
	}
	nc.SetDeadline(time.Time{})
	return sc, chans, reqs, true
}

// banned asks the ban list about ip. When the list cannot be read the
// connection goes on: its login needs the store too, and still fails if the
// store is down.
func (s *Server) banned(ip string, log *slog.Logger) bool {
	ctx, cancel := s.opCtx()
	defer cancel()
	banned, err := s.bans.Banned(ctx, ip, s.cfg.Now())
	if err != nil {
		log.Error("read ban list", slog.Any("err", err))
	}
	return banned
}

func (s *Server) loginFailed(ip string, log *slog.Logger) {
	ctx, cancel := s.opCtx()
	defer cancel()
	banned, err := s.bans.Failed(ctx, ip, s.cfg.Now())
	switch {
	case err != nil:
		log.Error("record failed login", slog.Any("err", err))
	case banned:
		log.Warn("address banned after failed logins", slog.String("ip", ip))
	}
}

func remoteIP(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

// idleConn closes a connection that carried no traffic for a while: each
// read and write pushes its deadline on. Deadlines cost a timer update,
// nothing per byte.
type idleConn struct {
	net.Conn
	idle atomic.Int64 // nanoseconds; 0: no idle timeout (yet)
}

func (c *idleConn) arm(d time.Duration) {
	c.idle.Store(int64(d))
	if d > 0 {
		c.Conn.SetDeadline(time.Now().Add(d))
	}
}

func (c *idleConn) Read(p []byte) (int, error) {
	if d := c.idle.Load(); d > 0 {
		c.Conn.SetReadDeadline(time.Now().Add(time.Duration(d)))
	}
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	if d := c.idle.Load(); d > 0 {
		c.Conn.SetWriteDeadline(time.Now().Add(time.Duration(d)))
	}
	return c.Conn.Write(p)
}

// keyIDOf reads the key id that checkKey put in the permissions.
func keyIDOf(p *ssh.Permissions) (int64, error) {
	return strconv.ParseInt(p.Extensions[extKeyID], 10, 64)
}
