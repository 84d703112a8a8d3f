package notify

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	texttemplate "text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"sluice/internal/config"
	"sluice/internal/httpapi"
	"sluice/internal/store"
)

//go:embed templates/mail.txt templates/mail.html
var templateFS embed.FS

// composer renders a mail delivery into a MIME message.
type composer struct {
	st          Store
	from        string        // RFC 5322 address, possibly with a display name
	publicURL   func() string // the dashboard's base URL
	host        string        // right-hand side of Message-IDs
	attachLimit int64
	text        *texttemplate.Template
	html        *htmltemplate.Template
}

func newComposer(cfg config.Config, st Store, publicURL func() string) (*composer, error) {
	if publicURL == nil {
		publicURL = func() string { return publicBase(cfg) }
	}
	c := &composer{st: st, publicURL: publicURL, attachLimit: int64(cfg.AttachLimit), host: "localhost"}
	if u, err := url.Parse(publicURL()); err == nil && u.Hostname() != "" {
		c.host = u.Hostname()
	}
	c.from = cfg.SMTPFrom
	if c.from == "" {
		c.from = "sluice <noreply@" + c.host + ">"
	}
	if _, err := mail.ParseAddress(c.from); err != nil {
		return nil, fmt.Errorf("--smtp-from %q is not a mail address: %w", c.from, err)
	}
	funcs := map[string]any{"num": formatCount, "size": formatSize, "utc": formatTime}
	var err error
	if c.text, err = texttemplate.New("mail.txt").Funcs(funcs).ParseFS(templateFS, "templates/mail.txt"); err != nil {
		return nil, fmt.Errorf("parse mail text template: %w", err)
	}
	if c.html, err = htmltemplate.New("mail.html").Funcs(funcs).ParseFS(templateFS, "templates/mail.html"); err != nil {
		return nil, fmt.Errorf("parse mail HTML template: %w", err)
	}
	return c, nil
}

