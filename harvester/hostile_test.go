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
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/store"
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

// miniPortal is a small CKAN action API whose package_search answers can lie.
type miniPortal struct {
	mu        sync.Mutex
	packages  []string // raw package dicts
	count     int      // what package_search claims; -1 means len(packages)
	endless   bool     // every page holds fresh datasets, for ever
	searches  int
	authSeen  []string
	statusRaw string
}

func (m *miniPortal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if a := r.Header.Get("Authorization"); a != "" {
		m.authSeen = append(m.authSeen, a)
	}
	w.Header().Set("Content-Type", "application/json")
	ok := func(result string) { fmt.Fprintf(w, `{"help":"","success":true,"result":%s}`, result) }
	switch strings.TrimPrefix(r.URL.Path, "/api/3/action/") {
	case "status_show":
		ok(`{"site_title":"Hostile","ckan_version":"2.10.4","extensions":["scheming_datasets"]}`)
	case "organization_list":
		ok(`[]`)
	case "package_search":
		m.searches++
		q := r.URL.Query()
		rows, _ := strconv.Atoi(q.Get("rows"))
		start, _ := strconv.Atoi(q.Get("start"))
		count := m.count
		if count < 0 {
			count = len(m.packages)
		}
		var page []string
		switch {
		case m.endless:
			for i := range rows {
				page = append(page, fmt.Sprintf(`{"id":"endless-%09d","name":"endless-%09d","title":"x","resources":[]}`, start+i, start+i))
			}
		case start < len(m.packages):
			page = m.packages[start:min(len(m.packages), start+max(rows, 0))]
		}
		if q.Get("fl") == "id" {
			for i, p := range page {
				var x struct{ ID string }
				json.Unmarshal([]byte(p), &x)
				page[i] = `{"id":"` + x.ID + `"}`
			}
		}
		ok(fmt.Sprintf(`{"count":%d,"results":[%s]}`, count, strings.Join(page, ",")))
	case "package_show":
		for _, p := range m.packages {
			if strings.Contains(p, `"id":"`+r.URL.Query().Get("id")+`"`) {
				ok(p)
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"help":"","success":false,"error":{"__type":"Not Found Error","message":"Not found"}}`)
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `"Bad request - Action name not known"`)
	}
}

func miniPackage(id, title string) string {
	return `{"id":"` + id + `","name":"` + id + `","title":"` + title + `","metadata_modified":"2026-11-01T00:00:00","resources":[{"id":"r-` + id + `","url":"https://files.example/` + id + `.csv","format":"CSV"}]}`
}

func hostileHarvest(t *testing.T, db *store.DB, base string, full bool) (*Result, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	portal, err := db.EnsurePortal(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	o := hostileLimits
	o.Timeout = 10 * time.Second
	o.MaxBody = 16 << 20
	c, err := NewClient(base, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Harvest(ctx, c, db, portal, Options{Full: full, Rows: 100})
	if ctx.Err() != nil {
		t.Fatal("the harvest did not end within a minute")
	}
	return res, err
}

func openHostileDB(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "vigie.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestHostileInvalidUTF8TitlesAreStoredAsValidText(t *testing.T) {
	mp := &miniPortal{count: -1}
	mp.packages = []string{
		miniPackage("bad-bytes", "caf\xe9 \xff\xfe\xc3"),
		miniPackage("lone-surrogate", `caf\u00e9 \ud800\udfff\ud800`),
		miniPackage("nul", `a\u0000b`),
	}
	srv := httptest.NewServer(mp)
	defer srv.Close()
	db := openHostileDB(t)
	res, err := hostileHarvest(t, db, srv.URL, true)
	if err != nil {
		t.Fatalf("harvest of a portal with bad titles: %v", err)
	}
	if res.Fetched != 3 {
		t.Fatalf("fetched %d datasets, want 3", res.Fetched)
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	n := 0
	err = db.EachDataset(context.Background(), portal.ID, store.DatasetFilter{}, func(d *vigie.Dataset) error {
		n++
		if !utf8.ValidString(d.Title) {
			t.Errorf("%s: stored title is not valid UTF-8: %q", d.ID, d.Title)
		}
		if d.ID != "nul" && !strings.ContainsRune(d.Title, utf8.RuneError) {
			t.Errorf("%s: bad bytes vanished instead of becoming U+FFFD: %q", d.ID, d.Title)
		}
		return nil
	})
	if err != nil || n != 3 {
		t.Fatalf("%d datasets read back: %v", n, err)
	}
}

func TestHostileLyingCountMarksNothingDeleted(t *testing.T) {
	mp := &miniPortal{count: -1}
	for i := range 5 {
		mp.packages = append(mp.packages, miniPackage(fmt.Sprintf("ds-%d", i), "Jeu "+strconv.Itoa(i)))
	}
	srv := httptest.NewServer(mp)
	defer srv.Close()
	db := openHostileDB(t)
	if _, err := hostileHarvest(t, db, srv.URL, true); err != nil {
		t.Fatalf("honest harvest: %v", err)
	}

	// Now the portal claims 10,000 datasets and returns 3.
	mp.mu.Lock()
	mp.count, mp.packages, mp.searches = 10_000, mp.packages[:3], 0
	mp.mu.Unlock()
	for pass := range 2 { // two passes: deletion needs two complete ones
		res, err := hostileHarvest(t, db, srv.URL, true)
		if err == nil && res.ListingComplete {
			t.Fatalf("pass %d: a listing of 3 of 10,000 called complete", pass)
		}
		if res != nil && (res.Missing != 0 || res.Deleted != 0) {
			t.Fatalf("pass %d: %d missing, %d deleted from an incomplete listing", pass, res.Missing, res.Deleted)
		}
		t.Logf("pass %d: err=%v expected=%d fetched=%d", pass, err, res.Expected, res.Fetched)
	}
	if mp.searches > 20 {
		t.Errorf("%d package_search calls for 3 datasets: the harvest loops on the count", mp.searches)
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	active, err := db.CountDatasets(context.Background(), portal.ID, store.HarvestOptions{}, vigie.StateActive)
	if err != nil || active != 5 {
		t.Fatalf("%d active datasets after a lying count, want all 5: %v", active, err)
	}
}

func TestHostileEndlessPagingEnds(t *testing.T) {
	mp := &miniPortal{count: 3, endless: true}
	srv := httptest.NewServer(mp)
	defer srv.Close()
	db := openHostileDB(t)
	_, err := hostileHarvest(t, db, srv.URL, true)
	if err == nil {
		t.Fatal("a portal that never stops paging past its count of 3 was harvested to the end")
	}
	t.Logf("error: %v", err)
	if mp.searches > 50 {
		t.Errorf("%d package_search calls before giving up on a count of 3", mp.searches)
	}
	runs, rerr := db.HarvestRuns(context.Background(), mustPortalID(t, db, srv.URL), 1)
	if rerr != nil || len(runs) != 1 || runs[0].Status == store.RunComplete {
		t.Fatalf("the run is not marked failed: %+v %v", runs, rerr)
	}
}

func mustPortalID(t *testing.T, db *store.DB, u string) int64 {
	t.Helper()
	p, err := db.Portal(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestHostileRedirectToAnotherHostDropsTheToken: the portal redirects its API
// to another host name (localhost against 127.0.0.1) or another port, which
// records the Authorization headers it sees.
func TestHostileRedirectToAnotherHostDropsTheToken(t *testing.T) {
	other := &miniPortal{count: -1, packages: []string{miniPackage("elsewhere", "Ailleurs")}}
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
			other.mu.Lock()
			other.authSeen = nil
			other.mu.Unlock()
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
			other.mu.Lock()
			defer other.mu.Unlock()
			for _, a := range other.authSeen {
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

// TestHostileCyclingPagesEnd: the portal claims 10,000 datasets but its
// pages cycle among 6 (2 a page), whatever start says. The count never
// ends the listing; what the listing learned does: the first page that
// brings no new id.
func TestHostileCyclingPagesEnd(t *testing.T) {
	p, srv := portalWith(t, 6, 2)
	p.Inject(ckantest.CyclingPages(10_000, 6, 2))
	db := openHostileDB(t)
	// an honest first state, to see that nothing is marked after the failure
	res, err := harvestOnce(t, db, srv.URL, Options{Full: true})
	if err == nil {
		t.Fatalf("a listing that cycles among 6 of 10,000 datasets was called done: %+v", res)
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, ErrListingCycles) {
		t.Errorf("the error does not say the listing does not end: %v", err)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("not one line: %q", err)
	}
	if n := p.Requests("package_search"); n > 10 {
		t.Errorf("%d package_search calls for 6 distinct datasets", n)
	}
	runs := runsOf(t, db, srv.URL)
	if len(runs) != 1 || runs[0].Status != store.RunFailed || !strings.Contains(runs[0].Error, "already listed") {
		t.Fatalf("the run is not marked failed with the reason: %+v", runs)
	}
}

// TestHostileCyclingPagesWithATrickleOfNewIDsEnd: each page brings one new
// dataset among repeats, so "no new id" never holds; the share of repeats
// ends it.
func TestHostileCyclingPagesWithATrickleOfNewIDsEnd(t *testing.T) {
	p, srv := portalWith(t, 3, 10)
	var calls atomic.Int64
	p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
		if action != "package_search" || r.URL.Query().Get("rows") == "0" {
			return false
		}
		n := calls.Add(1)
		var res []string
		for i := range 10 {
			id := fmt.Sprintf("old-%d", i)
			if i == 0 {
				id = fmt.Sprintf("new-%d", n)
			}
			res = append(res, `{"id":"`+id+`","name":"`+id+`","title":"t","resources":[]}`)
		}
		fmt.Fprintf(w, `{"help":"","success":true,"result":{"count":1000000,"results":[%s]}}`, strings.Join(res, ","))
		return true
	})
	db := openHostileDB(t)
	_, err := harvestOnce(t, db, srv.URL, Options{Full: true, Rows: 10})
	if !errors.Is(err, ErrListingCycles) {
		t.Fatalf("want the listing stopped as cycling, got %v", err)
	}
	t.Logf("error after %d calls: %v", calls.Load(), err)
	if calls.Load() > 10 {
		t.Errorf("%d package_search pages for %d new ids", calls.Load(), calls.Load())
	}
}

// TestHostileEndlessOrganizationsEnd: organization_list invents new names on
// every page. The listing stops at the cap with one line, holding no more
// than the cap in memory.
func TestHostileEndlessOrganizationsEnd(t *testing.T) {
	p, srv := portalWith(t, 3, 10)
	var calls atomic.Int64
	p.Inject(ckantest.EndlessOrganizations(&calls))
	db := openHostileDB(t)
	_, err := harvestOnce(t, db, srv.URL, Options{Full: true, MaxOrganizations: 500})
	if !errors.Is(err, ErrListingCycles) || !strings.Contains(err.Error(), "organization_list") {
		t.Fatalf("want organization_list stopped, got %v", err)
	}
	t.Logf("error after %d calls: %v", calls.Load(), err)
	if n := calls.Load(); n > 500/25+2 {
		t.Errorf("%d organization_list calls for a cap of 500", n)
	}
	runs := runsOf(t, db, srv.URL)
	if len(runs) != 1 || runs[0].Status != store.RunFailed {
		t.Fatalf("the run is not marked failed: %+v", runs)
	}
	var o Options
	o.defaults()
	if o.MaxOrganizations != DefaultMaxOrganizations || o.MaxDatasets != DefaultMaxDatasets {
		t.Fatalf("defaults: %d organizations, %d datasets", o.MaxOrganizations, o.MaxDatasets)
	}
}

// TestHostileDatasetCap: a listing of fresh datasets past the cap stops.
func TestHostileDatasetCap(t *testing.T) {
	_, srv := portalWith(t, 60, 10)
	db := openHostileDB(t)
	_, err := harvestOnce(t, db, srv.URL, Options{Full: true, Rows: 10, MaxDatasets: 25})
	if !errors.Is(err, ErrListingCycles) || !strings.Contains(err.Error(), "more than 25 datasets") {
		t.Fatalf("want the cap, got %v", err)
	}
}

// TestHostileIndexRebuildMarksNothing: the search index is being rebuilt
// and serves 2 of 200 datasets with count=2. The listing looks complete,
// but marking 198 datasets missing (then deleted the next night) would be
// wrong: package_show still finds them, so the run fails and marks nothing,
// night after night.
func TestHostileIndexRebuildMarksNothing(t *testing.T) {
	p, srv := portalWith(t, 200, 1000)
	db := openHostileDB(t)
	if _, err := harvestOnce(t, db, srv.URL, Options{}); err != nil {
		t.Fatal(err)
	}
	p.SetIndexServes(2)
	for night, o := range []Options{{}, {Full: true}, {}} {
		res, err := harvestOnce(t, db, srv.URL, o)
		if !errors.Is(err, ErrMassMissing) {
			t.Fatalf("night %d: want the marking refused, got %v (%+v)", night, err, res)
		}
		if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "198 of 200") || !strings.Contains(err.Error(), "--max-missing") {
			t.Errorf("night %d: the error does not say what it saw and what to do: %v", night, err)
		}
		if res.Missing != 0 || res.Deleted != 0 {
			t.Fatalf("night %d: %d missing, %d deleted", night, res.Missing, res.Deleted)
		}
		if n := activeCount(t, db, srv.URL); n != 200 {
			t.Fatalf("night %d: %d active datasets, want 200 untouched", night, n)
		}
		if runs := runsOf(t, db, srv.URL); runs[0].Status != store.RunFailed || runs[0].ListingComplete {
			t.Fatalf("night %d: the run is not marked failed: %+v", night, runs[0])
		}
	}
	if n := p.Requests("package_show"); n == 0 || n > 3*missingSample {
		t.Errorf("%d package_show calls to check the missing datasets", n)
	}
	// The index is back: the next run is normal and marks nothing.
	p.SetIndexServes(0)
	res, err := harvestOnce(t, db, srv.URL, Options{Full: true})
	if err != nil || res.Missing != 0 || !res.ListingComplete {
		t.Fatalf("after the rebuild: %+v %v", res, err)
	}
}

// TestMassDeletionThatIsRealGoesThrough: 30 of 100 datasets really deleted
// (package_show says not found): above the threshold, the sample confirms
// it and they are marked missing.
func TestMassDeletionThatIsRealGoesThrough(t *testing.T) {
	p, srv := portalWith(t, 100, 1000)
	db := openHostileDB(t)
	if _, err := harvestOnce(t, db, srv.URL, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range p.IDs()[:30] {
		p.Delete(id)
	}
	res, err := harvestOnce(t, db, srv.URL, Options{Full: true})
	if err != nil || res.Missing != 30 || res.MissingChecked != missingSample {
		t.Fatalf("a real mass deletion: %+v %v", res, err)
	}
	if n := p.Requests("package_show"); n != missingSample {
		t.Errorf("%d package_show calls, want the sample of %d", n, missingSample)
	}
}

// TestFewMissingAreNotChecked: under the threshold (5 of 100, with the
// default 10 %) nothing is asked; with MaxMissing < 0 even one is checked;
// with a threshold of 1 % the 5 are checked.
func TestFewMissingAreNotChecked(t *testing.T) {
	for _, tc := range []struct {
		max    float64
		checks bool
	}{{0, false}, {0.01, true}, {-1, true}, {1, false}} {
		p, srv := portalWith(t, 100, 1000)
		db := openHostileDB(t)
		if _, err := harvestOnce(t, db, srv.URL, Options{}); err != nil {
			t.Fatal(err)
		}
		for _, id := range p.IDs()[:5] {
			p.Delete(id)
		}
		res, err := harvestOnce(t, db, srv.URL, Options{Full: true, MaxMissing: tc.max})
		if err != nil || res.Missing != 5 {
			t.Fatalf("max %v: %+v %v", tc.max, res, err)
		}
		if got := p.Requests("package_show") > 0; got != tc.checks {
			t.Errorf("max %v: package_show called: %v, want %v", tc.max, got, tc.checks)
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

func TestNearNames(t *testing.T) {
	names := []string{"ville-de-quebec", "ville-de-laval", "ville-de-levis", "societe-de-transport-de-montreal", "mern"}
	for want, near := range map[string]string{
		"ville-de-quebc":    "ville-de-quebec",
		"Ville-De-Laval":    "ville-de-laval",
		"levis":             "ville-de-levis",
		"transport":         "societe-de-transport-de-montreal",
		"no-such-org":       "",
		"ville-de-gatineau": "",
	} {
		got := NearNames(want, names, 3)
		if near == "" && len(got) != 0 || near != "" && (len(got) == 0 || got[0] != near) {
			t.Errorf("NearNames(%q) = %v, want %q first", want, got, near)
		}
	}
}
