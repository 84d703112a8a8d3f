package sftpd

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// maxChannels bounds the session channels one connection may hold open
// (OpenSSH's MaxSessions default).
const maxChannels = 10

// maxOpenUploads bounds the files one connection writes at once: each may
// buffer a few MiB.
const maxOpenUploads = 32

const sftpOnly = "sluice: this server only offers SFTP (connect with sftp, not ssh)\n"

// session is one logged-in SSH connection of an account.
type session struct {
	srv     *Server
	conn    *ssh.ServerConn
	account string
	keyID   int64
	log     *slog.Logger

	wg       sync.WaitGroup // channel goroutines
	mu       sync.Mutex
	channels int
	uploads  int                     // open upload handles
	pending  map[string]*pendingFile // closed temporary-name uploads, by name
}

func newSession(s *Server, sc *ssh.ServerConn, log *slog.Logger) (*session, error) {
	keyID, err := keyIDOf(sc.Permissions)
	if err != nil {
		return nil, fmt.Errorf("read login key id: %w", err)
	}
	account := sc.Permissions.Extensions[extAccount]
	return &session{
		srv: s, conn: sc, account: account, keyID: keyID,
		log:     log.With(slog.String("account", account), slog.Int64("key", keyID)),
		pending: map[string]*pendingFile{},
	}, nil
}

// serve handles the connection's channels until it ends, then discards
// temporary uploads that were never renamed.
func (ss *session) serve(chans <-chan ssh.NewChannel, reqs <-chan *ssh.Request) {
	// Global requests (tcpip-forward and the like) are all refused.
	ss.wg.Go(func() { ssh.DiscardRequests(reqs) })
	for nc := range chans {
		ss.openChannel(nc)
	}
	ss.wg.Wait()
	ss.discardPending()
}

func (ss *session) openChannel(nc ssh.NewChannel) {
	if nc.ChannelType() != "session" {
		// direct-tcpip (ssh -L), x11, auth-agent and anything else.
		ss.log.Info("refused ssh channel", slog.String("type", nc.ChannelType()))
		nc.Reject(ssh.Prohibited, "only the sftp subsystem is available")
		return
	}
	if !ss.addChannel(1) {
		nc.Reject(ssh.ResourceShortage, fmt.Sprintf("at most %d sessions per connection", maxChannels))
		return
	}
	ch, reqs, err := nc.Accept()
	if err != nil {
		ss.addChannel(-1)
		ss.log.Debug("accept ssh channel", slog.Any("err", err))
		return
	}
	ss.wg.Go(func() {
		defer ss.addChannel(-1)
		ss.runChannel(ch, reqs)
	})
}

// addUpload counts an upload handle in (n = 1) or out (n = -1).
func (ss *session) addUpload(n int) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if n > 0 && ss.uploads >= maxOpenUploads {
		return false
	}
	ss.uploads += n
	return true
}

func (ss *session) addChannel(n int) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if n > 0 && ss.channels >= maxChannels {
		return false
	}
	ss.channels += n
	return true
}

// runChannel answers a session channel's requests: the sftp subsystem is
// started, env is accepted and ignored, everything else refused.
func (ss *session) runChannel(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	var sftpDone chan struct{}
	for req := range reqs {
		switch {
		case req.Type == "subsystem" && sftpDone == nil && subsystemName(req.Payload) == "sftp":
			req.Reply(true, nil)
			sftpDone = make(chan struct{})
			ss.wg.Go(func() {
				defer close(sftpDone)
				ss.runSFTP(ch)
			})
		case req.Type == "env":
			req.Reply(true, nil)
		case (req.Type == "shell" || req.Type == "exec") && sftpDone == nil:
			// As OpenSSH does with ForceCommand internal-sftp: nothing runs,
			// the user reads why, the command fails. A refused request would
			// make OpenSSH exit before printing the explanation.
			ss.log.Info("refused ssh request", slog.String("type", req.Type))
			req.Reply(true, nil)
			io.WriteString(ch.Stderr(), sftpOnly)
			ch.SendRequest("exit-status", false, ssh.Marshal(&exitStatus{Code: 1}))
			return
		default:
			// pty-req, x11-req, auth-agent-req@openssh.com, subsystems other than sftp, …
			ss.log.Info("refused ssh request", slog.String("type", req.Type))
			req.Reply(false, nil)
		}
	}
	if sftpDone != nil {
		<-sftpDone
	}
}

func subsystemName(payload []byte) string {
	var p struct{ Name string }
	if err := ssh.Unmarshal(payload, &p); err != nil {
		return ""
	}
	return p.Name
}

// runSFTP serves the sftp subsystem on ch until the client ends it or the
// connection drops; then pkg/sftp closes the open handles, reporting the
// drop to them first (TransferError), so cut-off uploads are discarded.
func (ss *session) runSFTP(ch ssh.Channel) {
	h := &handlers{ss: ss, notes: ch.Stderr()}
	// The allocator reuses packet buffers once a reply is sent; safe here
	// because WriteAt copies what it keeps before returning.
	rs := sftp.NewRequestServer(ch, sftp.Handlers{FileGet: h, FilePut: h, FileCmd: h, FileList: h}, sftp.WithRSAllocator())
	err := rs.Serve()
	if err != nil && !errors.Is(err, io.EOF) {
		ss.log.Debug("sftp subsystem ended", slog.Any("err", err))
	}
	ch.SendRequest("exit-status", false, ssh.Marshal(&exitStatus{Code: 0}))
	ch.Close()
}

type exitStatus struct{ Code uint32 }
