package harvester

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/vigie-audit/vigie/linkcheck"
)

// errNotPublic is the dial error for a non-public address.
var errNotPublic = errors.New("address is not public")

// addressGuard refuses connections to loopback, private, link-local and
// other non-public addresses, as the link checker does, so that a portal
// cannot redirect vigie onto the machine or network it runs on. They are
// allowed when the configured portal itself is on such an address (an
// intranet portal, a local emulator: its redirects stay there), or with
// AllowPrivate. The portal's own host and a configured proxy are trusted:
// the operator chose them.
type addressGuard struct {
	portalHost string // host:port of the configured portal
	allowAll   bool
	// portalPrivate is set once a dial to the portal's host reached a
	// non-public address.
	portalPrivate atomic.Bool

	mu      sync.Mutex
	proxies map[string]bool // host:port of proxies the transport chose

	// public judges a resolved address; linkcheck.IsPublic by default
	// (tests make a loopback portal look public).
	public func(netip.AddrPort) bool
}

func newAddressGuard(portal *url.URL, allow bool) *addressGuard {
	return &addressGuard{portalHost: hostPort(portal), allowAll: allow, proxies: map[string]bool{},
		public: func(ap netip.AddrPort) bool { return linkcheck.IsPublic(ap.Addr()) }}
}

// hostPort is u's host with its port made explicit, lower-cased.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return strings.ToLower(net.JoinHostPort(u.Hostname(), port))
}

// install wraps t's proxy choice and dialer with the guard.
func (g *addressGuard) install(t *http.Transport) {
	if proxy := t.Proxy; proxy != nil {
		t.Proxy = func(r *http.Request) (*url.URL, error) {
			u, err := proxy(r)
			if u != nil {
				g.mu.Lock()
				g.proxies[hostPort(u)] = true
				g.mu.Unlock()
			}
			return u, err
		}
	}
	base := t.DialContext
	if base == nil {
		base = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		key := strings.ToLower(addr)
		g.mu.Lock()
		trusted := g.proxies[key]
		g.mu.Unlock()
		if key == g.portalHost {
			// the portal itself: note whether it is on a private address
			d := &net.Dialer{Timeout: dialTimeout, KeepAlive: dialKeepAlive, Control: func(_, address string, _ syscall.RawConn) error {
				if ap, err := netip.ParseAddrPort(address); err == nil && !g.public(ap) {
					g.portalPrivate.Store(true)
				}
				return nil
			}}
			return d.DialContext(ctx, network, addr)
		}
		if trusted || g.allowAll || g.portalPrivate.Load() {
			return base(ctx, network, addr)
		}
		d := &net.Dialer{Timeout: dialTimeout, KeepAlive: dialKeepAlive, Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !g.public(ap) {
				return errNotPublic
			}
			return nil
		}}
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil && errors.Is(err, errNotPublic) {
			return nil, &notPublicError{host: addr}
		}
		return conn, err
	}
}

// resty's dialer settings
const (
	dialTimeout   = 30 * time.Second
	dialKeepAlive = 30 * time.Second
)

// notPublicError is a refused redirect target.
type notPublicError struct{ host string }

func (e *notPublicError) Error() string {
	return fmt.Sprintf("%s is a loopback, private or link-local address", e.host)
}
