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
	"strings"
	"sync"
	"time"

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
	SkippedReason = "host unreachable during this run: not checked, tried again next run"

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
	// Prev is the URL's state after its last check, nil when it was never
	// checked: Run carries its failures forward (see Debounce).
	Prev *vigie.LinkResult
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
}

// dial is rawDial behind the run's negative name cache: a host name that
// does not exist is looked up once per Checker, not once per URL.
func (c *Checker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, splitErr := net.SplitHostPort(addr)
	if splitErr == nil {
		if v, ok := c.nxdomain.Load(strings.ToLower(host)); ok {
			e := *v.(*net.DNSError)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &e}
		}
	}
	conn, err := c.rawDial(ctx, network, addr)
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
	c.http = &http.Transport{
		Proxy:                  nil, // a proxy would hide the address the safety rule must see
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
	c.gates = newGates(o.PerHost, o.PerHostDelay)
	c.rt = &politeTransport{base: c.http, gates: c.gates}
	return c
}

// Options returns the options in effect, defaults filled in.
func (c *Checker) Options() Options { return c.opts }

// Close drops idle connections.
func (c *Checker) Close() { c.http.CloseIdleConnections() }
