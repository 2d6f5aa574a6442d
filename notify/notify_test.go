package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/smtptest"
)

func trust(t *testing.T, s *smtptest.Server) *tls.Config {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertPEM) {
		t.Fatal("bad test certificate")
	}
	return &tls.Config{RootCAs: pool}
}

func startServer(t *testing.T, o smtptest.Options) *smtptest.Server {
	t.Helper()
	s, err := smtptest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func sample() *Message {
	return &Message{From: "opendata@example.org", To: []string{"a@ville.example", "b@ville.example"}, ReplyTo: "help@example.org",
		Subject: "Qualité de vos données\r\nBcc: evil@example.org", Body: "Bonjour,\nvoici votre rapport.",
		Attachments: []Attachment{{Name: "ville.html", ContentType: "text/html; charset=utf-8", Data: []byte("<html>rapport</html>")}}}
}

func TestSendOverSTARTTLSWithAuth(t *testing.T) {
	s := startServer(t, smtptest.Options{User: "vigie", Pass: "pw"})
	m := sample()
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Host: s.Host, Port: s.Port, Username: "vigie", Password: "pw", TLS: trust(t, s)}
	if err := srv.Send(context.Background(), m.From, m.To, raw); err != nil {
		t.Fatal(err)
	}
	got := s.Messages()
	if len(got) != 1 || !got[0].TLS || got[0].AuthUser != "vigie" || got[0].From != m.From || strings.Join(got[0].To, ",") != "a@ville.example,b@ville.example" {
		t.Fatalf("received %+v", got)
	}
	// The message parses; the subject could not smuggle a header; the
	// attachment comes back whole.
	msg, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Fatal("a header was injected through the subject")
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if subject != "Qualité de vos données  Bcc: evil@example.org" {
		t.Fatalf("subject %q", subject)
	}
	_, params, _ := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		parts = append(parts, p.FileName()+"|"+string(b))
	}
	if len(parts) != 2 || !strings.HasPrefix(parts[1], "ville.html|") {
		t.Fatalf("parts %q", parts)
	}
}

func TestSendRefusals(t *testing.T) {
	ctx := context.Background()
	m := sample()
	raw, _ := m.Bytes()
	// No STARTTLS offered: nothing is sent.
	plain := startServer(t, smtptest.Options{NoTLS: true})
	err := (&Server{Host: plain.Host, Port: plain.Port}).Send(ctx, m.From, m.To, raw)
	if err == nil || !strings.Contains(err.Error(), "does not offer STARTTLS") || len(plain.Messages()) != 0 {
		t.Fatalf("no TLS: %v", err)
	}
	// Unless asked, to a loopback relay.
	if err := (&Server{Host: plain.Host, Port: plain.Port, PlainText: true}).Send(ctx, m.From, m.To, raw); err != nil || len(plain.Messages()) != 1 {
		t.Fatalf("loopback relay: %v", err)
	}
	if err := (&Server{Host: "smtp.example.org", PlainText: true}).Check(); err == nil {
		t.Fatal("clear text to another host must be refused")
	}
	// An untrusted certificate stops the session.
	s := startServer(t, smtptest.Options{})
	if err := (&Server{Host: s.Host, Port: s.Port}).Send(ctx, m.From, m.To, raw); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	// Wrong password, refused recipient.
	a := startServer(t, smtptest.Options{User: "u", Pass: "right", RejectTo: "b@ville.example"})
	err = (&Server{Host: a.Host, Port: a.Port, Username: "u", Password: "wrong", TLS: trust(t, a)}).Send(ctx, m.From, m.To, raw)
	if err == nil || !strings.Contains(err.Error(), "authentication refused") || strings.Contains(err.Error(), "wrong") {
		t.Fatalf("bad password: %v", err)
	}
	err = (&Server{Host: a.Host, Port: a.Port, Username: "u", Password: "right", TLS: trust(t, a)}).Send(ctx, m.From, m.To, raw)
	if err == nil || !strings.Contains(err.Error(), "RCPT TO b@ville.example") || len(a.Messages()) != 0 {
		t.Fatalf("refused recipient: %v", err)
	}
	// Nothing listening.
	if err := (&Server{Host: "127.0.0.1", Port: 1, TLS: trust(t, a)}).Send(ctx, m.From, m.To, raw); err == nil || !strings.Contains(err.Error(), "cannot connect") {
		t.Fatalf("closed port: %v", err)
	}
}

func TestMessageChecksAddresses(t *testing.T) {
	for _, bad := range []string{"", "not an address", "a@b.example\r\nBcc: x@y.example", "Name <a@b.example>", "a@b.example, c@d.example"} {
		m := &Message{From: "o@example.org", To: []string{bad}, Subject: "s"}
		if _, err := m.Bytes(); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	m := &Message{From: "o@example.org", To: []string{"a@b.example"}, Subject: "s", Body: strings.Repeat("é", 200)}
	raw, err := m.Bytes()
	if err != nil || bytes.Contains(raw, []byte("\n\n")) {
		t.Fatalf("%v", err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatal("line over the SMTP limit")
		}
	}
}
