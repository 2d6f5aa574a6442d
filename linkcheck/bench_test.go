package linkcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// BenchmarkRun10kURLs50Hosts: 10,000 URLs spread over 50 local servers that
// each answer after 50 ms, two requests at a time per host. The floor is
// 10,000 / (50 × 2) × 50 ms = 5 s; "x-floor" is the measured time over it.
func BenchmarkRun10kURLs50Hosts(b *testing.B) {
	const (
		hosts   = 50
		urls    = 10000
		perHost = 2
		latency = 50 * time.Millisecond
	)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		w.Header().Set("Content-Type", "text/csv")
		w.Header().Set("Content-Length", "4")
		fmt.Fprint(w, "a,b\n")
	})
	var bases []string
	for range hosts {
		s := httptest.NewServer(handler)
		b.Cleanup(s.Close)
		bases = append(bases, s.URL)
	}
	floor := time.Duration(urls/(hosts*perHost)) * latency
	// interleaved: hosts take turns; grouped: all of one host's URLs, then
	// the next host's (how a catalogue sorted by organization looks).
	for _, order := range []string{"interleaved", "grouped"} {
		targets := make([]Target, urls)
		for i := range targets {
			h := i % hosts
			if order == "grouped" {
				h = i / (urls / hosts)
			}
			targets[i] = Target{URL: fmt.Sprintf("%s/dataset/%d/resource.csv", bases[h], i), Formats: []string{"CSV"}}
		}
		b.Run(order, func(b *testing.B) { benchRun(b, targets, floor, hosts, perHost) })
	}
}

func benchRun(b *testing.B, targets []Target, floor time.Duration, hosts, perHost int) {
	urls := len(targets)
	var total time.Duration
	for range b.N {
		c := New(Options{Concurrency: 100, PerHost: perHost, AllowPrivate: true})
		start := time.Now()
		res := c.Run(context.Background(), targets)
		total += time.Since(start)
		c.Close()
		if s := Summarize(res); s.OK != urls || s.Hosts != hosts {
			b.Fatalf("summary %+v", s)
		}
		for _, r := range res {
			if r.Class != vigie.LinkOK {
				b.Fatalf("%+v", r)
			}
		}
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(floor), "x-floor")
}
