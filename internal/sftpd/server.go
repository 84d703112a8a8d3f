package sftpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/crypto/ssh"

	"sluice/internal/blob"
	"sluice/internal/store"
)

// Config is what the server needs; zero values get the defaults noted.
type Config struct {
	Addr            string       // listen address, e.g. ":2022" ("127.0.0.1:0" in tests)
	HostKeys        []ssh.Signer // at least one; see hostkey.LoadOrCreate
	MaxDataFileSize int64        // default 5 GiB
	MaxManifestSize int64        // default 1 MiB
	AccountQuota    int64        // 0: unlimited; stored + locked uploads plus bytes in flight on every node
	NodeID          string       // names this node's quota reservations; default host name + random

	BanThreshold int           // failed logins from one address … (0: never ban)
	BanWindow    time.Duration // … within this window …
	BanDuration  time.Duration // … refuse it this long
	Bans         Bans          // optional; default NewMemoryBans(BanThreshold, BanWindow, BanDuration)

	HandshakeTimeout time.Duration // SSH handshake and login; default 30s
	IdleTimeout      time.Duration // close a connection with no traffic this long; 0: never
	KeyCheckEvery    time.Duration // end sessions of keys deleted elsewhere; default 1s
	TempDir          string        // /errors/ files are spooled here; default os.TempDir()

	Logger  *slog.Logger
	Metrics prometheus.Registerer // nil: metrics are kept but not exported
	Now     func() time.Time
}

// Store is what sftpd needs from sluice's store; *sqlite.DB satisfies it.
type Store interface {
	KeyByFingerprint(ctx context.Context, fingerprint string) (store.ImportKey, error)
	TouchKey(ctx context.Context, id int64, at time.Time) error
	LiveKeys(ctx context.Context, ids []int64) (map[int64]bool, error)
	RecordUpload(ctx context.Context, u store.Upload) (rec store.Upload, replacedBlob string, err error)
	VisibleUploads(ctx context.Context, accountID string) ([]store.Upload, error)
	NameLocked(ctx context.Context, accountID, name string) (bool, error)
	ManifestNameUsed(ctx context.Context, accountID, name string) (bool, error)
	ImportsWithErrors(ctx context.Context, accountID string) ([]store.Import, error)
	ErrorRows(ctx context.Context, importID int64, fn func(line []byte) error) error
	store.Reservations
}

// Subscriber hears of every completed upload, after it is recorded. It is
// called on the uploading connection's goroutine, before the client's close
// is answered: it must return quickly, and ctx ends when it returns.
type Subscriber interface {
	UploadCompleted(ctx context.Context, u store.Upload)
}

// Server is the SFTP server. Start it once; Close stops it and waits.
type Server struct {
	cfg   Config
	st    Store
	blobs blob.Store
	sub   Subscriber
	log   *slog.Logger
	m     *metrics
	bans  Bans
	ssh   *ssh.ServerConfig
	usage *usage

	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once

	mu       sync.Mutex
	closed   bool
	conns    map[net.Conn]struct{}
	sessions map[*session]struct{}
}

// New checks cfg and builds a server; it does not listen yet.
func New(cfg Config, st Store, blobs blob.Store, sub Subscriber) (*Server, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Metrics)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, st: st, blobs: blobs, sub: sub, log: cfg.Logger, m: m, bans: cfg.Bans,
		usage: newUsage(), conns: map[net.Conn]struct{}{}, sessions: map[*session]struct{}{},
	}
	if s.ssh, err = s.sshConfig(); err != nil {
		return nil, err
	}
	return s, nil
}

func (c *Config) defaults() error {
	if len(c.HostKeys) == 0 {
		return errors.New("sftpd: no host keys")
	}
	if c.Addr == "" {
		return errors.New("sftpd: no listen address")
	}
	setDefault(&c.MaxDataFileSize, 5<<30)
	setDefault(&c.MaxManifestSize, 1<<20)
	setDefault(&c.HandshakeTimeout, 30*time.Second)
	setDefault(&c.KeyCheckEvery, time.Second)
	setDefault(&c.TempDir, os.TempDir())
	setDefault(&c.NodeID, store.NewNodeID())
	if c.Now == nil {
		c.Now = time.Now
	}
	setDefault(&c.Logger, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if c.Bans == nil {
		c.Bans = NewMemoryBans(c.BanThreshold, c.BanWindow, c.BanDuration)
	}
	return nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// Start listens and serves in goroutines owned by s until ctx ends or Close.
func (s *Server) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("sftp listen on %s: %w", s.cfg.Addr, err)
	}
	s.ln = ln
	s.ctx, s.cancel = context.WithCancel(ctx)
	s.wg.Go(s.acceptLoop)
	s.wg.Go(s.keySweep)
	if s.cfg.AccountQuota > 0 {
		s.wg.Go(s.renewHolds)
	}
	s.wg.Go(func() {
		<-s.ctx.Done()
		s.shutdown()
	})
	s.log.Info("sftp server listening", slog.String("addr", ln.Addr().String()))
	return nil
}

