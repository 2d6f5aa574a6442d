package linkcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

func TestDebounceOverSimulatedTime(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	fail := vigie.LinkResult{Class: vigie.LinkBroken, Status: 404, Reason: "http_status|404"}
	ok := vigie.LinkResult{Class: vigie.LinkOK, Status: 200}
	unsure := vigie.LinkResult{Class: vigie.LinkUnsure, Reason: "timeout|30s"}
	steps := []struct {
		at       time.Duration
		obs      vigie.LinkResult
		class    vigie.LinkClass
		failures int
	}{
		{0, ok, vigie.LinkOK, 0},
		{24 * time.Hour, fail, vigie.LinkFailing, 1},
		{36 * time.Hour, fail, vigie.LinkFailing, 2},
		{48 * time.Hour, unsure, vigie.LinkUnsure, 2}, // neither counts nor resets
		{50 * time.Hour, fail, vigie.LinkFailing, 3},  // 3 failures but only 26 h
		{59 * time.Hour, fail, vigie.LinkFailing, 4},  // 35 h
		{60 * time.Hour, fail, vigie.LinkBroken, 5},   // 36 h since the first failure
		{61 * time.Hour, fail, vigie.LinkBroken, 6},
		{62 * time.Hour, ok, vigie.LinkOK, 0},
		{63 * time.Hour, fail, vigie.LinkFailing, 1}, // a new streak starts over
	}
	var prev *vigie.LinkResult
	for i, s := range steps {
		now := t0.Add(s.at)
		r := Debounce(prev, s.obs, now, 3, 36*time.Hour)
		if r.Class != s.class || r.Failures != s.failures {
			t.Fatalf("step %d (+%v): class %s failures %d, want %s %d", i, s.at, r.Class, r.Failures, s.class, s.failures)
		}
		if !r.CheckedAt.Equal(now) {
			t.Errorf("step %d: checked_at %v", i, r.CheckedAt)
		}
		prev = &r
	}
	// After the last streak started at +63 h, the last success is +62 h.
	if prev.LastSuccess == nil || !prev.LastSuccess.Equal(t0.Add(62*time.Hour)) {
		t.Errorf("last success %v", prev.LastSuccess)
	}
	if prev.FirstFailure == nil || !prev.FirstFailure.Equal(t0.Add(63*time.Hour)) {
		t.Errorf("first failure %v", prev.FirstFailure)
	}

	// Many failures in a short time are not enough, however many.
	var r vigie.LinkResult
	prev = nil
	for i := range 10 {
		r = Debounce(prev, fail, t0.Add(time.Duration(i)*time.Minute), 3, 36*time.Hour)
		prev = &r
	}
	if r.Class != vigie.LinkFailing || r.Failures != 10 {
		t.Errorf("ten failures in ten minutes: %s %d", r.Class, r.Failures)
	}
	// With N=1 and H=0 one failure is enough.
	if r := Debounce(nil, fail, t0, 1, 0); r.Class != vigie.LinkBroken || r.Failures != 1 {
		t.Errorf("N=1 H=0: %s %d", r.Class, r.Failures)
	}
	// The previous state is not modified.
	first := Debounce(nil, fail, t0, 3, time.Hour)
	_ = Debounce(&first, ok, t0.Add(time.Hour), 3, time.Hour)
	if first.FirstFailure == nil || first.Failures != 1 {
		t.Errorf("previous state changed: %+v", first)
	}
}

func TestRunRespectsPerHostLimit(t *testing.T) {
	var inflight, peak, total atomic.Int32
	srv, _ := server(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total.Add(1)
		n := inflight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		inflight.Add(-1)
		w.Header().Set("Content-Type", "text/csv")
	})
	// A second host runs alongside; its requests are not counted above.
	other, _ := server(t, map[string]http.HandlerFunc{})
	other.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(20 * time.Millisecond)
		w.Header().Set("Content-Type", "text/csv")
		fmt.Fprint(w, "a,b\n")
	})
	var targets []Target
	for i := range 30 {
		targets = append(targets, Target{URL: fmt.Sprintf("%s/f%d.csv", srv.URL, i)})
		targets = append(targets, Target{URL: fmt.Sprintf("%s/f%d.csv", other.URL, i)})
	}
	var progress []int
	c := testChecker(t, Options{Concurrency: 16, PerHost: 2, Progress: func(done, total int) {
		if total != 60 {
			t.Errorf("progress total %d", total)
		}
		progress = append(progress, done)
	}})
	res := c.Run(context.Background(), targets)
	if len(res) != 60 || len(progress) != 60 || progress[59] != 60 {
		t.Fatalf("%d results, %d progress calls", len(res), len(progress))
	}
	if p := peak.Load(); p > 2 || p < 2 {
		t.Errorf("peak concurrent requests on one host: %d, want exactly the limit 2", p)
	}
	// HEAD says empty (no body written), so each URL also gets a GET.
	if n := total.Load(); n < 30 {
		t.Errorf("server saw %d requests", n)
	}
	s := Summarize(res)
	if s.URLs != 60 || s.Hosts != 2 {
		t.Errorf("summary %+v", s)
	}
}

