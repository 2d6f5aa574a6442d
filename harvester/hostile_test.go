package harvester

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// Hostile portals: answers of several GiB, endless slow bodies, deeply
// nested JSON, invalid UTF-8, a count that lies, redirects to another host
// and gzip bombs. Each must end with a clear error within the configured
// limits, with bounded memory, and must never forward the token elsewhere.

const hostileToken = "tok-9f8e7d6c5b4a-hostile-secret"

// hostileLimits are the client limits the tests configure.
var hostileLimits = ClientOptions{
	Rate:         -1,
	Timeout:      time.Second,
	MaxBody:      1 << 20,
	Retries:      1,
	RetryBase:    10 * time.Millisecond,
	MaxRetryWait: 50 * time.Millisecond,
}

func hostileClient(t *testing.T, base string) *Client {
	t.Helper()
	o := hostileLimits
	o.Token = hostileToken
	c, err := NewClient(base, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// callWithin runs one action and fails the test if it has not returned
// after limit: hostile answers must end, not hang. limit is generous.
func callWithin(t *testing.T, c *Client, limit time.Duration) error {
	t.Helper()
	type out struct{ err error }
	done := make(chan out, 1)
	go func() {
		_, err := c.Call(context.Background(), "package_search", nil)
		done <- out{err}
	}()
	select {
	case o := <-done:
		if o.err == nil {
			t.Fatal("a hostile answer was accepted")
		}
		t.Logf("error: %v", o.err)
		if strings.Contains(o.err.Error(), hostileToken) {
			t.Fatal("the token appears in the error")
		}
		return o.err
	case <-time.After(limit):
		t.Fatalf("no error after %s: the client hangs on a hostile answer", limit)
		return nil
	}
}

// allocated returns the bytes allocated while fn ran.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// endless streams chunk until the client goes away, counting bytes written.
func endless(w http.ResponseWriter, r *http.Request, chunk []byte, written *atomic.Int64) {
	for r.Context().Err() == nil {
		n, err := w.Write(chunk)
		written.Add(int64(n))
		if err != nil {
			return
		}
	}
}

func TestHostileHugeAnswerIsCapped(t *testing.T) {
	var written atomic.Int64
	chunk := bytes.Repeat([]byte(`{"id":"00000000","title":"x"},`), 1<<12)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"help":"","success":true,"result":{"count":1,"results":[`))
		endless(w, r, chunk, &written) // several GiB if nobody stops reading
	}))
	defer srv.Close()
	c := hostileClient(t, srv.URL)
	var err error
	alloc := allocated(func() { err = callWithin(t, c, 30*time.Second) })
	if !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error does not say the answer is too large: %v", err)
	}
	if c.Requests() != 1 {
		t.Errorf("an oversized answer was requested %d times; it is not transient", c.Requests())
	}
	if alloc > 64<<20 {
		t.Errorf("%d MiB allocated for a %d MiB cap", alloc>>20, hostileLimits.MaxBody>>20)
	}
	t.Logf("%.1f MiB allocated", float64(alloc)/(1<<20))
	srv.CloseClientConnections()
	if w := written.Load(); w > 256<<20 {
		t.Errorf("the server managed to send %d MiB", w>>20)
	}
	t.Logf("the server sent %.1f MiB before the client stopped", float64(written.Load())/(1<<20))
}

// gzipBomb is a gzip stream of members that each inflate 16 MiB of zeros:
// about 16 KiB on the wire per 16 MiB.
func gzipBomb(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte(`{"help":"","success":true,"result":{"count":1,"results":[{"id":"`))
	zeros := make([]byte, 1<<20)
	for range 16 {
		zw.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostileGzipBombIsCappedAfterInflating(t *testing.T) {
	member := gzipBomb(t)
	if 48*len(member) >= int(hostileLimits.MaxBody) {
		t.Fatalf("the bomb is %d bytes on the wire, not under the cap", 48*len(member))
	}
	var written atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		// 48 members: 768 MiB once inflated, from less than the 1 MiB cap on
		// the wire, so only a cap on the inflated size can stop it.
		for i := 0; i < 48 && r.Context().Err() == nil; i++ {
			n, err := w.Write(member)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := hostileClient(t, srv.URL)
	var err error
	alloc := allocated(func() { err = callWithin(t, c, 30*time.Second) })
	if !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error does not say the answer is too large: %v", err)
	}
	if alloc > 64<<20 {
		t.Errorf("%d MiB allocated for a %d MiB cap: the inflated size is not capped", alloc>>20, hostileLimits.MaxBody>>20)
	}
	t.Logf("server wrote %d KiB of gzip before the client stopped; %.1f MiB allocated", written.Load()>>10, float64(alloc)/(1<<20))
}

func TestHostileSlowEndlessBodyHitsTheTotalTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"help":"","success":true,"result":{"count":1,"results":[`))
		w.(http.Flusher).Flush()
		tick := time.NewTicker(20 * time.Millisecond) // each read well inside the timeout
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				return
			case <-tick.C:
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
			}
		}
	}))
	defer srv.Close()
	c := hostileClient(t, srv.URL)
	start := time.Now()
	// Bound: (1 + Retries) × Timeout + the retry wait, with a wide margin.
	err := callWithin(t, c, 30*time.Second)
	if !strings.Contains(err.Error(), "timeout") {
		t.Errorf("error does not say the portal timed out: %v", err)
	}
	if c.Requests() != 1+hostileLimits.Retries {
		t.Errorf("%d requests; want 1 + %d retries", c.Requests(), hostileLimits.Retries)
	}
	t.Logf("ended after %v", time.Since(start).Round(10*time.Millisecond))
}

func TestHostileDeeplyNestedJSON(t *testing.T) {
	deep := strings.Repeat("[", 100_000)
	for name, body := range map[string]string{
		"bare":            deep,
		"in the envelope": `{"help":"","success":true,"result":` + deep,
		"closed":          `{"help":"","success":true,"result":{"count":1,"results":[{"id":"a","extras":` + deep + strings.Repeat("]", 100_000) + `}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(body))
			}))
			defer srv.Close()
			c := hostileClient(t, srv.URL)
			callWithin(t, c, 30*time.Second)
		})
	}
	// The decoder itself, given a package nested past any sane depth.
	pkg := `{"id":"a","extras":[{"key":"k","value":` + deep + strings.Repeat("]", 100_000) + `}]}`
	if d, err := DecodePackage(json.RawMessage(pkg)); err == nil && d.ID != "a" {
		t.Fatalf("a 100k-deep package decoded as %q", d.ID)
	} else {
		t.Logf("100k-deep package: %v", err)
	}
}

// TestHostileRedirectToAnotherHostDropsTheToken: the portal redirects its API
// to another host name (localhost against 127.0.0.1) or another port, which
// records the Authorization headers it sees.
func TestHostileRedirectToAnotherHostDropsTheToken(t *testing.T) {
	other := &ckantest.MiniPortal{Count: -1, Packages: []string{ckantest.MiniPackage("elsewhere", "Ailleurs")}}
	ln, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	otherSrv := httptest.NewUnstartedServer(other)
	otherSrv.Listener.Close()
	otherSrv.Listener = ln
	otherSrv.Start()
	defer otherSrv.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	otherURL := "http://localhost:" + port

	for _, target := range []struct{ name, base string }{
		{"another host name", otherURL},
		{"another port on the same host", strings.Replace(otherURL, "localhost", "127.0.0.1", 1)},
	} {
		t.Run(target.name, func(t *testing.T) {
			other.Mu.Lock()
			other.AuthSeen = nil
			other.Mu.Unlock()
			var authAtOrigin atomic.Int64
			origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Authorization") == hostileToken {
					authAtOrigin.Add(1)
				}
				http.Redirect(w, r, target.base+r.URL.RequestURI(), http.StatusFound)
			}))
			defer origin.Close()
			c := hostileClient(t, origin.URL)
			_, err := c.Call(context.Background(), "status_show", nil)
			t.Logf("call through the redirect: %v", err)
			if authAtOrigin.Load() == 0 {
				t.Fatal("the token was not sent to the portal itself")
			}
			other.Mu.Lock()
			defer other.Mu.Unlock()
			for _, a := range other.AuthSeen {
				if strings.Contains(a, hostileToken) {
					t.Fatalf("the token was forwarded to %s after a redirect", target.base)
				}
			}
			if err != nil && strings.Contains(err.Error(), hostileToken) {
				t.Fatal("the token appears in the error")
			}
		})
	}
}

// TestHostileEchoedTokenIsScrubbed: a portal that echoes the request (token
// included) in its error page gets its echo scrubbed.
func TestHostileEchoedTokenIsScrubbed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `{"help":"","success":false,"error":{"__type":"Authorization Error","message":"bad key %s"}}`, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	err := callWithin(t, hostileClient(t, srv.URL), 30*time.Second)
	var ae *APIError
	if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
		t.Fatalf("want the 403 as an APIError, got %v", err)
	}
}

// TestHostileEchoedTokenPrefixIsScrubbed: the echo sits where the client
// shortens the portal's text (an HTML title is cut at 80 characters, a CKAN
// message at 300), so only a prefix of the token is left after the cut.
func TestHostileEchoedTokenPrefixIsScrubbed(t *testing.T) {
	for name, body := range map[string]func(auth string) (int, string){
		"HTML title": func(auth string) (int, string) {
			return http.StatusNotFound, "<html><head><title>" + strings.Repeat("y", 80-1-20) + auth + "</title></head></html>"
		},
		"CKAN message": func(auth string) (int, string) {
			return http.StatusForbidden, `{"help":"","success":false,"error":{"__type":"Authorization Error","message":"` + strings.Repeat("z", 300-1-12) + auth + `"}}`
		},
		"validator fields": func(auth string) (int, string) {
			return http.StatusConflict, `{"help":"","success":false,"error":{"__type":"Validation Error","key":["` + strings.Repeat("v", 100-1-5-9) + auth + `"]}}`
		},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				status, b := body(r.Header.Get("Authorization"))
				w.WriteHeader(status)
				fmt.Fprint(w, b)
			}))
			defer srv.Close()
			err := callWithin(t, hostileClient(t, srv.URL), 30*time.Second)
			if strings.Contains(err.Error(), hostileToken[:8]) {
				t.Fatalf("a prefix of the token survives the cut: %v", err)
			}
		})
	}
}

