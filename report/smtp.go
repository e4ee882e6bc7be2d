package report

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// SMTPSender sends messages through an SMTP server with net/smtp.
type SMTPSender struct {
	// Addr is the server's host:port; required.
	Addr string
	// From is the envelope and header sender; required.
	From string
	// Auth authenticates after STARTTLS. Defaults to nil: no AUTH.
	Auth smtp.Auth
	// TLS configures STARTTLS, used whenever the server offers it.
	// Defaults to verifying the server's name (Addr's host).
	TLS *tls.Config
	// Hello is the name sent with EHLO. Defaults to "localhost".
	Hello string
	// Timeout bounds one delivery when ctx has no deadline. Defaults to 30s.
	Timeout time.Duration
}

// Send implements [Sender].
func (s SMTPSender) Send(ctx context.Context, m Message) error {
	if s.Addr == "" || s.From == "" || len(m.To) == 0 {
		return fmt.Errorf("%w: SMTPSender needs Addr, From and a recipient", ErrInvalid)
	}
	for _, a := range append([]string{s.From}, m.To...) {
		if strings.ContainsAny(a, "\r\n<>") {
			return fmt.Errorf("%w: address %q", ErrInvalid, a)
		}
	}
	msg, err := buildMIME(s.From, m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("report: smtp dial: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(s.Addr)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("report: smtp: %w", err)
	}
	defer c.Close()
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("report: smtp EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := s.TLS
		if cfg == nil {
			cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("report: smtp STARTTLS: %w", err)
		}
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return fmt.Errorf("report: smtp AUTH: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("report: smtp MAIL: %w", err)
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("report: smtp RCPT %s: %w", to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("report: smtp DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("report: smtp DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("report: smtp DATA: %w", err)
	}
	return c.Quit()
}

// buildMIME renders m as a multipart/mixed message: a multipart/alternative
// text and HTML body, then the attachments in base64.
func buildMIME(from string, m Message) ([]byte, error) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	date := m.Date
	if date.IsZero() {
		date = time.Unix(0, 0)
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	hdr := []string{
		"From: " + from,
		"To: " + strings.Join(m.To, ", "),
		"Subject: " + mime.QEncoding.Encode("utf-8", strings.NewReplacer("\r", " ", "\n", " ").Replace(m.Subject)),
		"Date: " + date.Format(time.RFC1123Z),
		"Message-ID: <" + hex.EncodeToString(id[:]) + "@callstack>",
		"MIME-Version: 1.0",
		"Content-Type: multipart/mixed; boundary=" + mw.Boundary(),
	}
	var out bytes.Buffer
	out.WriteString(strings.Join(hdr, "\r\n") + "\r\n\r\n")

	alt := &bytes.Buffer{}
	aw := multipart.NewWriter(alt)
	for _, p := range []struct{ ct, body string }{{"text/plain", m.Text}, {"text/html", m.HTML}} {
		if p.body == "" {
			continue
		}
		pw, err := aw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.ct + "; charset=utf-8"},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		writeBase64(pw, []byte(p.body))
	}
	if err := aw.Close(); err != nil {
		return nil, err
	}
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"multipart/alternative; boundary=" + aw.Boundary()}})
	if err != nil {
		return nil, err
	}
	if _, err := pw.Write(alt.Bytes()); err != nil {
		return nil, err
	}
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {ct},
			"Content-Transfer-Encoding": {"base64"},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})},
		})
		if err != nil {
			return nil, err
		}
		writeBase64(pw, a.Data)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	out.Write(b.Bytes())
	return out.Bytes(), nil
}

// writeBase64 writes data in base64 lines of 76 characters.
func writeBase64(w interface{ Write([]byte) (int, error) }, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		_, _ = w.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	_, _ = w.Write([]byte(enc + "\r\n"))
}
