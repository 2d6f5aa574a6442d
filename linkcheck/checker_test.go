package linkcheck

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// seen records what a test server received.
type seen struct {
	mu   sync.Mutex
	reqs []seenReq
}

type seenReq struct {
	method, path, rng, ua string
	at                    time.Time
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, seenReq{r.Method, r.URL.Path, r.Header.Get("Range"), r.UserAgent(), time.Now()})
}

func (s *seen) on(path string) []seenReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []seenReq
	for _, r := range s.reqs {
		if r.path == path {
			out = append(out, r)
		}
	}
	return out
}

func testChecker(t *testing.T, o Options) *Checker {
	t.Helper()
	o.AllowPrivate = true
	if o.Timeout == 0 {
		o.Timeout = 5 * time.Second
	}
	c := New(o)
	t.Cleanup(c.Close)
	return c
}

// server serves the handlers of mux and records every request.
func server(t *testing.T, mux map[string]http.HandlerFunc) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.add(r)
		if h, ok := mux[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, s
}

func csvFile(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	w.Header().Set("Last-Modified", "Tue, 03 Nov 2026 10:00:00 GMT")
	w.Header().Set("ETag", `"abc"`)
	http.ServeContent(w, r, "", time.Time{}, strings.NewReader("a,b\n1,2\n"))
}

func status(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) }
}

func TestCheckClassifiesAnswers(t *testing.T) {
	var flaky atomic.Int32
	srv, seen := server(t, map[string]http.HandlerFunc{
		"/ok":  csvFile,
		"/410": status(http.StatusGone),
		"/500": status(http.StatusInternalServerError),
		"/401": status(http.StatusUnauthorized),
		"/403": status(http.StatusForbidden),
		"/page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, "<html><body>Téléchargez les données</body></html>")
		},
		"/head405": func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			csvFile(w, r)
		},
		"/head404": func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				w.WriteHeader(http.StatusNotFound)
				return
			}
			csvFile(w, r)
		},
		"/500then200": func(w http.ResponseWriter, r *http.Request) {
			if flaky.Add(1) == 1 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			csvFile(w, r)
		},
		"/416": func(w http.ResponseWriter, r *http.Request) {
			switch {
			case r.Method == http.MethodHead:
				w.WriteHeader(http.StatusMethodNotAllowed)
			case r.Header.Get("Range") != "":
				w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			default:
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"a":1}`)
			}
		},
		"/empty": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/csv")
			w.Header().Set("Content-Length", "0")
		},
		"/challenge": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("cf-mitigated", "challenge")
			w.WriteHeader(http.StatusForbidden)
		},
		"/wms": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprint(w, `<?xml version="1.0"?><ServiceExceptionReport version="1.3.0"><ServiceException>Layer not defined</ServiceException></ServiceExceptionReport>`)
		},
		"/untyped-html": func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Content-Type"] = nil
			fmt.Fprint(w, "<!DOCTYPE html><html><head><title>Portal</title></head><body>Download here</body></html>")
		},
	})
	c := testChecker(t, Options{})
	cases := []struct {
		path    string
		formats []string
		class   vigie.LinkClass
		status  int
		reason  string
		landing bool
	}{
		{"/ok", []string{"CSV"}, vigie.LinkOK, 200, "", false},
		{"/missing", nil, vigie.LinkBroken, 404, "http_status|404", false},
		{"/410", nil, vigie.LinkBroken, 410, "http_status|410", false},
		{"/500", nil, vigie.LinkBroken, 500, "http_status|500", false},
		{"/401", nil, vigie.LinkUnsure, 401, "http_status|401", false},
		{"/403", nil, vigie.LinkUnsure, 403, "http_status|403", false},
		{"/challenge", nil, vigie.LinkUnsure, 403, "bot_challenge|403", false},
		{"/head405", []string{"csv"}, vigie.LinkOK, 206, "", false},
		{"/head404", nil, vigie.LinkOK, 206, "", false},
		{"/500then200", nil, vigie.LinkOK, 206, "", false},
		{"/416", []string{"JSON"}, vigie.LinkOK, 200, "", false},
		{"/page", []string{"CSV"}, vigie.LinkOK, 200, "landing_page|CSV", true},
		{"/page", []string{"HTML"}, vigie.LinkOK, 200, "", false},
		{"/untyped-html", []string{"XLSX"}, vigie.LinkOK, 200, "landing_page|XLSX", true},
		{"/empty", nil, vigie.LinkBroken, 200, "empty_body", false},
		{"/wms?SERVICE=WMS&REQUEST=GetMap", nil, vigie.LinkBroken, 200, "ogc_exception", false},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			r := c.Check(context.Background(), Target{URL: srv.URL + tc.path, Formats: tc.formats})
			if r.Class != tc.class || r.Status != tc.status || r.LandingPage != tc.landing {
				t.Fatalf("got class %s status %d landing %v (%s), want %s %d %v", r.Class, r.Status, r.LandingPage, r.Reason, tc.class, tc.status, tc.landing)
			}
			if tc.reason == "" && r.Reason != "" || !strings.Contains(r.Reason, tc.reason) {
				t.Errorf("reason %q, want %q", r.Reason, tc.reason)
			}
			if r.URL != srv.URL+tc.path || r.CheckedAt.IsZero() {
				t.Errorf("url %q checked_at %v", r.URL, r.CheckedAt)
			}
		})
	}

	ok := c.Check(context.Background(), Target{URL: srv.URL + "/ok"})
	if ok.ContentLength != 8 || ok.ETag != `"abc"` || ok.LastModified == nil ||
		!ok.LastModified.Equal(time.Date(2026, 11, 3, 10, 0, 0, 0, time.UTC)) || ok.ContentType != "text/csv" {
		t.Errorf("evidence not kept: %+v", ok)
	}
	// The 206 answer gives the full length through Content-Range.
	if r := c.Check(context.Background(), Target{URL: srv.URL + "/head405"}); r.ContentLength != 8 {
		t.Errorf("length from Content-Range: got %d, want 8", r.ContentLength)
	}
	// HEAD, then a ranged GET, then a plain GET for the 416.
	got := seen.on("/416")
	if len(got) != 3 || got[0].method != "HEAD" || got[1].rng != "bytes=0-0" || got[2].method != "GET" || got[2].rng != "" {
		t.Errorf("requests for /416: %+v", got)
	}
	// A bot challenge is not insisted on.
	if n := len(seen.on("/challenge")); n != 1 {
		t.Errorf("challenge got %d requests, want 1", n)
	}
	// A plain success needs a single HEAD.
	if got := seen.on("/ok"); got[0].method != "HEAD" || len(got) != 2 {
		t.Errorf("requests for /ok: %+v", got)
	}
	if ua := seen.on("/ok")[0].ua; ua != vigie.UserAgent() || strings.Contains(strings.ToLower(ua), "link") || strings.ContainsAny(ua, `"'`) {
		t.Errorf("user agent %q", ua)
	}
}