func TestRunSpacesRequestsToOneHost(t *testing.T) {
	srv, seen := server(t, map[string]http.HandlerFunc{})
	var targets []Target
	for i := range 5 {
		p := fmt.Sprintf("/d%d.csv", i)
		targets = append(targets, Target{URL: srv.URL + p})
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.add(r)
		csvFile(w, r)
	})
	const delay = 60 * time.Millisecond
	c := testChecker(t, Options{PerHost: 2, PerHostDelay: delay})
	start := time.Now()
	c.Run(context.Background(), targets)
	seen.mu.Lock()
	defer seen.mu.Unlock()
	if len(seen.reqs) != 5 {
		t.Fatalf("%d requests", len(seen.reqs))
	}
	times := make([]time.Time, len(seen.reqs))
	for i, r := range seen.reqs {
		times[i] = r.at
	}
	sort.Slice(times, func(i, j int) bool { return times[i].Before(times[j]) })
	// The checker spaces the moments it sends; the server sees them later by
	// however long the machine takes to schedule it, so gaps between arrivals
	// may shrink under load. What cannot shrink: the fifth request is sent at
	// least four delays after the run began, so it arrives no earlier.
	if span := times[len(times)-1].Sub(start); span < 4*delay {
		t.Errorf("five requests to one host within %v, want at least %v (one every %v)", span, 4*delay, delay)
	}
}

func TestRunChecksEachURLOnceAndDebounces(t *testing.T) {
	var up atomic.Bool
	srv, seen := server(t, map[string]http.HandlerFunc{
		"/shared.csv": csvFile,
		"/flaky.csv": func(w http.ResponseWriter, r *http.Request) {
			if !up.Load() {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			csvFile(w, r)
		},
		"/page": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			fmt.Fprint(w, "<html></html>")
		},
	})
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	c := testChecker(t, Options{Now: func() time.Time { return now }})
	targets := []Target{
		{URL: srv.URL + "/shared.csv", Formats: []string{"CSV"}},
		{URL: srv.URL + "/flaky.csv"},
		{URL: srv.URL + "/shared.csv", Formats: []string{"CSV"}},
		{URL: srv.URL + "/page", Formats: []string{"HTML"}},
		{URL: srv.URL + "/page", Formats: []string{"CSV"}},
		{URL: srv.URL + "/shared.csv", Formats: []string{"ZIP"}},
	}
	first := byURL(c.Run(context.Background(), targets))
	if len(first) != 3 {
		t.Fatalf("%d results for 3 distinct URLs", len(first))
	}
	if n := len(seen.on("/shared.csv")); n != 1 {
		t.Errorf("shared URL requested %d times", n)
	}
	if r := first[srv.URL+"/page"]; !r.LandingPage {
		t.Errorf("formats of duplicates must be merged: %+v", r)
	}
	flaky := first[srv.URL+"/flaky.csv"]
	if flaky.Class != vigie.LinkFailing || flaky.Failures != 1 || !flaky.FirstFailure.Equal(now) || flaky.Status != 500 {
		t.Fatalf("first run: %+v", flaky)
	}
	firstFailure := now

	// Each later run starts from the state the previous one left.
	again := func(prev vigie.LinkResult) vigie.LinkResult {
		t.Helper()
		h := &vigie.LinkHistory{Failures: prev.Failures}
		if prev.FirstFailure != nil {
			h.FirstFailure = *prev.FirstFailure
		}
		if prev.LastSuccess != nil {
			h.LastSuccess = *prev.LastSuccess
		}
		got := byURL(c.Run(context.Background(), []Target{{URL: prev.URL, Prev: h}}))
		return got[prev.URL]
	}
	// Twelve hours later, still down: a second failure, not yet broken.
	now = now.Add(12 * time.Hour)
	flaky = again(flaky)
	if flaky.Class != vigie.LinkFailing || flaky.Failures != 2 || !flaky.FirstFailure.Equal(firstFailure) {
		t.Fatalf("second run: %+v", flaky)
	}
	// A day and a half after the first failure, a third one: broken.
	now = firstFailure.Add(37 * time.Hour)
	flaky = again(flaky)
	if flaky.Class != vigie.LinkBroken || flaky.Failures != 3 || !flaky.FirstFailure.Equal(firstFailure) {
		t.Fatalf("third run: %+v", flaky)
	}
	// The server is back: ok, failures forgotten.
	now = now.Add(time.Hour)
	up.Store(true)
	flaky = again(flaky)
	if flaky.Class != vigie.LinkOK || flaky.Failures != 0 || flaky.FirstFailure != nil || !flaky.LastSuccess.Equal(now) {
		t.Fatalf("fourth run: %+v", flaky)
	}
}

