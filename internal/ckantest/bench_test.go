package ckantest

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
)

// BenchmarkGenerate measures generating one dataset (what PutGenerated and
// lazy serving pay per dataset).
func BenchmarkGenerate(b *testing.B) {
	o := GenOptions{}.withDefaults()
	for i := 0; b.Loop(); i++ {
		generateOne(i, 1, o)
	}
}

// BenchmarkPutGenerated100k measures building a 100,000-dataset portal.
func BenchmarkPutGenerated100k(b *testing.B) {
	for b.Loop() {
		p := New(Options{})
		p.PutGenerated(100_000, 1, GenOptions{})
		if p.Len() != 100_000 {
			b.Fatal(p.Len())
		}
	}
}

// benchServe pages through the whole catalogue, 1,000 rows at a time, over
// loopback HTTP, as a harvester would; one op is one page.
func benchServe(b *testing.B, p *Portal, n int) {
	srv := p.Serve()
	defer srv.Close()
	client := srv.Client()
	start := 0
	var bytes int64
	b.ResetTimer()
	for b.Loop() {
		u := srv.URL + "/api/3/action/package_search?" + url.Values{"rows": {"1000"}, "sort": {"id asc"},
			"start": {strconv.Itoa(start)}}.Encode()
		resp, err := client.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		nb, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatal(resp.Status)
		}
		bytes += nb
		start = (start + 1000) % n
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "datasets/s")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/page")
}

// BenchmarkServePage100kGenerated serves pages of a lazily generated portal
// (what ckanfake does).
func BenchmarkServePage100kGenerated(b *testing.B) {
	p := New(Options{})
	p.PutGenerated(100_000, 1, GenOptions{})
	benchServe(b, p, 100_000)
}

// BenchmarkServePage100kStored serves pages of a portal holding every
// package's JSON (what Put does).
func BenchmarkServePage100kStored(b *testing.B) {
	p := New(Options{})
	GenerateEach(100_000, 1, GenOptions{}, func(_ int, pkg map[string]any) { p.Put(pkg) })
	benchServe(b, p, 100_000)
}
