package cryptpgp

import (
	"bytes"
	stderrors "errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	pgperrors "github.com/ProtonMail/go-crypto/openpgp/errors"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Problem is why a file could not be decrypted.
type Problem int

// The problems Decrypt tells apart.
const (
	NotOpenPGP   Problem = iota + 1 // not an OpenPGP message, or damaged armor
	NotEncrypted                    // an OpenPGP message, but only signed or compressed
	Passphrase                      // encrypted with a passphrase, not to a key
	WrongKey                        // encrypted to other keys
	Truncated                       // ends before the encrypted data does
	Integrity                       // altered or damaged: MDC, AEAD tag or signature check failed
)

// Error is a decryption failure, with a message for the customer.
type Error struct {
	Problem Problem
	Msg     string
	Err     error // what go-crypto said, for logs
}

func (e *Error) Error() string { return e.Msg }

func (e *Error) Unwrap() error { return e.Err }

func fail(p Problem, err error, format string, args ...any) *Error {
	return &Error{Problem: p, Msg: fmt.Sprintf(format, args...), Err: err}
}

// headKeep is how much of the message start is kept to tell, when no key
// matches, which keys the file was encrypted to.
const headKeep = 64 << 10

// Decrypt returns the plaintext of an OpenPGP message encrypted to key, as
// a stream. The integrity check (MDC or AEAD tag, and the signature when
// the signer is the key itself) can only be made at the end: the final Read
// returns an *Error instead of io.EOF if it fails, so a caller must not
// trust what it read before EOF. Errors of r itself are returned as they are.
func Decrypt(r io.Reader, armored bool, key *Key) (io.Reader, error) {
	src := &tracker{r: r}
	if armored {
		file := &tracker{r: r}
		block, err := armor.Decode(file)
		if file.err != nil {
			return nil, file.err
		}
		if err != nil {
			return nil, armorError(err)
		}
		if block.Type != openpgp.MessageType {
			return nil, fail(NotOpenPGP, nil, "the file holds a %q armor block, not a PGP MESSAGE", block.Type)
		}
		src = &tracker{r: block.Body, file: file}
	}
	md, err := openpgp.ReadMessage(src, key.ring, nil, &packet.Config{})
	if err != nil {
		return nil, openError(err, src, key)
	}
	if !md.IsEncrypted {
		return nil, fail(NotEncrypted, nil, "the file is an OpenPGP message but is not encrypted (only signed or compressed); "+
			"encrypt it to %s with gpg --encrypt -r %s", key.Label, key.Fingerprint)
	}
	return &plainReader{md: md, src: src, key: key}, nil
}

func armorError(err error) error {
	if stderrors.Is(err, io.EOF) {
		return fail(NotOpenPGP, err, "the file is not ASCII-armored OpenPGP: a .asc file must hold a -----BEGIN PGP MESSAGE----- block "+
			"(binary files made by gpg without --armor are named .gpg)")
	}
	return fail(NotOpenPGP, err, "the file's OpenPGP armor is damaged (%v)", err)
}

// openError explains why the message could not be opened.
func openError(err error, src *tracker, key *Key) error {
	var unsupported pgperrors.UnsupportedError
	switch {
	case src.sourceErr() != nil:
		return src.sourceErr()
	case src.badArmor():
		return fail(NotOpenPGP, src.err, "the file's OpenPGP armor is damaged (%v)", src.err)
	case stderrors.Is(err, pgperrors.ErrKeyIncorrect):
		return keyError(src.head, key)
	case stderrors.As(err, &unsupported) && strings.Contains(string(unsupported), "integrity protected"):
		return fail(Integrity, err, "the file has no integrity protection (no MDC); sluice refuses such files: encrypt it with a current gpg")
	case src.eof && src.n == 0:
		return fail(NotOpenPGP, err, "the file is empty")
	}
	return readError(err, src)
}

// readError classifies a failure while reading: a tracked source that ran
// dry means the file was cut short; anything else in the encrypted data is
// an integrity failure (go-crypto makes parsing errors inside decrypted data
// generic on purpose, so that they cannot serve as an oracle).
func readError(err error, src *tracker) error {
	var decErr pgperrors.DecryptWithSessionKeyError
	var sigErr pgperrors.SignatureError
	switch {
	case src.sourceErr() != nil:
		return src.sourceErr()
	case src.badArmor():
		return fail(Integrity, src.err, "the file's armor is damaged (%v): it was altered after it was encrypted", src.err)
	case src.eof:
		return fail(Truncated, err, "the file is truncated: it ends before its encrypted data does (was the upload cut short?)")
	case stderrors.As(err, &decErr), stderrors.As(err, &sigErr), stderrors.Is(err, pgperrors.ErrMDCMissing):
		return fail(Integrity, err, "the integrity check failed (MDC/AEAD): the file was altered or damaged after it was encrypted")
	}
	var se pgperrors.StructuralError
	var unknown pgperrors.UnknownPacketTypeError
	if stderrors.As(err, &se) || stderrors.As(err, &unknown) {
		return fail(NotOpenPGP, err, "the file is not an OpenPGP message (%v)", err)
	}
	return fail(Integrity, err, "the file could not be decrypted: %v", err)
}

// keyError says which keys the file was encrypted to, read from the start
// of the message.
func keyError(head []byte, key *Key) error {
	var ids []string
	symmetric := false
	pr := packet.NewReader(bytes.NewReader(head))
	for {
		p, err := pr.Next()
		if err != nil {
			break
		}
		if ek, ok := p.(*packet.EncryptedKey); ok {
			ids = append(ids, keyIDHex(ek.KeyId))
			continue
		}
		if _, ok := p.(*packet.SymmetricKeyEncrypted); ok {
			symmetric = true
			continue
		}
		break
	}
	if len(ids) == 0 && symmetric {
		return fail(Passphrase, pgperrors.ErrKeyIncorrect, "the file is encrypted with a passphrase (gpg --symmetric), not to a key: "+
			"encrypt it to %s with gpg --encrypt -r %s", key.Label, key.Fingerprint)
	}
	for _, id := range ids {
		if slices.Contains(key.Subkeys, id) {
			return fail(Integrity, pgperrors.ErrKeyIncorrect, "the integrity check failed: the file is encrypted to %s, "+
				"but its encrypted session key does not decrypt: the file was altered or damaged", key.Label)
		}
	}
	return fail(WrongKey, pgperrors.ErrKeyIncorrect, "the file is encrypted to another key (key id %s), not to %s "+
		"(fingerprint %s, encryption subkey %s): encrypt it to that key, or name the right key in the manifest's keyId",
		strings.Join(ids, ", "), key.Label, key.Fingerprint, strings.Join(key.Subkeys, ", "))
}

// plainReader is the decrypted stream; it checks the signature, when the
// signer is known, at EOF.
type plainReader struct {
	md  *openpgp.MessageDetails
	src *tracker
	key *Key
}

func (p *plainReader) Read(b []byte) (int, error) {
	n, err := p.md.UnverifiedBody.Read(b)
	if err == nil {
		return n, nil
	}
	if err != io.EOF {
		return n, readError(err, p.src)
	}
	if p.md.IsSigned && p.md.SignedBy != nil && p.md.SignatureError != nil {
		return n, fail(Integrity, p.md.SignatureError, "the file is signed by %s but the signature does not verify: "+
			"the file was altered after it was signed", p.key.Label)
	}
	return n, io.EOF
}

// tracker passes the ciphertext through, keeping its first bytes and noting
// how it ended. Under armor a second tracker watches the file itself, so
// that errors of the source (I/O, cancellation) are told from damaged armor
// and are not hidden behind go-crypto's generic errors.
type tracker struct {
	r    io.Reader
	n    int64
	head []byte
	eof  bool     // ran out while more was asked for
	err  error    // failed otherwise
	file *tracker // the file under the armor; nil without armor
}

func (t *tracker) Read(b []byte) (int, error) {
	n, err := t.r.Read(b)
	if len(t.head) < headKeep {
		t.head = append(t.head, b[:min(n, headKeep-len(t.head))]...)
	}
	t.n += int64(n)
	switch {
	case err == nil:
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		t.eof = true
	case t.err == nil:
		t.err = err
	}
	return n, err
}

// sourceErr is a failure of the file's source itself.
func (t *tracker) sourceErr() error {
	if t.file != nil {
		return t.file.err
	}
	return t.err
}

// badArmor reports whether the armor decoder failed on the file's text.
func (t *tracker) badArmor() bool {
	return t.file != nil && t.file.err == nil && t.err != nil
}