// publicBase is the dashboard's base URL without a trailing slash: the
// configured public URL, else http://localhost:<HTTP port>.
func publicBase(cfg config.Config) string {
	if cfg.PublicURL != "" {
		return strings.TrimRight(cfg.PublicURL, "/")
	}
	host, port, err := net.SplitHostPort(cfg.HTTPAddr)
	if err != nil || port == "" {
		return "http://localhost"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// mailView is what the templates see.
type mailView struct {
	Subject   string
	Headline  string
	Event     store.Milestone
	Import    httpapi.ImportJSON
	File      string // the data file, or the manifest when it named none
	Progress  string // "42%" of the file read, when known
	Link      string
	To        string
	ErrorFile *errorFileView
}

type errorFileView struct {
	Name     string
	SFTPPath string
	Size     int64
	Attached bool
}

// message builds the mail of one delivery; a failure to build it is a
// failed attempt like any other (retried unless it cannot succeed).
func (c *composer) message(ctx context.Context, d store.Delivery) (*gomail.Msg, outcome) {
	var ev event
	if err := json.Unmarshal(d.Payload, &ev); err != nil {
		return nil, outcome{Err: fmt.Errorf("stored notification is not JSON: %w", err), Permanent: true}
	}
	v := c.view(d, ev)
	attachment, err := c.errorFile(ctx, d, &v)
	if err != nil {
		return nil, outcome{Err: err}
	}
	msg, err := c.build(d, v, attachment)
	if err != nil {
		return nil, outcome{Err: err, Permanent: true}
	}
	return msg, outcome{}
}

func (c *composer) view(d store.Delivery, ev event) mailView {
	imp := ev.Import
	v := mailView{Event: ev.Event, Import: imp, File: imp.FileName, To: d.Target,
		Link: strings.TrimRight(c.publicURL(), "/") + "/imports/" + strconv.FormatInt(imp.ID, 10)}
	if v.File == "" {
		v.File = imp.ManifestName
	}
	if imp.SizeBytes > 0 && imp.BytesRead > 0 {
		v.Progress = strconv.FormatInt(min(100, imp.BytesRead*100/imp.SizeBytes), 10) + "%"
	}
	v.Subject, v.Headline = headline(v)
	return v
}

// headline says in one line what happened.
func headline(v mailView) (subject, line string) {
	imp, f := v.Import, v.File
	switch v.Event {
	case store.MilestonePickedUp:
		return "Import started: " + f, "sluice has started importing " + f + "."
	case store.MilestoneProcessing:
		return "Import still running: " + f, fmt.Sprintf("sluice is still importing %s: %s read so far.", f, rows(imp.RowsRead))
	case store.MilestoneSucceeded:
		return "Import succeeded: " + f, fmt.Sprintf("The import of %s succeeded: %s imported.", f, rows(imp.RowsImported))
	case store.MilestonePartial:
		return fmt.Sprintf("Import partly succeeded: %s (%s refused)", f, rows(imp.RowsFailed)),
			fmt.Sprintf("The import of %s partly succeeded: %s of %s imported, %s refused.", f,
				formatCount(imp.RowsImported), rows(imp.RowsRead), formatCount(imp.RowsFailed))
	case store.MilestoneFailed:
		return "Import failed: " + f, "The import of " + f + " failed: " + imp.Error
	}
	return "Import " + string(v.Event) + ": " + f, "Import " + f + ": " + string(v.Event) + "."
}

// rows is "1 row" or "1,000 rows".
func rows(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return formatCount(n) + " rows"
}

// errorFile fills v.ErrorFile for partial and failed imports that have one
// and returns the bytes to attach (nil when it is linked instead).
func (c *composer) errorFile(ctx context.Context, d store.Delivery, v *mailView) ([]byte, error) {
	if d.Milestone != store.MilestonePartial && d.Milestone != store.MilestoneFailed {
		return nil, nil
	}
	imp, err := c.st.Import(ctx, d.AccountID, d.ImportID)
	if err != nil {
		return nil, fmt.Errorf("read import %d for its error file: %w", d.ImportID, err)
	}
	if len(imp.ErrorHeader) == 0 {
		return nil, nil
	}
	name := httpapi.ErrorFileName(imp)
	v.ErrorFile = &errorFileView{Name: name, SFTPPath: "/errors/" + name, Size: imp.ErrorBytes}
	if imp.ErrorBytes > c.attachLimit {
		return nil, nil
	}
	tooBig := errors.New("error file over the attachment limit") // stops reading: it will be linked
	buf := bytes.NewBuffer(append([]byte(nil), imp.ErrorHeader...))
	err = c.st.ErrorRows(ctx, imp.ID, func(line []byte) error {
		if int64(buf.Len()+len(line)) > c.attachLimit {
			return tooBig
		}
		buf.Write(line)
		return nil
	})
	if errors.Is(err, tooBig) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read error rows of import %d: %w", imp.ID, err)
	}
	v.ErrorFile.Attached, v.ErrorFile.Size = true, int64(buf.Len())
	return buf.Bytes(), nil
}

func formatCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func formatSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// formatTime prints a time.Time or *time.Time in UTC; nil prints nothing.
func formatTime(v any) string {
	switch t := v.(type) {
	case time.Time:
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	case *time.Time:
		if t != nil {
			return formatTime(*t)
		}
	}
	return ""
}

// build renders the view into a multipart/alternative message (text and
// HTML), with the error file attached when there is one to attach. The
// Message-ID and Date come from the delivery, so every retry sends the same
// message and a receiving system can drop a duplicate.
func (c *composer) build(d store.Delivery, v mailView, attachment []byte) (*gomail.Msg, error) {
	var text, html bytes.Buffer
	if err := c.text.Execute(&text, v); err != nil {
		return nil, fmt.Errorf("render mail text: %w", err)
	}
	if err := c.html.Execute(&html, v); err != nil {
		return nil, fmt.Errorf("render mail HTML: %w", err)
	}
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := m.From(c.from); err != nil {
		return nil, fmt.Errorf("from %q: %w", c.from, err)
	}
	if err := m.To(d.Target); err != nil {
		return nil, fmt.Errorf("client email %q is not a mail address: %w", d.Target, err)
	}
	m.Subject(oneLine("[sluice] " + v.Subject))
	m.SetMessageIDWithValue(d.IdempotencyID + "@" + c.host)
	m.SetDateWithValue(d.CreatedAt)
	m.SetUserAgent("sluice")
	m.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	m.SetGenHeader(gomail.Header("X-Sluice-Event"), string(d.Milestone))
	m.SetGenHeader(gomail.Header("X-Sluice-Import"), strconv.FormatInt(d.ImportID, 10))
	m.SetBodyString(gomail.TypeTextPlain, text.String())
	m.AddAlternativeString(gomail.TypeTextHTML, html.String())
	if attachment != nil {
		err := m.AttachReader(v.ErrorFile.Name, bytes.NewReader(attachment), gomail.WithFileContentType("text/csv; charset=utf-8"))
		if err != nil {
			return nil, fmt.Errorf("attach %s: %w", v.ErrorFile.Name, err)
		}
	}
	return m, nil
}

// oneLine replaces control characters (a file name may hold any) with
// spaces, so that a header stays one header.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
