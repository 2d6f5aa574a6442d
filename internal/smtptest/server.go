// Package smtptest is a tiny SMTP server for tests, on loopback only: EHLO,
// STARTTLS with a certificate made at start, AUTH PLAIN, MAIL, RCPT, DATA,
// RSET, NOOP, QUIT. It records what it receives.
package smtptest

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net"
	"strings"
	"sync"
	"time"
)

// Message is one message the server accepted.
type Message struct {
	From     string
	To       []string
	Data     string
	TLS      bool   // the session had switched to TLS
	AuthUser string // "" without AUTH
}

// Options shape the server.
type Options struct {
	NoTLS    bool   // do not offer STARTTLS
	User     string // when set, AUTH PLAIN is required with User/Pass
	Pass     string
	RejectTo string // RCPT TO this address is refused (550)
}

// Server is a running test server.
type Server struct {
	Addr    string // 127.0.0.1:port
	Host    string
	Port    int
	CertPEM []byte // the certificate to trust

	opts Options
	ln   net.Listener
	tls  *tls.Config
	mu   sync.Mutex
	msgs []Message
	wg   sync.WaitGroup
}

// Start listens on 127.0.0.1 and serves until Close.
func Start(o Options) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	cert, certPEM, err := selfSigned()
	if err != nil {
		ln.Close()
		return nil, err
	}
	a := ln.Addr().(*net.TCPAddr)
	s := &Server{Addr: a.String(), Host: "127.0.0.1", Port: a.Port, CertPEM: certPEM, opts: o, ln: ln,
		tls: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Close stops the server.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			s.session(c)
		}()
	}
}

func (s *Server) session(conn net.Conn) {
	r, w := bufio.NewReader(conn), bufio.NewWriter(conn)
	say := func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
	say("220 smtptest ready")
	var cur Message
	inTLS, user := false, ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		arg := strings.TrimSpace(strings.TrimPrefix(line, strings.SplitN(line, " ", 2)[0]))
		switch verb {
		case "EHLO", "HELO":
			w.WriteString("250-smtptest\r\n")
			if !s.opts.NoTLS && !inTLS {
				w.WriteString("250-STARTTLS\r\n")
			}
			if s.opts.User != "" && (inTLS || s.opts.NoTLS) {
				w.WriteString("250-AUTH PLAIN\r\n")
			}
			say("250 8BITMIME")
		case "STARTTLS":
			if s.opts.NoTLS || inTLS {
				say("502 not available")
				continue
			}
			say("220 go ahead")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, inTLS = tc, true
			r, w = bufio.NewReader(tc), bufio.NewWriter(tc)
			say = func(line string) { w.WriteString(line + "\r\n"); w.Flush() }
			cur = Message{}
		case "AUTH":
			parts := strings.Fields(arg)
			if len(parts) == 0 || strings.ToUpper(parts[0]) != "PLAIN" {
				say("504 only PLAIN")
				continue
			}
			resp := ""
			if len(parts) > 1 {
				resp = parts[1]
			} else {
				say("334 ")
				l, _ := r.ReadString('\n')
				resp = strings.TrimSpace(l)
			}
			dec, _ := base64.StdEncoding.DecodeString(resp)
			f := strings.Split(string(dec), "\x00")
			if len(f) == 3 && f[1] == s.opts.User && f[2] == s.opts.Pass {
				user = f[1]
				say("235 ok")
			} else {
				say("535 bad credentials")
			}
		case "MAIL":
			if s.opts.User != "" && user == "" {
				say("530 authentication required")
				continue
			}
			cur = Message{From: addrOf(arg), TLS: inTLS, AuthUser: user}
			say("250 ok")
		case "RCPT":
			to := addrOf(arg)
			if s.opts.RejectTo != "" && strings.EqualFold(to, s.opts.RejectTo) {
				say("550 no such user")
				continue
			}
			cur.To = append(cur.To, to)
			say("250 ok")
		case "DATA":
			if cur.From == "" || len(cur.To) == 0 {
				say("503 need MAIL and RCPT")
				continue
			}
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.Data = b.String()
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			cur = Message{TLS: inTLS, AuthUser: user}
			say("250 queued")
		case "RSET":
			cur = Message{TLS: inTLS, AuthUser: user}
			say("250 ok")
		case "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("502 unknown command")
		}
	}
}

func addrOf(arg string) string {
	if i := strings.Index(arg, "<"); i >= 0 {
		if j := strings.Index(arg[i:], ">"); j > 0 {
			return arg[i+1 : i+j]
		}
	}
	return arg
}

func selfSigned() (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	return cert, certPEM, err
}
