package ckantest

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func fetch(t *testing.T, method, u string, header http.Header) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	for k, v := range header {
		req.Header[k] = v
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestLinkServerAnswers(t *testing.T) {
	ls := NewLinkServer(LinkOptions{})
	srv := ls.Serve()
	defer srv.Close()
	base := srv.URL + "/files/"

	cases := []struct {
		method, path string
		status       int
		ctype        string
	}{
		{"GET", "abc/arbres.csv", 200, "text/csv; charset=utf-8"},
		{"HEAD", "abc/arbres.csv", 200, "text/csv; charset=utf-8"},
		{"GET", "abc/arbres.geojson", 200, "application/geo+json"},
		{"GET", "404/abc/x.csv", 404, "text/html; charset=utf-8"},
		{"GET", "410/abc/x.csv", 410, "text/html; charset=utf-8"},
		{"GET", "403/abc/x.csv", 403, "text/html; charset=utf-8"},
		{"GET", "500/abc/x.csv", 500, "text/html; charset=utf-8"},
		{"GET", "html/abc/x.csv", 200, "text/html; charset=utf-8"},
		{"HEAD", "nohead/abc/x.pdf", 405, "text/html; charset=utf-8"},
		{"GET", "nohead/abc/x.pdf", 200, "application/pdf"},
		{"GET", "redirect/2/abc/x.csv", 302, ""},
		{"GET", "empty/abc/x.csv", 200, "text/csv; charset=utf-8"},
	}
	for _, c := range cases {
		resp, body := fetch(t, c.method, base+c.path, nil)
		if resp.StatusCode != c.status || (c.ctype != "" && resp.Header.Get("Content-Type") != c.ctype) {
			t.Errorf("%s %s: %d %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if c.method == "HEAD" && body != "" {
			t.Errorf("HEAD %s sent a body", c.path)
		}
	}
	resp, _ := fetch(t, "GET", base+"redirect/2/abc/x.csv", nil)
	if loc := resp.Header.Get("Location"); loc != "/files/redirect/1/abc/x.csv" {
		t.Errorf("redirect 2 → %q", loc)
	}
	resp, _ = fetch(t, "GET", base+"redirect/1/abc/x.csv", nil)
	if loc := resp.Header.Get("Location"); loc != "/files/abc/x.csv" {
		t.Errorf("redirect 1 → %q", loc)
	}

	_, full := fetch(t, "GET", base+"abc/arbres.csv", nil)
	resp, part := fetch(t, "GET", base+"abc/arbres.csv", http.Header{"Range": {"bytes=0-0"}})
	if resp.StatusCode != 206 || part != full[:1] || resp.Header.Get("Content-Range") != fmt.Sprintf("bytes 0-0/%d", len(full)) {
		t.Errorf("Range 0-0: %d %q %q", resp.StatusCode, part, resp.Header.Get("Content-Range"))
	}
	if resp, _ := fetch(t, "GET", base+"empty/abc/x.csv", http.Header{"Range": {"bytes=0-0"}}); resp.StatusCode != 416 {
		t.Errorf("Range on empty body: %d", resp.StatusCode)
	}
	if resp, body := fetch(t, "GET", base+"norange/abc/x.csv", http.Header{"Range": {"bytes=0-0"}}); resp.StatusCode != 200 || len(body) < 10 {
		t.Errorf("norange: %d %d bytes", resp.StatusCode, len(body))
	}
	if resp, _ := fetch(t, "GET", srv.URL+"/elsewhere", nil); resp.StatusCode != 404 {
		t.Errorf("path outside /files/: %d", resp.StatusCode)
	}
	if ls.Requests() != len(cases)+7 {
		t.Errorf("Requests() = %d", ls.Requests())
	}
}

func TestLinkServerBrokenShareIsDeterministic(t *testing.T) {
	count := func(seed int64) (broken int, which string) {
		ls := NewLinkServer(LinkOptions{BrokenShare: 0.2, Seed: seed})
		srv := ls.Serve()
		defer srv.Close()
		var sb strings.Builder
		for i := 0; i < 400; i++ {
			resp, _ := fetch(t, "HEAD", fmt.Sprintf("%s/files/r%d/data.csv", srv.URL, i), nil)
			if resp.StatusCode != 200 {
				if resp.StatusCode != 404 && resp.StatusCode != 500 {
					t.Fatalf("broken link answered %d", resp.StatusCode)
				}
				broken++
				fmt.Fprint(&sb, i, ",")
			}
		}
		return broken, sb.String()
	}
	n1, w1 := count(1)
	n2, w2 := count(1)
	_, w3 := count(2)
	if n1 < 50 || n1 > 110 {
		t.Fatalf("%d of 400 broken at a 20%% share", n1)
	}
	if n1 != n2 || w1 != w2 {
		t.Fatal("same seed, different broken links")
	}
	if w1 == w3 {
		t.Fatal("different seeds, same broken links")
	}
}
