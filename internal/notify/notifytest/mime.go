package notifytest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
)

// Parsed is a MIME message taken apart with the standard library only, so
// that a test checks what any mail reader would see.
type Parsed struct {
	Header      mail.Header
	Text, HTML  string
	Attachments map[string][]byte
}

// Parse reads a whole message: headers, text and HTML bodies, attachments by file name.
func Parse(t testing.TB, raw []byte) Parsed {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a mail message: %v\n%s", err, raw)
	}
	p := Parsed{Header: m.Header, Attachments: map[string][]byte{}}
	walkPart(t, &p, m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), "", m.Body)
	return p
}

func walkPart(t testing.TB, p *Parsed, ctype, cte, disposition string, body io.Reader) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		t.Fatalf("content type %q: %v", ctype, err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			walkPart(t, p, part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"),
				part.Header.Get("Content-Disposition"), part)
		}
	}
	data := decodeBody(t, cte, body)
	if d, dp, err := mime.ParseMediaType(disposition); err == nil && d == "attachment" {
		p.Attachments[dp["filename"]] = data
		return
	}
	switch mt {
	case "text/plain":
		p.Text = string(data)
	case "text/html":
		p.HTML = string(data)
	}
}

func decodeBody(t testing.TB, cte string, body io.Reader) []byte {
	t.Helper()
	switch strings.ToLower(cte) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("decode %s body: %v", cte, err)
	}
	return b
}