func TestCheckRedirects(t *testing.T) {
	mux := map[string]http.HandlerFunc{"/data.csv": csvFile}
	hop := func(to string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, http.StatusFound) }
	}
	mux["/r1"] = hop("/data.csv")
	mux["/r2"] = hop("/r1")
	mux["/r3"] = hop("/r2")
	mux["/loop-a"] = hop("/loop-b")
	mux["/loop-b"] = hop("/loop-a")
	for i := 1; i <= 12; i++ {
		mux[fmt.Sprintf("/long%d", i)] = hop(fmt.Sprintf("/long%d", i-1))
	}
	mux["/long0"] = csvFile
	mux["/to-ftp"] = hop("ftp://example.org/data.csv")
	srv, _ := server(t, mux)
	c := testChecker(t, Options{})
	check := func(p string) vigie.LinkResult {
		return c.Check(context.Background(), Target{URL: srv.URL + p})
	}

	if r := check("/r1"); r.Class != vigie.LinkOK || r.Redirects != 1 || r.Reason != "" {
		t.Errorf("one hop: %+v", r)
	}
	r := check("/r3")
	if r.Class != vigie.LinkOK || r.Redirects != 3 || r.FinalURL != srv.URL+"/data.csv" || r.Reason != "many_redirects|3" {
		t.Errorf("three hops must work and be flagged: %+v", r)
	}
	if r := check("/loop-a"); r.Class != vigie.LinkBroken || r.Reason != "redirect_loop" {
		t.Errorf("loop: %+v", r)
	}
	if r := check("/long8"); r.Class != vigie.LinkOK || r.Redirects != 8 {
		t.Errorf("eight hops are allowed: %+v", r)
	}
	if r := check("/long9"); r.Class != vigie.LinkBroken || r.Reason != "too_many_redirects|8" {
		t.Errorf("nine hops: %+v", r)
	}
	if r := check("/to-ftp"); r.Class != vigie.LinkUnsure || r.Reason != "redirect_unsupported_scheme|ftp" {
		t.Errorf("redirect to ftp: %+v", r)
	}
}

