package linkcheck

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// silentHost accepts TCP connections and never answers; it counts them.
func silentHost(t *testing.T) (addr string, accepted *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted = new(atomic.Int32)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	return ln.Addr().String(), accepted
}

// A host that never answers trips the breaker after HostFailures
// consecutive timeouts: its remaining URLs are unsure and skipped without a
// request, and they do not count toward the broken debounce.
func TestRunSkipsAnUnreachableHost(t *testing.T) {
	addr, accepted := silentHost(t)
	good, _ := server(t, map[string]http.HandlerFunc{"/ok.csv": csvFile})
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	first := t0.Add(-48 * time.Hour)
	var targets []Target
	for i := range 20 {
		tg := Target{URL: fmt.Sprintf("http://%s/f%d.csv", addr, i)}
		if i == 19 { // failed twice before: a third counted failure would make it broken
			tg.Prev = &vigie.LinkHistory{Failures: 2, FirstFailure: first}
		}
		targets = append(targets, tg)
	}
	targets = append(targets, Target{URL: good.URL + "/ok.csv"})
	c := testChecker(t, Options{PerHost: 2, Timeout: 150 * time.Millisecond, HostFailures: 3,
		FailuresToBroken: 3, BrokenAfter: time.Hour, Now: func() time.Time { return t0 }})
	res := c.Run(context.Background(), targets)
	if len(res) != 21 {
		t.Fatalf("%d results", len(res))
	}
	s := Summarize(res)
	// At most HostFailures + PerHost - 1 URLs are tried (the ones in flight
	// when the breaker trips finish); each costs a HEAD and a GET.
	if tried := 20 - s.Skipped; s.Skipped < 16 || tried > 4 {
		t.Errorf("%d URLs skipped, %d tried; want at most 4 tried", s.Skipped, tried)
	}
	if n := accepted.Load(); n > 8 {
		t.Errorf("the silent host got %d connections; want at most 8", n)
	}
	if s.OK != 1 || s.Unsure != 20 {
		t.Errorf("summary %+v", s)
	}
	for _, r := range res {
		if r.Skipped {
			if r.Class != vigie.LinkUnsure || r.Reason != SkippedReason || !r.CheckedAt.Equal(t0) {
				t.Errorf("skipped: %+v", r)
			}
		}
		if strings.HasSuffix(r.URL, "/f19.csv") && (r.Failures != 2 || r.Class == vigie.LinkBroken) {
			t.Errorf("a skipped URL counted toward the debounce: %+v", r)
		}
	}
}

// Any answer from the host starts the count again: failures that are not
// consecutive do not trip the breaker.
func TestSchedulerBreakerNeedsConsecutiveFailures(t *testing.T) {
	var jobs []Target
	for i := range 8 {
		jobs = append(jobs, Target{URL: fmt.Sprintf("https://a.example/%d", i)})
	}
	s := newScheduler(jobs, 1, 2)
	ctx := context.Background()
	for i, down := range []bool{true, false, true, false, true} {
		_, q, skip, ok := s.next(ctx)
		if !ok || skip {
			t.Fatalf("job %d: ok %v skip %v", i, ok, skip)
		}
		s.done(q, false, down)
	}
	_, q, skip, _ := s.next(ctx)
	s.done(q, skip, true) // second consecutive: trips
	for range 2 {
		if _, q, skip, ok := s.next(ctx); !ok || !skip {
			t.Fatalf("after two consecutive failures: ok %v skip %v", ok, skip)
		} else {
			s.done(q, skip, false)
		}
	}
}

// A host name that does not exist is looked up once per run, not once per
// URL; every URL still gets the answer (it is evidence, not a skip).
func TestNegativeNameCache(t *testing.T) {
	c := testChecker(t, Options{PerHost: 1, Timeout: time.Second})
	var lookups atomic.Int32
	c.rawDial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		if strings.EqualFold(host, "gone.example") {
			lookups.Add(1)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}}
		}
		return nil, errors.New("unexpected dial to " + addr)
	}
	var targets []Target
	for i := range 30 {
		targets = append(targets, Target{URL: fmt.Sprintf("https://GONE.example/f%d.csv", i)})
	}
	res := c.Run(context.Background(), targets)
	if n := lookups.Load(); n != 1 {
		t.Errorf("%d lookups of one missing host name, want 1", n)
	}
	for _, r := range res {
		if r.Class != vigie.LinkFailing || r.Skipped || !strings.HasPrefix(r.Reason, "dns_not_found|") {
			t.Fatalf("%+v", r)
		}
	}
}
