package manifest

import (
	"bytes"
	"fmt"
	"strings"
)

// Import types (Manifest.Type).
const (
	TypeEvent   = "event"
	TypeProfile = "profile"
)

// Manifest is a parsed, valid manifest.
type Manifest struct {
	Type        string // TypeEvent or TypeProfile
	FileName    string
	ClientEmail string
	KeyID       string            // only for encrypted data files; "" otherwise allowed
	Columns     map[string]Column // CSV column name (exact header text) → mapping; never nil
}

// Column maps one CSV column.
type Column struct {
	CTName     string // property name; "" keeps the CSV name
	DataType   string // one of DataTypes; "" in a manifest means STRING
	DateFormat string // one of DateFormats for DATE columns, else ""
}

// Problem is why a manifest is invalid, with what the pipeline needs to
// tell the customer and log it.
type Problem struct {
	Reason      string // text after "Incorrect details in manifest file: "
	SendMail    bool   // SPEC §3: no mail for invalid JSON or an invalid clientEmail
	ClientEmail string // a valid address when one was read, else ""
	Type        string // whatever could be read, for the activity log
	FileName    string
	NoDataFile  bool // never set by Parse; reserved for the pipeline
}

// ProblemPrefix starts every invalid-manifest message.
const ProblemPrefix = "Incorrect details in manifest file: "

// Error is the full message shown to the user.
func (p *Problem) Error() string { return ProblemPrefix + p.Reason }

var bom = []byte("\xef\xbb\xbf")

// Parse reads and checks a manifest. Keys match ignoring case and
// surrounding whitespace; unknown keys are ignored. Of several problems,
// the one that decides the mail (JSON, then clientEmail) is reported,
// else the first of type, fileName, keyId, columns.
func Parse(data []byte) (Manifest, *Problem) {
	data = bytes.TrimPrefix(data, bom)
	o, err := readObject(data)
	if err != nil {
		return Manifest{}, &Problem{Reason: syntaxReason(data)}
	}
	p := &Problem{SendMail: true}
	p.Type, _ = readString(o.get("type"))
	p.Type = strings.ToLower(p.Type)
	p.FileName, _ = readString(o.get("filename"))
	email, reason := clientEmail(o.get("clientemail"))
	if reason != "" {
		p.Reason, p.SendMail = reason, false
		return Manifest{}, p
	}
	p.ClientEmail = email
	m, reason := body(o, p)
	if reason != "" {
		p.Reason = reason
		return Manifest{}, p
	}
	return m, nil
}

// body checks everything after clientEmail, in a fixed order.
func body(o object, p *Problem) (Manifest, string) {
	m := Manifest{ClientEmail: p.ClientEmail, Type: p.Type, FileName: p.FileName}
	checks := []func() string{
		func() string { return checkType(o.get("type"), m.Type) },
		func() string { return checkFileName(o.get("filename"), m.FileName) },
		func() string { return keyID(o.get("keyid"), &m) },
		func() string { return columns(o.get("columns"), &m) },
	}
	for _, check := range checks {
		if reason := check(); reason != "" {
			return Manifest{}, reason
		}
	}
	return m, ""
}

// readString returns a string member, trimmed; ok is false when the member
// is absent, duplicated or not a string.
func readString(f field) (string, bool) {
	if f.raw == nil || f.dup {
		return "", false
	}
	return str(f.raw)
}

// commonProblem covers duplicates and non-strings, shared by string keys.
func commonProblem(f field, key, want string) string {
	switch {
	case f.dup:
		return fmt.Sprintf("%s appears more than once (keys are case-insensitive); give it once, as %s", key, want)
	case f.raw == nil:
		return fmt.Sprintf("%s is missing; it must be %s", key, want)
	}
	if _, ok := str(f.raw); !ok {
		return fmt.Sprintf("%s is %s; it must be %s", key, kindOf(f.raw), want)
	}
	return ""
}

const emailWant = "a valid email address such as ops@example.com"

func clientEmail(f field) (string, string) {
	if reason := commonProblem(f, "clientEmail", emailWant); reason != "" {
		return "", reason
	}
	s, _ := str(f.raw)
	if !ValidEmail(s) {
		return "", fmt.Sprintf("clientEmail %q is not %s", s, emailWant)
	}
	return s, ""
}

func checkType(f field, t string) string {
	const want = "event or profile"
	if reason := commonProblem(f, "type", want); reason != "" {
		return reason
	}
	if t != TypeEvent && t != TypeProfile {
		s, _ := str(f.raw)
		return fmt.Sprintf("type %q must be %s", s, want)
	}
	return ""
}

var fileNameWant = "the data file's name, ending in " + strings.Join(DataFileExtensions, ", ")

func checkFileName(f field, name string) string {
	if reason := commonProblem(f, "fileName", fileNameWant); reason != "" {
		return reason
	}
	if strings.ContainsAny(name, `/\`) {
		return fmt.Sprintf("fileName %q must be a plain file name, without folders", name)
	}
	if !IsDataFileName(name) {
		return fmt.Sprintf("fileName %q is not %s", name, fileNameWant)
	}
	return ""
}

// keyID is required for encrypted files and ignored for the others.
func keyID(f field, m *Manifest) string {
	if !Encrypted(m.FileName) {
		m.KeyID, _ = readString(f)
		return ""
	}
	want := fmt.Sprintf("the id of the decryption key for encrypted files (fileName %q)", m.FileName)
	if f.raw == nil && !f.dup {
		return fmt.Sprintf("keyId is required for encrypted files (fileName %q ends in %s); give the id of the decryption key to use",
			m.FileName, m.FileName[strings.LastIndexByte(m.FileName, '.'):])
	}
	if reason := commonProblem(f, "keyId", want); reason != "" {
		return reason
	}
	m.KeyID, _ = str(f.raw)
	if m.KeyID == "" {
		return fmt.Sprintf("keyId is empty; it must be %s", want)
	}
	return ""
}

func columns(f field, m *Manifest) string {
	if f.dup {
		return "columns appears more than once (keys are case-insensitive); give it once"
	}
	cols, reason := parseColumns(f.raw)
	m.Columns = cols
	return reason
}
