package harvester

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// The prefetcher hands pages back in order, keeps depth fetches in flight,
// and cancels its guesses when a page is shorter than the step.
func TestPrefetcherOrderDepthAndWrongGuesses(t *testing.T) {
	var mu sync.Mutex
	var asked []int
	release := make(chan struct{})
	inFlight, most := atomic.Int32{}, atomic.Int32{}
	pf := newPrefetcher(context.Background(), 3, func(ctx context.Context, start int) (int, error) {
		mu.Lock()
		asked = append(asked, start)
		mu.Unlock()
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		select {
		case <-release:
		case <-ctx.Done():
			return 0, ctx.Err()
		}
		return start * 10, nil
	})
	defer pf.close()
	pf.ahead(0, 100, 1000)
	deadline := time.Now().Add(10 * time.Second)
	for inFlight.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if inFlight.Load() != 3 {
		t.Fatalf("%d fetches in flight, want 3 (depth)", inFlight.Load())
	}
	close(release)
	for _, start := range []int{0, 100} {
		if v, err := pf.get(start); err != nil || v != start*10 {
			t.Fatalf("get(%d) = %d, %v", start, v, err)
		}
	}
	// page 100 was short: the listing goes on at 150, not at the guessed 200
	if v, err := pf.get(150); err != nil || v != 1500 {
		t.Fatalf("get(150) = %d, %v", v, err)
	}
	pf.ahead(150, 100, 400) // nothing queued now: 150 is next, then 250, 350
	for _, start := range []int{150, 250, 350} {
		if v, err := pf.get(start); err != nil || v != start*10 {
			t.Fatalf("get(%d) = %d, %v", start, v, err)
		}
	}
	if most.Load() > 3 {
		t.Errorf("%d fetches in flight at once, want at most 3", most.Load())
	}
	mu.Lock()
	defer mu.Unlock()
	slices.Sort(asked)
	if want := []int{0, 100, 150, 150, 200, 250, 350}; !slices.Equal(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
}

// A full harvest asks for the next pages while it stores the current one and
// lists organizations at the same time as datasets, so a portal's latency is
// not paid once per request; it still sends each request once.
func TestFullHarvestOverlapsRequests(t *testing.T) {
	p := ckantest.New(ckantest.Options{RowsMax: 100})
	p.SetNow(func() time.Time { return genNow.Add(48*time.Hour + time.Minute) })
	p.Put(ckantest.Generate(1000, 1, ckantest.GenOptions{Orgs: 60, Now: genNow})...)
	// long enough that two requests sent together overlap even on a loaded machine
	p.Inject(ckantest.Latency("package_search", 150*time.Millisecond))
	p.Inject(ckantest.Latency("organization_list", 150*time.Millisecond))
	var mu sync.Mutex
	inFlight := map[string]int{}
	most, orgsBesideSearch := 0, false
	h := p.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		mu.Lock()
		inFlight[action]++
		most = max(most, inFlight["package_search"])
		if inFlight["package_search"] > 0 && inFlight["organization_list"] > 0 {
			orgsBesideSearch = true
		}
		mu.Unlock()
		h.ServeHTTP(w, r)
		mu.Lock()
		inFlight[action]--
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	db, _ := openStore(t)
	res, err := harvestOnce(t, db, srv.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ListingComplete || res.Fetched != 1000 || res.Organizations != 60 {
		t.Fatalf("result: %+v", res)
	}
	if got := p.Requests("package_search"); got != 10+1 { // 10 pages (the first gives the count), the empty page
		t.Errorf("package_search requests = %d, want 11", got)
	}
	if got := p.Requests("organization_list"); got != 4 { // 25, 25, 10, the empty page
		t.Errorf("organization_list requests = %d, want 4", got)
	}
	if most < 2 {
		t.Errorf("at most %d package_search requests at once: the next page is not fetched while one is stored", most)
	}
	if most > pageDepth {
		t.Errorf("%d package_search requests at once, want at most %d", most, pageDepth)
	}
	if !orgsBesideSearch {
		t.Error("organization_list was never asked while package_search was: organizations are listed before datasets")
	}
}