// Addr is the address the server listens on; call it after Start.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops accepting, ends every connection (open uploads are discarded)
// and waits for every goroutine of the server.
func (s *Server) Close() error {
	s.once.Do(func() {
		if s.cancel != nil {
			s.cancel()
		}
	})
	s.wg.Wait()
	return nil
}

// shutdown closes the listener and every connection.
func (s *Server) shutdown() {
	s.ln.Close()
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
}

func (s *Server) acceptLoop() {
	backoff := 5 * time.Millisecond
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if s.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			s.log.Warn("sftp accept failed", slog.Any("err", err))
			select {
			case <-time.After(backoff):
				backoff = min(2*backoff, time.Second)
			case <-s.ctx.Done():
				return
			}
			continue
		}
		backoff = 5 * time.Millisecond
		if !s.track(nc) {
			nc.Close()
			return
		}
		s.wg.Go(func() {
			defer s.untrack(nc)
			s.serveConn(nc)
		})
	}
}

func (s *Server) track(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[nc] = struct{}{}
	return true
}

func (s *Server) untrack(nc net.Conn) {
	nc.Close()
	s.mu.Lock()
	delete(s.conns, nc)
	s.mu.Unlock()
}

func (s *Server) addSession(ss *session) {
	s.mu.Lock()
	s.sessions[ss] = struct{}{}
	s.mu.Unlock()
	s.m.sessions.Inc()
}

func (s *Server) removeSession(ss *session) {
	s.mu.Lock()
	delete(s.sessions, ss)
	s.mu.Unlock()
	s.m.sessions.Dec()
}

// KickKey ends at once every session logged in with the key (it was deleted).
func (s *Server) KickKey(keyID int64) {
	s.endSessions(func(ss *session) bool { return ss.keyID == keyID }, "key deleted")
}

func (s *Server) endSessions(match func(*session) bool, why string) {
	s.mu.Lock()
	var ended []*session
	for ss := range s.sessions {
		if match(ss) {
			ended = append(ended, ss)
		}
	}
	s.mu.Unlock()
	for _, ss := range ended {
		ss.log.Info("ending sftp session", slog.String("why", why))
		ss.conn.Close()
	}
}

// keySweep ends sessions whose key was deleted by another process (the CLI,
// another node), which cannot call KickKey.
func (s *Server) keySweep() {
	t := time.NewTicker(s.cfg.KeyCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.sweepKeys()
		}
	}
}

func (s *Server) sweepKeys() {
	s.mu.Lock()
	seen := map[int64]bool{}
	var ids []int64
	for ss := range s.sessions {
		if !seen[ss.keyID] {
			seen[ss.keyID] = true
			ids = append(ids, ss.keyID)
		}
	}
	s.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, s.cfg.KeyCheckEvery+5*time.Second)
	defer cancel()
	live, err := s.st.LiveKeys(ctx, ids)
	if err != nil {
		s.log.Warn("check sftp session keys", slog.Any("err", err))
		return
	}
	s.endSessions(func(ss *session) bool { return !live[ss.keyID] }, "key deleted")
}

// opCtx bounds a store or blob call made on behalf of a client. It hangs off
// the server, not the connection: a commit must finish even if the client
// hangs up right after its close request.
func (s *Server) opCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(s.ctx, opTimeout)
}

// cleanupCtx is opCtx for clean-up that must run on during shutdown
// (releasing a reservation, deleting an unwanted blob).
func (s *Server) cleanupCtx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(s.ctx), opTimeout)
}

// opTimeout bounds one store or blob operation done for a client.
const opTimeout = time.Minute
