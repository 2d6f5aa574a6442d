package linkcheck

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// hostKey identifies a server for politeness: lower-cased host and port,
// with the scheme's default port made explicit.
func hostKey(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		default:
			port = "80"
		}
	}
	return net.JoinHostPort(host, port)
}

// gate limits the requests in flight to one host and spaces their starts.
type gate struct {
	sem chan struct{}

	mu   sync.Mutex
	next time.Time // earliest start of the next request
}

// gates holds one gate per host key.
type gates struct {
	perHost int
	delay   time.Duration

	mu sync.Mutex
	m  map[string]*gate
}

func newGates(perHost int, delay time.Duration) *gates {
	return &gates{perHost: perHost, delay: delay, m: make(map[string]*gate)}
}

func (g *gates) get(key string) *gate {
	g.mu.Lock()
	defer g.mu.Unlock()
	h, ok := g.m[key]
	if !ok {
		h = &gate{sem: make(chan struct{}, g.perHost)}
		g.m[key] = h
	}
	return h
}

// acquire takes a slot for one request and waits for the host's turn.
// The returned func releases the slot; it is safe to call more than once.
func (g *gates) acquire(ctx context.Context, key string) (func(), error) {
	h := g.get(key)
	select {
	case h.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	release := func() { once.Do(func() { <-h.sem }) }
	h.mu.Lock()
	now := time.Now()
	start := h.next
	if start.Before(now) {
		start = now
	}
	h.next = start.Add(g.delay)
	h.mu.Unlock()
	if err := sleep(ctx, time.Until(start)); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// holdOff keeps every request to the host waiting until t (Retry-After).
func (g *gates) holdOff(key string, t time.Time) {
	h := g.get(key)
	h.mu.Lock()
	if t.After(h.next) {
		h.next = t
	}
	h.mu.Unlock()
}

// waitTurn waits, without taking a slot, until the host accepts requests
// again (after a delay or a Retry-After), so that the wait is not counted
// against a request's timeout.
func (g *gates) waitTurn(ctx context.Context, key string) error {
	h := g.get(key)
	for {
		h.mu.Lock()
		d := time.Until(h.next)
		h.mu.Unlock()
		if d <= 0 {
			return ctx.Err()
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// politeTransport takes a host slot for every request, redirects included,
// and gives it back when the response body is closed.
type politeTransport struct {
	base  http.RoundTripper
	gates *gates
	guard func(*http.Request) error // refuses a request before it is sent; may be nil
}

func (t *politeTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.guard != nil {
		if err := t.guard(req); err != nil {
			return nil, err
		}
	}
	release, err := t.gates.acquire(req.Context(), hostKey(req.URL))
	if err != nil {
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// connLimit holds one slot per open connection to a host:port, from before
// the dial until Close has returned, so that a connection abandoned at a
// timeout (or on its way back to the idle pool) still counts against
// --per-host until it is really closed. net/http's MaxConnsPerHost alone
// frees its count just before it closes the socket, which lets the next
// dial reach the server first.
type connLimit struct {
	perHost int
	mu      sync.Mutex
	m       map[string]chan struct{}
}

func newConnLimit(perHost int) *connLimit {
	return &connLimit{perHost: perHost, m: make(map[string]chan struct{})}
}

// dial takes a slot for addr (waiting for one while ctx lasts), dials, and
// returns a connection that gives the slot back once closed.
func (l *connLimit) dial(ctx context.Context, addr string, dial func() (net.Conn, error)) (net.Conn, error) {
	key := strings.ToLower(addr)
	l.mu.Lock()
	sem, ok := l.m[key]
	if !ok {
		sem = make(chan struct{}, l.perHost)
		l.m[key] = sem
	}
	l.mu.Unlock()
	select {
	case sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	conn, err := dial()
	if err != nil {
		<-sem
		return nil, err
	}
	return &limitedConn{Conn: conn, release: func() { <-sem }}, nil
}

// limitedConn gives its connLimit slot back after its first Close.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