func TestScrubSecretPrefixes(t *testing.T) {
	const secret = "abcdefghijklmnop"
	for in, want := range map[string]string{
		"key abcdefghijklmnop!":  "key [token]!",
		"key abcdefghij…":        "key [token]…",
		"key abcdefgh":           "key [token]",
		"key abcdefg":            "key abcdefg", // 7 characters: ordinary text
		"abcdefghXabcdefghijklm": "[token]X[token]",
		"no secret here":         "no secret here",
	} {
		if got := scrubSecret(in, secret); got != want {
			t.Errorf("scrubSecret(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNewClientRefusesControlCharactersInTheToken(t *testing.T) {
	for _, tok := range []string{"abc\ndef", "abc\rdef", "abc\x00def", "abc\x7fdef"} {
		o := hostileLimits
		o.Token = tok
		if _, err := NewClient("https://portal.example", o); err == nil {
			t.Errorf("token %q accepted", tok)
		} else if strings.Contains(err.Error(), "def") {
			t.Errorf("the error quotes the token: %v", err)
		}
	}
}

// redirectingPortal answers every action with a redirect to target.
func redirectingPortal(t *testing.T, target string) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// internalService is what sits on a private address: an answer the portal
// must not be able to make vigie fetch and quote.
func internalService(t *testing.T, hits *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `<html><head><title>INTERNAL-ADMIN-SECRET db password=hunter2</title></head></html>`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileRedirectToPrivateAddressIsRefused: a public portal (the test
// makes its loopback address count as public) redirects its API to a
// service on a loopback address. vigie does not connect, and says why in
// one line; with AllowPrivate it connects but does not quote the answer.
func TestHostileRedirectToPrivateAddressIsRefused(t *testing.T) {
	var hits atomic.Int64
	internal := internalService(t, &hits)
	portal := redirectingPortal(t, internal.URL)
	_, portalPort, _ := net.SplitHostPort(strings.TrimPrefix(portal.URL, "http://"))
	asPublic := func(c *Client) {
		c.guard.public = func(ap netip.AddrPort) bool { return strconv.Itoa(int(ap.Port())) == portalPort }
	}

	c := hostileClient(t, portal.URL)
	asPublic(c)
	err := callWithin(t, c, 30*time.Second)
	if hits.Load() != 0 {
		t.Fatalf("the internal service was reached %d times", hits.Load())
	}
	if !strings.Contains(err.Error(), "private") || !strings.Contains(err.Error(), "--allow-private") || strings.Contains(err.Error(), "\n") {
		t.Errorf("the error does not say why in one line: %v", err)
	}
	if c.Requests() != 1 {
		t.Errorf("%d requests: a refused address is not transient", c.Requests())
	}

	o := hostileLimits
	o.AllowPrivate = true
	c, err = NewClient(portal.URL, o)
	if err != nil {
		t.Fatal(err)
	}
	asPublic(c)
	err = callWithin(t, c, 30*time.Second)
	if hits.Load() == 0 {
		t.Fatal("with AllowPrivate the redirect was not followed")
	}
	if strings.Contains(err.Error(), "SECRET") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("the answer of another host is quoted: %v", err)
	}
	if !strings.Contains(err.Error(), "another host") {
		t.Errorf("the error does not say the answer came from another host: %v", err)
	}
}

// TestPrivatePortalMayRedirectToPrivateAddresses: a portal that is itself on
// a loopback address (an intranet portal, the emulator) may lead there; the
// other host's answer is still not quoted.
func TestPrivatePortalMayRedirectToPrivateAddresses(t *testing.T) {
	var hits atomic.Int64
	internal := internalService(t, &hits)
	portal := redirectingPortal(t, internal.URL)
	err := callWithin(t, hostileClient(t, portal.URL), 30*time.Second)
	if hits.Load() == 0 {
		t.Fatalf("a private portal's redirect to a private address was refused: %v", err)
	}
	if strings.Contains(err.Error(), "SECRET") {
		t.Fatalf("the answer of another host is quoted: %v", err)
	}
}
