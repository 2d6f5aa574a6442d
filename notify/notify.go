// Package notify sends each publisher its report by e-mail through an SMTP
// server: STARTTLS (never a password in clear text to another host), AUTH
// PLAIN with a password read from a file, one message per publisher with its
// report attached.
package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

func init() {
	l10n.Add(map[string]l10n.Msg{
		"notify.not_address": {FR: "« %s » n'est pas une adresse de courriel", EN: "%q is not an e-mail address"},
	})
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string // file name shown to the reader
	ContentType string
	Data        []byte
}

// Message is one e-mail.
type Message struct {
	From        string
	To          []string
	ReplyTo     string
	Subject     string
	Body        string // plain text, UTF-8
	Attachments []Attachment
	Date        time.Time
}

// headerSafe removes what could end a header line and start another.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r < 0x20 && r != '\t' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// CheckAddress parses one bare address (no display name, no list).
func CheckAddress(s string) (string, error) {
	a, err := mail.ParseAddress(strings.TrimSpace(s))
	if err != nil || a.Name != "" || strings.ContainsAny(a.Address, "\r\n<>,;") {
		return "", vigie.NewError(vigie.KindUsage, "notify.not_address", headerSafe(s))
	}
	return a.Address, nil
}

// Bytes renders the message as RFC 5322 text with CRLF line ends: a
// multipart/mixed body when there are attachments, base64 parts, encoded
// words for non-ASCII headers.
func (m *Message) Bytes() ([]byte, error) {
	if _, err := CheckAddress(m.From); err != nil {
		return nil, fmt.Errorf("from: %w", err)
	}
	if len(m.To) == 0 {
		return nil, errors.New("a message needs at least one recipient")
	}
	for _, t := range m.To {
		if _, err := CheckAddress(t); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	h := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	h("From", m.From)
	h("To", strings.Join(m.To, ", "))
	if m.ReplyTo != "" {
		if r, err := CheckAddress(m.ReplyTo); err == nil {
			h("Reply-To", r)
		}
	}
	h("Subject", mime.QEncoding.Encode("utf-8", headerSafe(m.Subject)))
	h("Date", date.Format(time.RFC1123Z))
	h("Message-ID", "<"+randomID()+"@vigie>")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	body := base64Lines([]byte(m.Body))
	if len(m.Attachments) == 0 {
		h("Content-Type", `text/plain; charset="utf-8"`)
		h("Content-Transfer-Encoding", "base64")
		b.WriteString("\r\n")
		b.WriteString(body)
		return b.Bytes(), nil
	}
	boundary := "vigie-" + randomID()
	h("Content-Type", `multipart/mixed; boundary="`+boundary+`"`)
	b.WriteString("\r\n")
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=\"utf-8\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s", boundary, body)
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := mime.QEncoding.Encode("utf-8", headerSafe(filepath.Base(a.Name)))
		fmt.Fprintf(&b, "--%s\r\nContent-Type: %s; name=\"%s\"\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n%s",
			boundary, headerSafe(ct), name, name, base64Lines(a.Data))
	}
	fmt.Fprintf(&b, "--%s--\r\n", boundary)
	return b.Bytes(), nil
}

func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	b.WriteString("\r\n")
	return b.String()
}

func randomID() string {
	var r [12]byte
	_, _ = rand.Read(r[:])
	return hex.EncodeToString(r[:])
}

// Server is where messages go.
type Server struct {
	Host     string
	Port     int // 587 when 0
	Username string
	Password string // read from a file by the caller; never logged
	// PlainText allows a session without STARTTLS, to a loopback relay only.
	PlainText bool
	// TLS overrides the TLS settings (a private CA); ServerName is set to Host.
	TLS     *tls.Config
	Timeout time.Duration // per message; 60 s when 0
	// Hello is the name given in EHLO; "localhost" when empty.
	Hello string
}

// LoadCA returns a TLS configuration trusting the PEM certificates in file
// (for a relay with a private certificate authority).
func LoadCA(file string) (*tls.Config, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("smtp ca_file %s: %v: check the path", file, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("smtp ca_file %s holds no PEM certificate", file)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, nil
}

// IsLoopback says whether host names this machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Check validates the server settings before anything is sent.
func (s *Server) Check() error {
	if s.Host == "" {
		return errors.New("smtp: no host: set smtp.host in the configuration")
	}
	if s.PlainText && !IsLoopback(s.Host) {
		return fmt.Errorf("smtp: starttls: false is allowed only for a relay on this machine, not %s: mail would travel in clear text", s.Host)
	}
	return nil
}

// Send delivers one message: connect, EHLO, STARTTLS (required unless
// PlainText), AUTH when a username is set, MAIL, RCPT for each recipient,
// DATA, QUIT. The error is one line naming the step.
func (s *Server) Send(ctx context.Context, from string, to []string, msg []byte) error {
	if err := s.Check(); err != nil {
		return err
	}
	port := s.Port
	if port == 0 {
		port = 587
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(s.Host, strconv.Itoa(port))
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("smtp %s: cannot connect: %v: check smtp.host and smtp.port", addr, err)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp %s: greeting: %v", addr, err)
	}
	defer c.Close()
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("smtp %s: EHLO: %v", addr, err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.TLS != nil {
			cfg = s.TLS.Clone()
		}
		cfg.ServerName = s.Host
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("smtp %s: STARTTLS: %v: check the server's certificate (smtp.ca_file for a private authority)", addr, err)
		}
	} else if !s.PlainText {
		return fmt.Errorf("smtp %s: the server does not offer STARTTLS: vigie sends only over an encrypted connection", addr)
	}
	if s.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("smtp %s: the server offers no authentication, but smtp.username is set", addr)
		}
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, s.Host)); err != nil {
			return fmt.Errorf("smtp %s: authentication refused: check smtp.username and the password file", addr)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("smtp %s: MAIL FROM %s: %v", addr, from, err)
	}
	for _, t := range to {
		if err := c.Rcpt(t); err != nil {
			return fmt.Errorf("smtp %s: RCPT TO %s: %v", addr, t, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp %s: DATA: %v", addr, err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("smtp %s: sending the message: %v", addr, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp %s: message refused: %v", addr, err)
	}
	return c.Quit()
}
