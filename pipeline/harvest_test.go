package pipeline

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

var genNow = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func testClient(tb testing.TB, base, token string) *harvester.Client {
	tb.Helper()
	c, err := harvester.NewClient(base, harvester.ClientOptions{Rate: -1, RetryBase: time.Millisecond, Retries: 3, Timeout: 10 * time.Second, Token: token})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// portalWith serves n generated datasets with the given rows clamp.
func portalWith(tb testing.TB, n, rowsMax int, opts ...ckantest.Options) (*ckantest.Portal, *httptest.Server) {
	tb.Helper()
	o := ckantest.Options{RowsMax: rowsMax}
	if len(opts) > 0 {
		o = opts[0]
		o.RowsMax = rowsMax
	}
	p := ckantest.New(o)
	p.SetNow(func() time.Time { return genNow.Add(48*time.Hour + time.Minute) }) // edits land during the default run
	p.Put(ckantest.Generate(n, 1, ckantest.GenOptions{Orgs: 30, Now: genNow})...)
	srv := p.Serve()
	tb.Cleanup(srv.Close)
	return p, srv
}

func harvestOnce(tb testing.TB, db *store.DB, base string, o opts) (*HarvestResult, error) {
	tb.Helper()
	portal, err := db.EnsurePortal(context.Background(), base)
	if err != nil {
		tb.Fatal(err)
	}
	if o.Now == nil {
		o.Now = func() time.Time { return genNow.Add(48 * time.Hour) }
	}
	db.Now = o.Now
	return harvestVia(context.Background(), testClient(tb, base, ""), db, portal, o)
}

func runsOf(tb testing.TB, db *store.DB, base string) []store.HarvestRun {
	tb.Helper()
	p, err := db.Portal(context.Background(), base)
	if err != nil {
		tb.Fatal(err)
	}
	runs, err := db.HarvestRuns(context.Background(), p.ID, 0)
	if err != nil {
		tb.Fatal(err)
	}
	return runs
}

func activeCount(tb testing.TB, db *store.DB, base string) int {
	tb.Helper()
	p, err := db.Portal(context.Background(), base)
	if err != nil {
		tb.Fatal(err)
	}
	n, err := db.CountDatasets(context.Background(), p.ID, store.HarvestOptions{}, vigie.StateActive)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestFullHarvestWithClampedRows(t *testing.T) {
	p, srv := portalWith(t, 2500, 100)
	db, _ := openStore(t)
	var calls, lastFetched, lastCount int
	res, err := harvestOnce(t, db, srv.URL, opts{Progress: func(phase string, f, c int) { calls++; lastFetched, lastCount = f, c }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != store.ModeFull || !res.ListingComplete || res.Expected != 2500 || res.Fetched != 2500 || res.Counts.New != 2500 {
		t.Fatalf("result: %+v", res)
	}
	if got := p.Requests("package_search"); got != 25+1 { // 25 clamped pages (the first gives the count), the empty page
		t.Errorf("package_search requests = %d, want 26", got)
	}
	if p.Requests("package_show") != 0 {
		t.Errorf("package_show used without gaps")
	}
	if got := p.Requests("organization_list"); got != 3 { // 25, 5, then an empty page
		t.Errorf("organization_list requests = %d, want 3", got)
	}
	if res.Organizations != 30 || res.Requests != p.Requests("") {
		t.Errorf("organizations %d, requests %d vs portal %d", res.Organizations, res.Requests, p.Requests(""))
	}
	if calls < 25 || lastFetched != 2500 || lastCount != 2500 {
		t.Errorf("progress: %d calls, last %d/%d", calls, lastFetched, lastCount)
	}
	if n := activeCount(t, db, srv.URL); n != 2500 {
		t.Fatalf("stored %d", n)
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	if portal.CKANVersion == "" || portal.Title == "" {
		t.Errorf("status_show not recorded: %+v", portal)
	}
	orgs, err := db.Organizations(context.Background(), portal.ID)
	sum := 0
	for _, o := range orgs {
		sum += o.PackageCount
		if o.Title == "" || o.Name == "" {
			t.Errorf("organization without name or title: %+v", o)
		}
	}
	if err != nil || len(orgs) != 30 || sum != 2500 {
		t.Errorf("organizations: %d, datasets counted %d, %v", len(orgs), sum, err)
	}
	// the stored dataset matches the portal's
	id := p.IDs()[1234]
	d, err := db.GetDataset(context.Background(), portal.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	pkg, _ := p.Package(id)
	if d.Name != pkg["name"] || len(d.Resources) != len(pkg["resources"].([]any)) || len(d.Raw) == 0 {
		t.Fatalf("stored %s differs from the portal's: %+v", id, d)
	}
}

func TestFullHarvestWithEditsAndInsertMidway(t *testing.T) {
	p, srv := portalWith(t, 600, 100)
	ids := p.IDs()
	// on the 4th listing page: edit one dataset already listed, one not yet
	// listed, and publish a new dataset whose id sorts before the cursor
	p.Inject(ckantest.Hook("package_search", 4, func() {
		p.Edit(ids[10], func(pkg map[string]any) { pkg["title"] = "Édité pendant la moisson" })
		p.Edit(ids[550], func(pkg map[string]any) { pkg["title"] = "Édité plus loin" })
		p.Put(map[string]any{"id": "00000000-0000-0000-0000-000000000000", "name": "tout-nouveau", "title": "Nouveau", "resources": []any{}})
	}))
	db, portal := openStore(t)
	_ = portal
	res, err := harvestOnce(t, db, srv.URL, opts{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ListingComplete || res.Expected != 601 || res.Counts.New != 601 {
		t.Fatalf("result: %+v", res)
	}
	if p.Requests("package_show") != 1 {
		t.Errorf("the dataset inserted before the cursor should be fetched by package_show, got %d calls", p.Requests("package_show"))
	}
	pp, _ := db.Portal(context.Background(), srv.URL)
	if d, err := db.GetDataset(context.Background(), pp.ID, "tout-nouveau"); err != nil || d.Title != "Nouveau" {
		t.Fatalf("inserted dataset: %v %v", d, err)
	}
	if d, _ := db.GetDataset(context.Background(), pp.ID, ids[550]); d.Title != "Édité plus loin" {
		t.Fatalf("edit ahead of the cursor not seen: %q", d.Title)
	}
	// the next incremental pass picks up the edit behind the cursor
	res, err = harvestOnce(t, db, srv.URL, opts{})
	if err != nil || res.Mode != store.ModeIncremental {
		t.Fatalf("second pass: %+v %v", res, err)
	}
	if d, _ := db.GetDataset(context.Background(), pp.ID, ids[10]); d.Title != "Édité pendant la moisson" {
		t.Fatalf("edit behind the cursor not caught up: %q", d.Title)
	}
}

func TestIncrementalFetchesOnlyEdited(t *testing.T) {
	p, srv := portalWith(t, 1500, 1000)
	db, _ := openStore(t)
	if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
		t.Fatal(err)
	}
	ids := p.IDs()
	// a run that starts now sees edits made after it (margin aside)
	p.SetNow(func() time.Time { return genNow.Add(72 * time.Hour) })
	for _, id := range []string{ids[3], ids[700], ids[1499]} {
		p.Edit(id, func(pkg map[string]any) { pkg["notes"] = "Nouvelle description" })
	}
	before := p.Requests("package_search")
	res, err := harvestOnce(t, db, srv.URL, opts{Now: func() time.Time { return genNow.Add(73 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != store.ModeIncremental || res.Fetched != 3 || res.Counts.Changed != 3 || res.Counts.New != 0 {
		t.Fatalf("incremental: %+v", res)
	}
	if got := p.Requests("package_search") - before; got != 3 { // count, one page, the empty page
		t.Errorf("incremental used %d package_search calls", got)
	}
	pp, _ := db.Portal(context.Background(), srv.URL)
	vs, err := db.DatasetVersions(context.Background(), pp.ID, ids[700])
	if err != nil || len(vs) != 2 || vs[1].RunID != res.RunID {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	if vs, _ := db.DatasetVersions(context.Background(), pp.ID, ids[701]); len(vs) != 1 {
		t.Fatalf("unedited dataset got a version: %+v", vs)
	}
	// --full-every forces a full pass when the last one is old
	res, err = harvestOnce(t, db, srv.URL, opts{FullEvery: time.Hour, Now: func() time.Time { return genNow.Add(100 * time.Hour) }})
	if err != nil || res.Mode != store.ModeFull || res.Counts.Unchanged != 1500 {
		t.Fatalf("full-every: %+v %v", res, err)
	}
}

func TestDeletionsAcrossPasses(t *testing.T) {
	p, srv := portalWith(t, 300, 1000)
	db, _ := openStore(t)
	if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
		t.Fatal(err)
	}
	ids := p.IDs()
	p.Delete(ids[5])
	p.Delete(ids[6])
	// an incremental pass sees the count drift and runs a full pass
	res, err := harvestOnce(t, db, srv.URL, opts{})
	if err != nil || res.Mode != store.ModeFull || !strings.Contains(res.Reason, "drift") || res.Missing != 2 || res.Deleted != 0 {
		t.Fatalf("first pass after deletion: %+v %v", res, err)
	}
	pp, _ := db.Portal(context.Background(), srv.URL)
	if s, _ := db.DatasetStateOf(context.Background(), pp.ID, ids[5]); s.State != vigie.StateMissing {
		t.Fatalf("state: %+v", s)
	}
	if n := activeCount(t, db, srv.URL); n != 298 {
		t.Fatalf("active after first miss: %d", n)
	}
	res, err = harvestOnce(t, db, srv.URL, opts{Full: true})
	if err != nil || res.Missing != 0 || res.Deleted != 2 {
		t.Fatalf("second pass: %+v %v", res, err)
	}
	var deleted []string
	db.EachDataset(context.Background(), store.DatasetFilter{Scope: vigie.Scope{Portal: pp.URL}, States: []string{vigie.StateDeleted}}, func(d *vigie.Dataset) error {
		deleted = append(deleted, d.ID)
		return nil
	})
	if len(deleted) != 2 {
		t.Fatalf("deleted datasets stay in history: %v", deleted)
	}
	// a deleted dataset that comes back is restored
	pkg := ckantest.Generate(300, 1, ckantest.GenOptions{Orgs: 30, Now: genNow})
	for _, g := range pkg {
		if g["id"] == ids[5] {
			p.Put(g)
		}
	}
	res, err = harvestOnce(t, db, srv.URL, opts{Full: true})
	if err != nil || res.Counts.Restored != 1 {
		t.Fatalf("restore: %+v %v", res, err)
	}
	if s, _ := db.DatasetStateOf(context.Background(), pp.ID, ids[5]); s.State != vigie.StateActive {
		t.Fatalf("restored state: %+v", s)
	}
}

func TestOrgScopeFiltersAndLimitsDeletions(t *testing.T) {
	p, srv := portalWith(t, 400, 1000)
	db, _ := openStore(t)
	if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
		t.Fatal(err)
	}
	pp, _ := db.Portal(context.Background(), srv.URL)
	perOrg := map[string][]string{}
	db.EachDataset(context.Background(), store.DatasetFilter{Scope: vigie.Scope{Portal: pp.URL}}, func(d *vigie.Dataset) error {
		perOrg[d.Organization] = append(perOrg[d.Organization], d.ID)
		return nil
	})
	var a, b, other string
	for org := range perOrg {
		switch {
		case a == "":
			a = org
		case b == "":
			b = org
		case other == "":
			other = org
		}
	}
	p.Delete(perOrg[a][0])
	p.Delete(perOrg[other][0])
	res, err := harvestOnce(t, db, srv.URL, opts{Orgs: []string{a, b}})
	if err != nil {
		t.Fatal(err)
	}
	want := len(perOrg[a]) + len(perOrg[b]) - 1
	if res.Mode != store.ModeFull || res.Fetched != want || res.Missing != 1 {
		t.Fatalf("scoped pass: want %d fetched, 1 missing: %+v", want, res)
	}
	if s, _ := db.DatasetStateOf(context.Background(), pp.ID, perOrg[other][0]); s.State != vigie.StateActive {
		t.Fatalf("a dataset out of scope was marked: %+v", s)
	}
	// a scoped incremental pass keeps to its scope
	res, err = harvestOnce(t, db, srv.URL, opts{Orgs: []string{b, a}})
	if err != nil || res.Mode != store.ModeIncremental || res.Fetched != 0 {
		t.Fatalf("scoped incremental: %+v %v", res, err)
	}
}

func TestTransientFaultsAreRetried(t *testing.T) {
	cases := []struct {
		name  string
		fault ckantest.Fault
	}{
		{"500-then-200", ckantest.FailTimes("package_search", 2, 500, "application/json",
			`{"success": false, "error": {"__type": "Internal Server Error", "message": "boom"}}`, nil)},
		{"html-502", ckantest.FailTimes("package_search", 1, 502, "text/html", ckantest.HTMLBadGateway, nil)},
		{"truncated-json", ckantest.FailTimes("package_search", 1, 200, "application/json", ckantest.TruncatedJSON, nil)},
		{"search-error-409", ckantest.FailTimes("package_search", 1, 409, "application/json", ckantest.SearchErrorJSON, nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, srv := portalWith(t, 50, 1000)
			p.Inject(tc.fault)
			db, _ := openStore(t)
			res, err := harvestOnce(t, db, srv.URL, opts{})
			if err != nil || res.Fetched != 50 {
				t.Fatalf("%+v %v", res, err)
			}
		})
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	p, srv := portalWith(t, 20, 1000)
	p.Inject(ckantest.TooManyRequests("package_search", 1, time.Second))
	db, portal := openStore(t)
	portal, _ = db.EnsurePortal(context.Background(), srv.URL)
	var waits []time.Duration
	c, _ := harvester.NewClient(srv.URL, harvester.ClientOptions{Rate: -1, RetryBase: time.Millisecond,
		OnRetry: func(action string, attempt int, wait time.Duration, err error) { waits = append(waits, wait) }})
	res, err := harvestVia(context.Background(), c, db, portal, opts{})
	if err != nil || res.Fetched != 20 {
		t.Fatalf("%+v %v", res, err)
	}
	if len(waits) != 1 || waits[0] != time.Second {
		t.Fatalf("waits %v, want [1s] from Retry-After", waits)
	}
}

func TestPermanentErrorsFailWithoutRetry(t *testing.T) {
	cases := []struct {
		name, body, want string
		status           int
	}{
		{"success-false", `{"success": false, "error": {"__type": "Validation Error", "rows": ["Must be a natural number"]}}`, "Validation Error: rows: Must be a natural number", 200},
		{"validation-409", `{"success": false, "error": {"__type": "Validation Error", "message": "bad"}}`, "HTTP 409 Validation Error: bad", 409},
		{"forbidden-403", `{"success": false, "error": {"__type": "Authorization Error", "message": "Access denied"}}`, "HTTP 403 Authorization Error: Access denied", 403},
		{"html-502-persistent", ckantest.HTMLBadGateway, `HTTP 502: HTML page "502 Bad Gateway"`, 502},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, srv := portalWith(t, 20, 1000)
			p.Inject(ckantest.FailTimes("package_search", 100, tc.status, "", tc.body, nil))
			db, _ := openStore(t)
			_, err := harvestOnce(t, db, srv.URL, opts{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %q, want it to contain %q on one line", err, tc.want)
			}
			want := 1
			if tc.status >= 500 {
				want = 4 // 3 retries
			}
			if got := p.Requests("package_search"); got != want {
				t.Errorf("package_search requests = %d, want %d", got, want)
			}
			runs := runsOf(t, db, srv.URL)
			if len(runs) != 1 || runs[0].Status != store.RunFailed || runs[0].Error == "" {
				t.Fatalf("run not recorded as failed: %+v", runs)
			}
		})
	}
}

func TestPortalIgnoringStartIsAnError(t *testing.T) {
	_, srv := portalWith(t, 250, 100, ckantest.Options{IgnoreStart: true})
	db, _ := openStore(t)
	_, err := harvestOnce(t, db, srv.URL, opts{})
	if !errors.Is(err, harvester.ErrPagingIgnored) || !strings.Contains(err.Error(), "ignores paging (start)") {
		t.Fatalf("err = %v", err)
	}
	runs := runsOf(t, db, srv.URL)
	if runs[0].Status != store.RunFailed || runs[0].ListingComplete {
		t.Fatalf("run: %+v", runs[0])
	}
}

func TestNonCKANEndpoints(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		status            int
	}{
		{"404-html", "text/html", "<html><head><title>Page not found</title></head></html>", 404},
		{"200-html", "text/html", "<!doctype html><html><body><h1>Bienvenue</h1></body></html>", 200},
		{"json-no-envelope", "application/json", `{"datasets": []}`, 200},
		{"404-empty", "text/plain", "", 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			db, _ := openStore(t)
			_, err := harvestOnce(t, db, srv.URL+"/catalogue", opts{})
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, srv.URL+"/catalogue/api/3/action/status_show is not a CKAN action API") || strings.Contains(msg, "\n") {
				t.Fatalf("message: %q", msg)
			}
			if runs := runsOf(t, db, srv.URL+"/catalogue"); len(runs) != 1 || runs[0].Status != store.RunFailed || runs[0].Error != msg {
				t.Fatalf("runs: %+v", runs)
			}
		})
	}
}

func TestInterruptedHarvestKeepsLastGoodState(t *testing.T) {
	p, srv := portalWith(t, 1000, 100)
	db, _ := openStore(t)
	good, err := harvestOnce(t, db, srv.URL, opts{})
	if err != nil {
		t.Fatal(err)
	}
	ids := p.IDs()
	p.Delete(ids[0])
	ctx, cancel := context.WithCancel(context.Background())
	p.Inject(ckantest.Hook("package_search", 4, cancel)) // count, then the 3rd page of the full pass
	portal, _ := db.Portal(context.Background(), srv.URL)
	_, err = harvestVia(ctx, testClient(t, srv.URL, ""), db, portal, opts{Full: true})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	runs, _ := db.HarvestRuns(context.Background(), portal.ID, 0)
	if runs[0].Status != store.RunInterrupted || runs[0].FinishedAt.IsZero() {
		t.Fatalf("interrupted run: %+v", runs[0])
	}
	if n := activeCount(t, db, srv.URL); n != 1000 {
		t.Fatalf("an interrupted pass changed deletions: %d active", n)
	}
	if last, _ := db.LastCompleteFullRun(context.Background(), portal.ID, store.HarvestOptions{}); last.ID != good.RunID {
		t.Fatalf("last complete full run: %+v", last)
	}
	res, err := harvestOnce(t, db, srv.URL, opts{Full: true})
	if err != nil || !res.ListingComplete || res.Missing != 1 || res.Fetched != 999 {
		t.Fatalf("next run: %+v %v", res, err)
	}
}

func TestTokenNeverWritten(t *testing.T) {
	const token = "tok-7f3c9e1d-SECRET"
	p := ckantest.New(ckantest.Options{Token: token})
	p.Put(ckantest.Generate(200, 3, ckantest.GenOptions{Orgs: 5, Now: genNow, PrivateShare: 0.2})...)
	// a proxy that echoes the Authorization header in an error page
	var echo sync.Once
	p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
		fired := false
		if action == "package_search" && r.URL.Query().Get("start") == "" && r.URL.Query().Get("rows") != "0" {
			echo.Do(func() {
				fired = true
				w.WriteHeader(500)
				w.Write([]byte(`{"success": false, "error": {"__type": "Internal Server Error", "message": "bad header ` + r.Header.Get("Authorization") + `"}}`))
			})
		}
		return fired
	})
	srv := p.Serve()
	defer srv.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "vigie.db")
	db := storetest.Open(t, path)
	portal, _ := db.EnsurePortal(context.Background(), srv.URL)
	var retryMsgs []string
	c, _ := harvester.NewClient(srv.URL, harvester.ClientOptions{Rate: -1, RetryBase: time.Millisecond, Token: token,
		OnRetry: func(_ string, _ int, _ time.Duration, err error) { retryMsgs = append(retryMsgs, err.Error()) }})
	res, err := harvestVia(context.Background(), c, db, portal, opts{IncludePrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Fetched != 200 {
		t.Fatalf("private datasets not harvested with the token: %+v", res)
	}
	if len(retryMsgs) != 1 || !strings.Contains(retryMsgs[0], "[token]") {
		t.Fatalf("retry message not scrubbed: %q", retryMsgs)
	}
	// a failing run records its error in the database: make one that echoes the token
	p.Inject(func(w http.ResponseWriter, r *http.Request, action string) bool {
		w.WriteHeader(403)
		w.Write([]byte(`{"success": false, "error": {"__type": "Authorization Error", "message": "token ` + r.Header.Get("Authorization") + ` refused"}}`))
		return true
	})
	_, err = harvestVia(context.Background(), c, db, portal, opts{IncludePrivate: true, Full: true})
	if err == nil || strings.Contains(err.Error(), token) {
		t.Fatalf("error leaks the token or is missing: %v", err)
	}
	db.Close()
	files, _ := filepath.Glob(path + "*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if strings.Contains(string(b), token) {
			t.Fatalf("token written to %s", f)
		}
	}
	// without the token, include_private sees only public datasets
	db2, _ := store.Open(context.Background(), filepath.Join(dir, "public.db"))
	defer db2.Close()
	portal2, _ := db2.EnsurePortal(context.Background(), srv.URL)
	p2 := ckantest.New(ckantest.Options{Token: token})
	p2.Put(ckantest.Generate(200, 3, ckantest.GenOptions{Orgs: 5, Now: genNow, PrivateShare: 0.2})...)
	srv2 := p2.Serve()
	defer srv2.Close()
	pub, err := harvestVia(context.Background(), testClient(t, srv2.URL, ""), db2, portal2, opts{})
	if err != nil || pub.Fetched >= 200 || pub.Fetched < 100 {
		t.Fatalf("anonymous harvest: %+v %v", pub, err)
	}
}

func TestResponseSizeCap(t *testing.T) {
	_, srv := portalWith(t, 300, 1000)
	db, portal := openStore(t)
	portal, _ = db.EnsurePortal(context.Background(), srv.URL)
	c, _ := harvester.NewClient(srv.URL, harvester.ClientOptions{Rate: -1, MaxBody: 64 << 10, RetryBase: time.Millisecond})
	_, err := harvestVia(context.Background(), c, db, portal, opts{})
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("err = %v", err)
	}
}

func TestEmptyListingMarksNothing(t *testing.T) {
	p, srv := portalWith(t, 50, 1000)
	db, _ := openStore(t)
	if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
		t.Fatal(err)
	}
	for _, id := range p.IDs() {
		p.Delete(id)
	}
	res, err := harvestOnce(t, db, srv.URL, opts{Full: true})
	if err != nil || res.ListingComplete || res.Missing != 0 {
		t.Fatalf("empty listing: %+v %v", res, err)
	}
	if n := activeCount(t, db, srv.URL); n != 50 {
		t.Fatalf("active after an empty listing: %d", n)
	}
}
