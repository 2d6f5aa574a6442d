package linkcheck

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// forwardProxy is a plain-HTTP forward proxy that answers for the targets
// itself (it connects nowhere) and records the absolute URLs it was asked.
func forwardProxy(t *testing.T) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.String())
		mu.Unlock()
		if !r.URL.IsAbs() {
			http.Error(w, "not a proxy request", http.StatusBadRequest)
			return
		}
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "http://intranet.example/inside.csv", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte("a,b\n1,2\n"))
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), asked...)
	}
}

// Through an HTTP proxy (opt-in), links are checked by the proxy, which may
// sit on a private address; the address rule still applies to each target:
// a name that resolves to a private address, or a private IP, is blocked
// before the proxy hears of it.
func TestCheckThroughProxyKeepsTheAddressRule(t *testing.T) {
	proxy, asked := forwardProxy(t)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	c := New(Options{Proxy: ProxyFromEnvironment(), Timeout: 5 * time.Second})
	t.Cleanup(c.Close)
	c.lookup = func(ctx context.Context, host string) ([]netip.Addr, error) {
		switch host {
		case "data.example":
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		case "intranet.example":
			return []netip.Addr{netip.MustParseAddr("93.184.216.35"), netip.MustParseAddr("10.1.2.3")}, nil
		}
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	res := map[string]vigie.LinkResult{}
	for _, r := range c.Run(context.Background(), []Target{
		{URL: "http://data.example/a.csv"}, {URL: "http://intranet.example/secret.csv"},
		{URL: "http://10.0.0.7/x.csv"}, {URL: "http://gone.example/y.csv"}, {URL: "http://data.example/moved"},
	}) {
		res[r.URL] = r
	}
	if r := res["http://data.example/a.csv"]; r.Class != vigie.LinkOK || r.Status != 200 {
		t.Errorf("through the proxy: %+v", r)
	}
	// A redirect to a private target is refused too (each hop is checked).
	for _, u := range []string{"http://intranet.example/secret.csv", "http://10.0.0.7/x.csv", "http://data.example/moved"} {
		if r := res[u]; r.Class != vigie.LinkBlocked {
			t.Errorf("%s: %+v, want blocked", u, r)
		}
	}
	if r := res["http://gone.example/y.csv"]; r.Class != vigie.LinkFailing || !strings.HasPrefix(r.Reason, "dns_not_found|") {
		t.Errorf("missing name: %+v", r)
	}
	for _, a := range asked() {
		if !strings.Contains(a, "data.example") {
			t.Errorf("the proxy was asked %q", a)
		}
	}
	if len(asked()) == 0 {
		t.Error("the proxy was not used")
	}

	// Without the option the environment is ignored: nothing reaches the proxy.
	before := len(asked())
	direct := New(Options{Timeout: 2 * time.Second})
	t.Cleanup(direct.Close)
	direct.rawDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: "data.example", IsNotFound: true}}
	}
	if r := direct.Check(context.Background(), Target{URL: "http://data.example/a.csv"}); r.Class == vigie.LinkOK || len(asked()) != before {
		t.Errorf("direct check went through the proxy: %+v", r)
	}
	// The proxy is chosen per URL: NO_PROXY hosts go direct.
	t.Setenv("NO_PROXY", "data.example")
	p := ProxyFromEnvironment()
	if u, _ := p(&url.URL{Scheme: "http", Host: "data.example"}); u != nil {
		t.Errorf("NO_PROXY ignored: %v", u)
	}
}
