package pipeline

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// Hostile portals the harvest stage must survive: invalid UTF-8, a count
// that lies, endless or cycling pages, a search index being rebuilt.

func hostileHarvest(t *testing.T, db *store.DB, base string, full bool) (*HarvestResult, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	portal, err := db.EnsurePortal(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	o := harvester.ClientOptions{Rate: -1, Retries: 1, RetryBase: 10 * time.Millisecond, MaxRetryWait: 50 * time.Millisecond}
	o.Timeout = 10 * time.Second
	o.MaxBody = 16 << 20
	c, err := harvester.NewClient(base, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := harvestVia(ctx, c, db, portal, opts{Full: full, Rows: 100})
	if ctx.Err() != nil {
		t.Fatal("the harvest did not end within a minute")
	}
	return res, err
}

func TestHostileInvalidUTF8TitlesAreStoredAsValidText(t *testing.T) {
	mp := &ckantest.MiniPortal{Count: -1}
	mp.Packages = []string{
		ckantest.MiniPackage("bad-bytes", "caf\xe9 \xff\xfe\xc3"),
		ckantest.MiniPackage("lone-surrogate", `caf\u00e9 \ud800\udfff\ud800`),
		ckantest.MiniPackage("nul", `a\u0000b`),
	}
	srv := httptest.NewServer(mp)
	defer srv.Close()
	db := storetest.NewDB(t)
	res, err := hostileHarvest(t, db, srv.URL, true)
	if err != nil {
		t.Fatalf("harvest of a portal with bad titles: %v", err)
	}
	if res.Fetched != 3 {
		t.Fatalf("fetched %d datasets, want 3", res.Fetched)
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	n := 0
	err = db.EachDataset(context.Background(), store.DatasetFilter{Scope: vigie.Scope{Portal: portal.URL}}, func(d *vigie.Dataset) error {
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
	mp := &ckantest.MiniPortal{Count: -1}
	for i := range 5 {
		mp.Packages = append(mp.Packages, ckantest.MiniPackage(fmt.Sprintf("ds-%d", i), "Jeu "+strconv.Itoa(i)))
	}
	srv := httptest.NewServer(mp)
	defer srv.Close()
	db := storetest.NewDB(t)
	if _, err := hostileHarvest(t, db, srv.URL, true); err != nil {
		t.Fatalf("honest harvest: %v", err)
	}

	// Now the portal claims 10,000 datasets and returns 3.
	mp.Mu.Lock()
	mp.Count, mp.Packages, mp.Searches = 10_000, mp.Packages[:3], 0
	mp.Mu.Unlock()
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
	if mp.Searches > 20 {
		t.Errorf("%d package_search calls for 3 datasets: the harvest loops on the count", mp.Searches)
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	active, err := db.CountDatasets(context.Background(), portal.ID, store.HarvestOptions{}, vigie.StateActive)
	if err != nil || active != 5 {
		t.Fatalf("%d active datasets after a lying count, want all 5: %v", active, err)
	}
}

func TestHostileEndlessPagingEnds(t *testing.T) {
	mp := &ckantest.MiniPortal{Count: 3, Endless: true}
	srv := httptest.NewServer(mp)
	defer srv.Close()
	db := storetest.NewDB(t)
	_, err := hostileHarvest(t, db, srv.URL, true)
	if err == nil {
		t.Fatal("a portal that never stops paging past its count of 3 was harvested to the end")
	}
	t.Logf("error: %v", err)
	if mp.Searches > 50 {
		t.Errorf("%d package_search calls before giving up on a count of 3", mp.Searches)
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

// TestHostileCyclingPagesEnd: the portal claims 10,000 datasets but its
// pages cycle among 6 (2 a page), whatever start says. The count never
// ends the listing; what the listing learned does: the first page that
// brings no new id.
func TestHostileCyclingPagesEnd(t *testing.T) {
	p, srv := portalWith(t, 6, 2)
	p.Inject(ckantest.CyclingPages(10_000, 6, 2))
	db := storetest.NewDB(t)
	// an honest first state, to see that nothing is marked after the failure
	res, err := harvestOnce(t, db, srv.URL, opts{Full: true})
	if err == nil {
		t.Fatalf("a listing that cycles among 6 of 10,000 datasets was called done: %+v", res)
	}
	t.Logf("error: %v", err)
	if !errors.Is(err, harvester.ErrListingCycles) {
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
	db := storetest.NewDB(t)
	_, err := harvestOnce(t, db, srv.URL, opts{Full: true, Rows: 10})
	if !errors.Is(err, harvester.ErrListingCycles) {
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
	db := storetest.NewDB(t)
	_, err := harvestOnce(t, db, srv.URL, opts{Full: true, MaxOrganizations: 500})
	if !errors.Is(err, harvester.ErrListingCycles) || !strings.Contains(err.Error(), "organization_list") {
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
}

// TestHostileDatasetCap: a listing of fresh datasets past the cap stops.
func TestHostileDatasetCap(t *testing.T) {
	_, srv := portalWith(t, 60, 10)
	db := storetest.NewDB(t)
	_, err := harvestOnce(t, db, srv.URL, opts{Full: true, Rows: 10, MaxDatasets: 25})
	if !errors.Is(err, harvester.ErrListingCycles) || !strings.Contains(err.Error(), "more than 25 datasets") {
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
	db := storetest.NewDB(t)
	if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
		t.Fatal(err)
	}
	p.SetIndexServes(2)
	for night, o := range []opts{{}, {Full: true}, {}} {
		res, err := harvestOnce(t, db, srv.URL, o)
		if !errors.Is(err, ErrMassMissing) {
			t.Fatalf("night %d: want the marking refused, got %v (%+v)", night, err, res)
		}
		if strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "198 of 200") || vigie.KindOf(err) != vigie.KindTooManyMissing {
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
	res, err := harvestOnce(t, db, srv.URL, opts{Full: true})
	if err != nil || res.Missing != 0 || !res.ListingComplete {
		t.Fatalf("after the rebuild: %+v %v", res, err)
	}
}

// TestMassDeletionThatIsRealGoesThrough: 30 of 100 datasets really deleted
// (package_show says not found): above the threshold, the sample confirms
// it and they are marked missing.
func TestMassDeletionThatIsRealGoesThrough(t *testing.T) {
	p, srv := portalWith(t, 100, 1000)
	db := storetest.NewDB(t)
	if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range p.IDs()[:30] {
		p.Delete(id)
	}
	res, err := harvestOnce(t, db, srv.URL, opts{Full: true})
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
		db := storetest.NewDB(t)
		if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
			t.Fatal(err)
		}
		for _, id := range p.IDs()[:5] {
			p.Delete(id)
		}
		res, err := harvestOnce(t, db, srv.URL, opts{Full: true, MaxMissing: tc.max})
		if err != nil || res.Missing != 5 {
			t.Fatalf("max %v: %+v %v", tc.max, res, err)
		}
		if got := p.Requests("package_show") > 0; got != tc.checks {
			t.Errorf("max %v: package_show called: %v, want %v", tc.max, got, tc.checks)
		}
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