func TestCheckTimeout(t *testing.T) {
	srv, _ := server(t, map[string]http.HandlerFunc{"/slow": func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	}})
	c := testChecker(t, Options{Timeout: 150 * time.Millisecond})
	r := c.Check(context.Background(), Target{URL: srv.URL + "/slow"})
	if r.Class != vigie.LinkUnsure || r.Reason != "timeout|150ms" || r.Status != 0 {
		t.Errorf("slow server: %+v", r)
	}
}

func TestCheckRetryAfter(t *testing.T) {
	var calls atomic.Int32
	srv, seen := server(t, map[string]http.HandlerFunc{
		"/busy": func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			csvFile(w, r)
		},
		"/later": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
		},
	})
	c := testChecker(t, Options{})
	r := c.Check(context.Background(), Target{URL: srv.URL + "/busy"})
	got := seen.on("/busy")
	if r.Class != vigie.LinkOK || len(got) != 2 {
		t.Fatalf("after waiting: %+v, %d requests", r, len(got))
	}
	if gap := got[1].at.Sub(got[0].at); gap < 900*time.Millisecond {
		t.Errorf("Retry-After: 1 not honoured, retried after %v", gap)
	}

	r = c.Check(context.Background(), Target{URL: srv.URL + "/later"})
	if r.Class != vigie.LinkUnsure || r.Status != 429 || r.Reason != "rate_limited|429|1h0m0s" {
		t.Errorf("long Retry-After: %+v", r)
	}
	if n := len(seen.on("/later")); n != 1 {
		t.Errorf("long Retry-After: %d requests, want 1", n)
	}
}

// TestCheckNeverDownloads serves an endless body that ignores Range and
// counts what the server managed to write.
func TestCheckNeverDownloads(t *testing.T) {
	for _, typed := range []bool{true, false} {
		t.Run(fmt.Sprintf("typed=%v", typed), func(t *testing.T) {
			var written atomic.Int64
			finished := make(chan struct{}, 4)
			srv, _ := server(t, map[string]http.HandlerFunc{"/huge.zip": func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead {
					if typed {
						w.WriteHeader(http.StatusMethodNotAllowed)
					}
					return
				}
				defer func() { finished <- struct{}{} }()
				if typed {
					w.Header().Set("Content-Type", "application/zip")
				}
				w.Header().Set("Content-Length", fmt.Sprint(int64(8)<<30))
				chunk := make([]byte, 32<<10)
				for written.Load() < 8<<30 {
					n, err := w.Write(chunk)
					written.Add(int64(n))
					if err != nil {
						return
					}
				}
			}})
			c := testChecker(t, Options{})
			r := c.Check(context.Background(), Target{URL: srv.URL + "/huge.zip", Formats: []string{"ZIP"}})
			if r.Class != vigie.LinkOK || r.ContentLength != 8<<30 {
				t.Errorf("huge file: %+v", r)
			}
			select {
			case <-finished:
			case <-time.After(10 * time.Second):
				t.Fatal("the server is still sending: the body was not abandoned")
			}
			t.Logf("server wrote %d bytes before the check let go", written.Load())
			if w := written.Load(); w > 32<<20 {
				t.Errorf("server wrote %d bytes; the check must stop after the first few", w)
			}
		})
	}
}

func TestCheckTransportFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String() + "/data.csv"
	ln.Close()
	c := testChecker(t, Options{})
	cases := []struct {
		url    string
		class  vigie.LinkClass
		reason string
	}{
		{closed, vigie.LinkBroken, "connection_refused"},
		{"ftp://transfert.example.gouv.qc.ca/data.csv", vigie.LinkUnsure, "unsupported_scheme|ftp"},
		{"mailto:donnees@example.org", vigie.LinkUnsure, "unsupported_scheme|mailto"},
		{"not a url at all", vigie.LinkInvalid, "invalid_url|no_scheme"},
		{"", vigie.LinkInvalid, "empty"},
		{`C:\Données\fichier.csv`, vigie.LinkInvalid, "invalid_url|file_path"},
		{"http://", vigie.LinkInvalid, "invalid_url|no_host"},
		{"http://exa mple.org/x", vigie.LinkInvalid, "invalid_url|parse|"},
		{"http://example.org:99999/x", vigie.LinkInvalid, "port"},
		{"http://host.invalid/data.csv", vigie.LinkBroken, "dns_not_found|host.invalid"},
	}
	tlsSrv := httptest.NewTLSServer(http.HandlerFunc(csvFile))
	defer tlsSrv.Close()
	cases = append(cases, struct {
		url    string
		class  vigie.LinkClass
		reason string
	}{tlsSrv.URL + "/data.csv", vigie.LinkUnsure, "tls_error|unknown_authority"})
	for _, tc := range cases {
		r := c.Check(context.Background(), Target{URL: tc.url})
		if r.Class != tc.class || !strings.Contains(r.Reason, tc.reason) {
			t.Errorf("%q: got %s (%s), want %s (%s)", tc.url, r.Class, r.Reason, tc.class, tc.reason)
		}
	}
}

func TestCheckBlocksPrivateAddresses(t *testing.T) {
	target, targetSeen := server(t, map[string]http.HandlerFunc{"/data.csv": csvFile})
	front, frontSeen := server(t, map[string]http.HandlerFunc{"/go": func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/data.csv", http.StatusFound)
	}})

	strict := New(Options{Timeout: 5 * time.Second})
	defer strict.Close()
	for _, u := range []string{target.URL + "/data.csv", strings.Replace(target.URL, "127.0.0.1", "localhost", 1) + "/data.csv",
		"http://169.254.169.254/latest/meta-data/", "http://[::1]:9/x.csv", "http://10.1.2.3:9/x.csv", "http://[::ffff:127.0.0.1]:9/x",
		"http://0.0.0.0:9/x", "http://100.64.0.1:9/x"} {
		r := strict.Check(context.Background(), Target{URL: u})
		if r.Class != vigie.LinkBlocked || r.Reason != "blocked_address" {
			t.Errorf("%s: %+v", u, r)
		}
	}
	if n := len(targetSeen.on("/data.csv")); n != 0 {
		t.Fatalf("a refused address still received %d requests", n)
	}

	// The rule holds after a redirect: only the front server is allowed.
	frontAddr := front.Listener.Addr().String()
	strict.permit = func(ap netip.AddrPort) bool { return ap.String() == frontAddr }
	r := strict.Check(context.Background(), Target{URL: front.URL + "/go"})
	if r.Class != vigie.LinkBlocked || len(frontSeen.on("/go")) == 0 {
		t.Errorf("redirect to a private address: %+v", r)
	}
	if n := len(targetSeen.on("/data.csv")); n != 0 {
		t.Errorf("redirect target received %d requests", n)
	}

	open := testChecker(t, Options{})
	if r := open.Check(context.Background(), Target{URL: target.URL + "/data.csv"}); r.Class != vigie.LinkOK {
		t.Errorf("AllowPrivate: %+v", r)
	}
}

// A Retry-After holds back every request to that host, and the wait does
// not count against the next requests' timeouts.
func TestRetryAfterHoldsTheHost(t *testing.T) {
	var first atomic.Bool
	srv, seen := server(t, map[string]http.HandlerFunc{
		"/a.csv": func(w http.ResponseWriter, r *http.Request) {
			if first.CompareAndSwap(false, true) {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			csvFile(w, r)
		},
		"/b1.csv": func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(100 * time.Millisecond)
			csvFile(w, r)
		},
		"/b2.csv": csvFile,
	})
	c := testChecker(t, Options{PerHost: 2, Timeout: 500 * time.Millisecond})
	res := c.Run(context.Background(), []Target{{URL: srv.URL + "/a.csv"}, {URL: srv.URL + "/b1.csv"}, {URL: srv.URL + "/b2.csv"}})
	for _, r := range res {
		if r.Class != vigie.LinkOK {
			t.Errorf("%s: %s (%s)", r.URL, r.Class, r.Reason)
		}
	}
	busy := seen.on("/a.csv")[0].at
	if b2 := seen.on("/b2.csv"); len(b2) != 1 || b2[0].at.Sub(busy) < 900*time.Millisecond {
		t.Errorf("b2 was requested %v after the 429", b2[0].at.Sub(busy))
	}
}