func byURL(rs []vigie.LinkResult) map[string]vigie.LinkResult {
	m := make(map[string]vigie.LinkResult, len(rs))
	for _, r := range rs {
		m[r.URL] = r
	}
	return m
}

func TestRunStopsOnCancel(t *testing.T) {
	srv, _ := server(t, map[string]http.HandlerFunc{})
	var served atomic.Int32
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		select {
		case <-time.After(50 * time.Millisecond):
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "text/csv")
		fmt.Fprint(w, "a\n")
	})
	var targets []Target
	for i := range 200 {
		targets = append(targets, Target{URL: fmt.Sprintf("%s/%d.csv", srv.URL, i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	var res []vigie.LinkResult
	c := testChecker(t, Options{PerHost: 2, OnResult: func(r vigie.LinkResult) {
		if r.Class != vigie.LinkOK {
			t.Errorf("an interrupted check was reported: %+v", r)
		}
		res = append(res, r)
		if len(res) == 3 {
			// Cancelled from the results, not after a fixed time: on
			// a loaded machine the first check may take longer than
			// any delay chosen here.
			cancel()
		}
	}})
	if kept := c.Run(ctx, targets); kept != nil {
		t.Errorf("Run kept %d results that went to OnResult", len(kept))
	}
	if len(res) == 0 || len(res) >= 200 {
		t.Fatalf("%d results after cancelling", len(res))
	}
	for _, r := range res {
		if r.Class != vigie.LinkOK {
			t.Errorf("kept an interrupted check: %+v", r)
		}
	}
}

func TestIsPublic(t *testing.T) {
	for s, want := range map[string]bool{
		"8.8.8.8": true, "142.213.1.1": true, "2001:4860:4860::8888": true,
		"127.0.0.1": false, "10.0.0.1": false, "172.16.5.4": false, "192.168.0.1": false, "169.254.169.254": false,
		"100.64.1.1": false, "0.0.0.0": false, "224.0.0.251": false, "255.255.255.255": false,
		"::1": false, "::": false, "fe80::1": false, "fd00::1": false, "ff02::1": false,
		"::ffff:10.0.0.1": false, "::ffff:8.8.8.8": true, "64:ff9b::a00:1": false, "64:ff9b::808:808": true,
	} {
		if got := IsPublic(netip.MustParseAddr(s)); got != want {
			t.Errorf("IsPublic(%s) = %v, want %v", s, got, want)
		}
	}
}

// The scheduler hands out the earliest pending URL whose host has a free
// slot, and never a URL of a host already at its limit.
func TestSchedulerOrder(t *testing.T) {
	jobs := []Target{
		{URL: "https://a.example/1"}, {URL: "https://a.example/2"}, {URL: "https://a.example/3"},
		{URL: "https://b.example/1"}, {URL: "http://A.example:443/4"}, {URL: "ftp://x/1"},
	}
	if targetKey(jobs[4].URL) != targetKey(jobs[0].URL) {
		t.Fatalf("same host and port, different keys: %q %q", targetKey(jobs[4].URL), targetKey(jobs[0].URL))
	}
	s := newScheduler(jobs, 1, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	stop := context.AfterFunc(ctx, s.wake)
	defer stop()
	take := func() (int, *hostQueue) {
		t.Helper()
		i, q, _, ok := s.next(ctx)
		if !ok {
			t.Fatal("no job handed out")
		}
		return i, q
	}
	var got []int
	i, qa := take() // a.example:443
	got = append(got, i)
	i, qb := take() // a is busy: b.example
	got = append(got, i)
	i, qx := take() // then the URL needing no connection
	got = append(got, i)
	s.done(qb, false, false)
	s.done(qx, false, false)
	s.done(qa, false, false)
	for range 3 {
		i, q := take()
		got = append(got, i)
		s.done(q, false, false)
	}
	if fmt.Sprint(got) != "[0 3 5 1 2 4]" {
		t.Errorf("order %v, want [0 3 5 1 2 4]", got)
	}
	if _, _, _, ok := s.next(ctx); ok {
		t.Error("a job handed out twice")
	}
}
