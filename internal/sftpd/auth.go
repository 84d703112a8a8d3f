package sftpd

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"

	"sluice/internal/errs"
)

// The algorithms offered: what OpenSSH 9 offers, less anything built on
// SHA-1 and DSA. The order is the server's preference.
var (
	kexAlgos = []string{
		ssh.KeyExchangeMLKEM768X25519,
		ssh.KeyExchangeCurve25519, "curve25519-sha256@libssh.org",
		ssh.KeyExchangeECDHP256, ssh.KeyExchangeECDHP384, ssh.KeyExchangeECDHP521,
		ssh.KeyExchangeDH16SHA512, ssh.KeyExchangeDH14SHA256,
	}
	cipherAlgos = []string{
		ssh.CipherAES128GCM, ssh.CipherAES256GCM, ssh.CipherChaCha20Poly1305,
		ssh.CipherAES128CTR, ssh.CipherAES192CTR, ssh.CipherAES256CTR,
	}
	macAlgos = []string{
		ssh.HMACSHA256ETM, ssh.HMACSHA512ETM, ssh.HMACSHA256, ssh.HMACSHA512,
	}
	// Client key signatures accepted: the key types sluice registers.
	pubKeyAlgos = []string{
		ssh.KeyAlgoED25519,
		ssh.KeyAlgoECDSA256, ssh.KeyAlgoECDSA384, ssh.KeyAlgoECDSA521,
		ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256,
	}
	rsaHostAlgos = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256}
)

// Permissions.Extensions keys that carry the login from the auth callbacks
// to the session.
const (
	extAccount = "sluice-account"
	extKeyID   = "sluice-key-id"
)

// errUnknownKey is what a refused key gets; it says no more than OpenSSH would.
var errUnknownKey = errors.New("public key not accepted for this user")

func (s *Server) sshConfig() (*ssh.ServerConfig, error) {
	c := &ssh.ServerConfig{
		Config:                    ssh.Config{KeyExchanges: kexAlgos, Ciphers: cipherAlgos, MACs: macAlgos},
		PublicKeyAuthAlgorithms:   pubKeyAlgos,
		PublicKeyCallback:         s.checkKey,
		VerifiedPublicKeyCallback: s.keyVerified,
		MaxAuthTries:              6,
		ServerVersion:             "SSH-2.0-sluice",
	}
	for _, k := range s.cfg.HostKeys {
		hk, err := hostSigner(k)
		if err != nil {
			return nil, err
		}
		c.AddHostKey(hk)
	}
	return c, nil
}

// hostSigner restricts an RSA host key to SHA-2 signatures.
func hostSigner(k ssh.Signer) (ssh.Signer, error) {
	switch k.PublicKey().Type() {
	case ssh.KeyAlgoRSA:
		as, ok := k.(ssh.AlgorithmSigner)
		if !ok {
			return nil, errors.New("sftpd: RSA host key cannot choose its signature algorithm")
		}
		return ssh.NewSignerWithAlgorithms(as, rsaHostAlgos)
	case ssh.KeyAlgoDSA:
		return nil, errors.New("sftpd: DSA host keys are not supported")
	}
	return k, nil
}

// checkKey approves a key offered for a user (an account id). The client
// has not proven it holds the key yet: keyVerified runs once it has.
func (s *Server) checkKey(conn ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	ctx, cancel := s.opCtx()
	defer cancel()
	fp := ssh.FingerprintSHA256(key)
	k, err := s.st.KeyByFingerprint(ctx, fp)
	if err != nil {
		if !errs.Is(err, errs.NotFound) {
			s.log.Error("look up ssh key", slog.String("fingerprint", fp), slog.Any("err", err))
		}
		return nil, errUnknownKey
	}
	if !strings.EqualFold(k.AccountID, conn.User()) {
		return nil, errUnknownKey
	}
	return &ssh.Permissions{Extensions: map[string]string{
		extAccount: k.AccountID,
		extKeyID:   strconv.FormatInt(k.ID, 10),
	}}, nil
}

// keyVerified runs after the client signed with an approved key: a login.
func (s *Server) keyVerified(conn ssh.ConnMetadata, _ ssh.PublicKey, p *ssh.Permissions, _ string) (*ssh.Permissions, error) {
	id, err := strconv.ParseInt(p.Extensions[extKeyID], 10, 64)
	if err != nil {
		return nil, fmt.Errorf("sftpd: bad key id in permissions: %w", err)
	}
	ctx, cancel := s.opCtx()
	defer cancel()
	if err := s.st.TouchKey(ctx, id, s.cfg.Now()); err != nil {
		// Bookkeeping only: the key was found a moment ago, let the login through.
		s.log.Warn("record ssh key use", slog.Int64("key", id), slog.Any("err", err))
	}
	return p, nil
}

// authOutcome follows one connection's login attempts.
type authOutcome struct {
	failed bool // a real method (not the "none" probe) was refused
}

// authLog returns the AuthLogCallback of one connection.
func (s *Server) authLog(o *authOutcome) func(ssh.ConnMetadata, string, error) {
	return func(conn ssh.ConnMetadata, method string, err error) {
		if err == nil || method == "none" {
			return
		}
		o.failed = true
		s.m.authFailures.Inc()
		s.log.Info("ssh authentication failed", slog.String("user", conn.User()),
			slog.String("remote", conn.RemoteAddr().String()), slog.String("method", method))
	}
}
