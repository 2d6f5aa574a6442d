// Package linkcheck checks that resource URLs answer, politely and fast: a
// global worker pool, a per-host concurrency limit and minimum delay,
// Retry-After honoured, and never a downloaded file. It refuses to connect to
// non-public addresses unless told otherwise, and turns repeated failures
// into "broken" only after N failures spread over H hours (see Debounce).
package linkcheck

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpproxy"

	"github.com/vigie-audit/vigie"
)

// Defaults for Options fields left at zero.
const (
	DefaultConcurrency      = 32
	DefaultPerHost          = 2
	DefaultTimeout          = 30 * time.Second
	DefaultConnectTimeout   = 10 * time.Second
	DefaultMaxRedirects     = 8
	DefaultFailuresToBroken = 3
	DefaultBrokenAfter      = 36 * time.Hour
	DefaultMaxRetryAfter    = 60 * time.Second
	DefaultHostFailures     = 3

	// SkippedReason is the reason of a URL not checked because its host
	// was unreachable during the run (see Options.HostFailures).
	SkippedReason = vigie.ReasonHostUnreachableRun

	// ManyRedirects is the number of redirects above which a link is flagged.
	ManyRedirects = 2
	// sniffBytes is the most a check ever reads of a response body.
	sniffBytes = 4 << 10
	// maxHeaderBytes caps the size of response headers.
	maxHeaderBytes = 64 << 10
)

// Options tune a Checker. Zero values take the defaults above.
type Options struct {
	Concurrency      int           // requests in flight overall
	PerHost          int           // requests in flight per host:port
	PerHostDelay     time.Duration // minimum time between request starts on one host
	Timeout          time.Duration // total time of one request, body prefix included
	ConnectTimeout   time.Duration // TCP connect and TLS handshake
	MaxRedirects     int
	FailuresToBroken int           // N: consecutive failures before "broken"
	BrokenAfter      time.Duration // H: failures must span at least this long
	MaxRetryAfter    time.Duration // longest Retry-After wait honoured; longer is "unsure"
	// HostFailures is the circuit breaker: after this many consecutive
	// checks of one host end in a timeout, a failed name lookup or no route,
	// its remaining URLs are not checked in this run but classed unsure
	// (Skipped), which the debounce does not count as failures.
	HostFailures int
	AllowPrivate bool // allow loopback, private and link-local addresses
	UserAgent    string
	Now          func() time.Time // clock for checked_at and the debounce rule
	// Proxy, when set, chooses an HTTP proxy per target URL (nil URL: go
	// direct), as ProxyFromEnvironment does from HTTPS_PROXY, HTTP_PROXY and
	// NO_PROXY. The proxy itself may be on a private address; the target's
	// host name is resolved here and refused unless every address is
	// public (or AllowPrivate), before anything is sent to the proxy.
	Proxy func(target *url.URL) (*url.URL, error)

	// Progress, when set, is called after each URL with done and total.
	Progress func(done, total int)
	// OnResult, when set, receives each final result, one at a time, and
	// Run no longer returns them.
	OnResult func(vigie.LinkResult)
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultPerHost
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultConnectTimeout
	}
	if o.ConnectTimeout > o.Timeout {
		o.ConnectTimeout = o.Timeout
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.FailuresToBroken <= 0 {
		o.FailuresToBroken = DefaultFailuresToBroken
	}
	if o.BrokenAfter < 0 {
		o.BrokenAfter = 0
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = DefaultMaxRetryAfter
	}
	if o.HostFailures <= 0 {
		o.HostFailures = DefaultHostFailures
	}
	if o.UserAgent == "" {
		o.UserAgent = vigie.UserAgent()
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	return o
}

// Target is one URL to check with the formats its resources declare.
type Target struct {
	URL     string
	Formats []string
	// Prev is what the URL's last check left, nil when it was never
	// checked: Run carries its failures forward (see Debounce).
	Prev *vigie.LinkHistory
}

// Checker checks URLs. It is safe for concurrent use; one Checker shares its
// connection pool and per-host limits across everything it checks.
type Checker struct {
	opts  Options
	gates *gates
	http  *http.Transport
	rt    http.RoundTripper

	// permit, when set, allows an address the public-address rule would
	// refuse (tests use it to aim a redirect at a refused address).
	permit func(netip.AddrPort) bool

	// rawDial opens connections (name lookup included); nxdomain remembers
	// the host names it found not to exist, so that a run looks each up once.
	rawDial  func(ctx context.Context, network, addr string) (net.Conn, error)
	nxdomain sync.Map // host name → *net.DNSError

	// proxyDial connects to a proxy the Proxy option chose (proxies holds
	// their host:port); lookup resolves a proxied target's host name for
	// the address rule.
	proxyDial func(ctx context.Context, network, addr string) (net.Conn, error)
	conns     *connLimit // direct connections per host:port, up to PerHost
	proxies   sync.Map
	lookup    func(ctx context.Context, host string) ([]netip.Addr, error)
}

// ProxyFromEnvironment returns the proxy choice of HTTPS_PROXY, HTTP_PROXY
// and NO_PROXY (and their lower-case forms), read now. As in Go's net/http,
// requests to localhost and loopback addresses never go through the proxy.
func ProxyFromEnvironment() func(*url.URL) (*url.URL, error) {
	return httpproxy.FromEnvironment().ProxyFunc()
}

// proxyAddr is the host:port a transport dials for a proxy URL.
func proxyAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "socks5", "socks5h":
			port = "1080"
		default:
			port = "80"
		}
	}
	return strings.ToLower(net.JoinHostPort(u.Hostname(), port))
}

// guardProxied applies the address rule to a request the proxy will make on
// vigie's behalf: the target host must resolve, and only to addresses the
// rule allows, since the connection vigie opens is to the proxy, not to
// it. Direct requests are left to dialControl.
func (c *Checker) guardProxied(req *http.Request) error {
	if c.opts.Proxy == nil {
		return nil
	}
	if p, err := c.opts.Proxy(req.URL); err != nil || p == nil {
		return nil
	}
	if c.opts.AllowPrivate && c.permit == nil {
		return nil // nothing is refused: the proxy resolves the name
	}
	host := req.URL.Hostname()
	port, _ := strconv.Atoi(req.URL.Port())
	allowed := func(a netip.Addr) bool {
		ap := netip.AddrPortFrom(a.Unmap(), uint16(port))
		return (c.permit != nil && c.permit(ap)) || c.opts.AllowPrivate || IsPublic(a)
	}
	if a, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		if !allowed(a) {
			return errNotPublic
		}
		return nil
	}
	key := strings.ToLower(host)
	if v, ok := c.nxdomain.Load(key); ok {
		e := *v.(*net.DNSError)
		return &e
	}
	addrs, err := c.lookup(req.Context(), host)
	if err != nil {
		var dns *net.DNSError
		if errors.As(err, &dns) && dns.IsNotFound {
			e := *dns
			c.nxdomain.Store(key, &e)
		}
		return err
	}
	if len(addrs) == 0 {
		return &net.DNSError{Err: "no address", Name: host, IsNotFound: true}
	}
	for _, a := range addrs {
		if !allowed(a) {
			return errNotPublic
		}
	}
	return nil
}

// dial is rawDial behind the run's negative name cache: a host name that
// does not exist is looked up once per Checker, not once per URL.
func (c *Checker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if _, ok := c.proxies.Load(strings.ToLower(addr)); ok {
		return c.proxyDial(ctx, network, addr) // the operator chose it
	}
	host, _, splitErr := net.SplitHostPort(addr)
	if splitErr == nil {
		if v, ok := c.nxdomain.Load(strings.ToLower(host)); ok {
			e := *v.(*net.DNSError)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &e}
		}
	}
	conn, err := c.conns.dial(ctx, addr, func() (net.Conn, error) { return c.rawDial(ctx, network, addr) })
	var dns *net.DNSError
	if err != nil && splitErr == nil && errors.As(err, &dns) && dns.IsNotFound {
		e := *dns
		c.nxdomain.Store(strings.ToLower(host), &e)
	}
	return conn, err
}

// New builds a Checker.
func New(opts Options) *Checker {
	o := opts.withDefaults()
	c := &Checker{opts: o}
	dialer := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second, Control: c.dialControl}
	c.rawDial = dialer.DialContext
	c.conns = newConnLimit(o.PerHost)
	c.proxyDial = (&net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	c.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	}
	c.http = &http.Transport{
		Proxy:                  nil, // set below when asked: the address rule then checks the target itself
		DialContext:            c.dial,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    o.ConnectTimeout,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		MaxIdleConns:           max(100, 2*o.Concurrency),
		MaxIdleConnsPerHost:    o.PerHost,
		IdleConnTimeout:        30 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableCompression:     true, // lengths and first bytes as the server sends them
	}
	// The per-host limit must hold as the server sees it, in connections:
	// the request gate frees its slot when a response body is closed, but
	// the connection may still be on its way back to the idle pool (the
	// next request then dials another) or not yet closed after a timeout.
	// MaxConnsPerHost counts each connection from dial to close. Through a
	// proxy, vigie's connections go to the proxy (shared by every plain-HTTP
	// target), so only the request gate applies there.
	c.http.MaxConnsPerHost = o.PerHost
	if o.Proxy != nil {
		c.http.MaxConnsPerHost = 0
		c.http.Proxy = func(r *http.Request) (*url.URL, error) {
			u, err := o.Proxy(r.URL)
			if u != nil {
				c.proxies.Store(proxyAddr(u), true)
			}
			return u, err
		}
	}
	c.gates = newGates(o.PerHost, o.PerHostDelay)
	c.rt = &politeTransport{base: c.http, gates: c.gates, guard: c.guardProxied}
	return c
}

// Options returns the options in effect, defaults filled in.
func (c *Checker) Options() Options { return c.opts }

// Close drops idle connections.
func (c *Checker) Close() { c.http.CloseIdleConnections() }
