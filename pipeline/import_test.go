package pipeline

import (
	"bytes"
	"compress/gzip"
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
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/store"
)

// Every real file that holds packages imports; organization files feed
// organizations; package_list files say what they are.
func TestImportEveryRealFixture(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "real", "*", "*.json"))
	if err != nil || len(files) < 20 {
		t.Fatalf("fixtures: %d %v", len(files), err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join("..", "testdata", "real"), f)
		if strings.HasPrefix(rel, "schema") {
			continue
		}
		t.Run(rel, func(t *testing.T) {
			db, p := openStore(t)
			res, err := importFile(context.Background(), db, p, f, importOpts{})
			base := filepath.Base(f)
			switch {
			case strings.HasPrefix(base, "package_list"):
				if err == nil || !strings.Contains(err.Error(), "package_list") {
					t.Fatalf("package_list file: %v", err)
				}
				return
			case err != nil:
				t.Fatal(err)
			case strings.HasPrefix(base, "organization"):
				if res.Organizations == 0 {
					t.Fatalf("no organization imported: %+v", res)
				}
				orgs, _ := db.Organizations(context.Background(), p.ID)
				if len(orgs) != res.Organizations || orgs[0].Name == "" {
					t.Fatalf("organizations stored: %+v", orgs)
				}
				return
			}
			if res.Fetched == 0 || res.Counts.New != res.Fetched {
				t.Fatalf("nothing imported: %+v", res)
			}
			n := 0
			err = db.EachDataset(context.Background(), store.DatasetFilter{Scope: vigie.Scope{Portal: p.URL}}, func(d *vigie.Dataset) error {
				n++
				if d.ID == "" || d.Name == "" {
					t.Errorf("dataset without id or name: %+v", d)
				}
				return nil
			})
			if err != nil || n != res.Fetched {
				t.Fatalf("stored %d of %d: %v", n, res.Fetched, err)
			}
			runs, _ := db.HarvestRuns(context.Background(), p.ID, 1)
			if runs[0].Status != store.RunComplete || runs[0].Mode != store.ModeImport || runs[0].New != n {
				t.Fatalf("run: %+v", runs[0])
			}
		})
	}
}

func TestImportJSONLinesCompleteMarksMissing(t *testing.T) {
	db, p := openStore(t)
	dir := t.TempDir()
	write := func(name string, ids ...string) string {
		var b strings.Builder
		for _, id := range ids {
			b.WriteString(`{"id":"` + id + `","name":"n-` + id + `","title":"T","resources":[]}` + "\n")
		}
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(b.String()), 0o644)
		return path
	}
	ctx := context.Background()
	if _, err := importFile(ctx, db, p, write("a.jsonl", "1", "2", "3"), importOpts{Complete: true}); err != nil {
		t.Fatal(err)
	}
	res, err := importFile(ctx, db, p, write("b.jsonl", "1", "2"), importOpts{})
	if err != nil || res.Missing != 0 || res.Counts.Unchanged != 2 {
		t.Fatalf("partial import must not mark deletions: %+v %v", res, err)
	}
	// 1 of 3 is above the default --max-missing: refused, then allowed
	res, err = importFile(ctx, db, p, write("c.jsonl", "1", "2"), importOpts{Complete: true})
	if !errors.Is(err, ErrMassMissing) || res.Missing != 0 || vigie.KindOf(err) != vigie.KindTooManyMissing {
		t.Fatalf("complete import lacking a third of the catalogue: %+v %v", res, err)
	}
	if s, _ := db.DatasetStateOf(ctx, p.ID, "3"); s.State != vigie.StateActive {
		t.Fatalf("state of 3 after the refusal: %+v", s)
	}
	res, err = importFile(ctx, db, p, write("c.jsonl", "1", "2"), importOpts{Complete: true, MaxMissing: 1})
	if err != nil || res.Missing != 1 {
		t.Fatalf("complete import: %+v %v", res, err)
	}
	if s, _ := db.DatasetStateOf(ctx, p.ID, "3"); s.State != vigie.StateMissing {
		t.Fatalf("state of 3: %+v", s)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"id":"1","name":"x"`), 0o644)
	if _, err := importFile(ctx, db, p, bad, importOpts{}); err == nil || !strings.Contains(err.Error(), "bad.json") {
		t.Fatalf("truncated file: %v", err)
	}
	runs, _ := db.HarvestRuns(ctx, p.ID, 1)
	if runs[0].Status != store.RunFailed || runs[0].Error == "" {
		t.Fatalf("failed import run: %+v", runs[0])
	}
}

// The portal's licence register is harvested and stored; what it declares
// survives a later harvest that cannot read it.
func TestHarvestStoresLicenceRegister(t *testing.T) {
	p, srv := portalWith(t, 20, 100)
	p.SetLicences([]map[string]any{
		{"id": "hdx-odc-odbl", "title": "Open Database License (ODC-ODbL)", "url": "", "od_conformance": "not reviewed",
			"osd_conformance": "not reviewed", "is_okd_compliant": false, "is_osi_compliant": false, "is_generic": "False"},
		{"id": "other-pd-nr", "title": "Public Domain / No Restrictions", "is_generic": "True", "is_okd_compliant": true},
		{"id": "cc-by", "title": "Creative Commons Attribution", "od_conformance": "approved"},
	})
	db, _ := openStore(t)
	res, err := harvestOnce(t, db, srv.URL, opts{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Licences != 3 {
		t.Errorf("Licences = %d, want 3", res.Licences)
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	reg, err := db.PortalLicences(context.Background(), portal.ID)
	if err != nil {
		t.Fatal(err)
	}
	pd := reg["other-pd-nr"]
	if len(reg) != 3 || !pd.Generic || pd.OKDCompliant == nil || !*pd.OKDCompliant || reg["cc-by"].ODConformance != "approved" ||
		reg["hdx-odc-odbl"].OKDCompliant == nil || *reg["hdx-odc-odbl"].OKDCompliant || reg["hdx-odc-odbl"].Title != "Open Database License (ODC-ODbL)" {
		t.Errorf("stored register: %+v", reg)
	}

	// license_list now answers 404 (as portals that disable it do): the
	// harvest succeeds and the register read before is kept.
	p.Inject(ckantest.FailTimes("license_list", 1000, http.StatusNotFound, "application/json",
		`{"success": false, "error": {"__type": "Not Found Error", "message": "Not found"}}`, nil))
	res, err = harvestOnce(t, db, srv.URL, opts{Full: true})
	if err != nil {
		t.Fatalf("a portal without license_list must still harvest: %v", err)
	}
	if res.Licences != 0 || res.Fetched != 20 {
		t.Errorf("after 404: licences %d fetched %d", res.Licences, res.Fetched)
	}
	if reg, _ := db.PortalLicences(context.Background(), portal.ID); len(reg) != 3 {
		t.Errorf("register lost after a 404: %d entries", len(reg))
	}
}

// A portal that never had license_list (403, an HTML page) harvests and has
// no register.
func TestHarvestWithoutLicenceList(t *testing.T) {
	for _, c := range []struct {
		status      int
		ctype, body string
	}{
		{http.StatusForbidden, "application/json", `{"success": false, "error": {"__type": "Authorization Error", "message": "Access denied"}}`},
		{http.StatusNotFound, "text/html", `<html><title>Not found</title></html>`},
		{http.StatusOK, "application/json", `{"success": true, "result": {"not": "a list"}}`},
	} {
		p, srv := portalWith(t, 5, 100)
		p.Inject(ckantest.FailTimes("license_list", 1000, c.status, c.ctype, c.body, nil))
		db, _ := openStore(t)
		res, err := harvestOnce(t, db, srv.URL, opts{})
		if err != nil {
			t.Fatalf("HTTP %d on license_list: %v", c.status, err)
		}
		portal, _ := db.Portal(context.Background(), srv.URL)
		reg, _ := db.PortalLicences(context.Background(), portal.ID)
		if res.Licences != 0 || reg != nil || res.Fetched != 5 {
			t.Errorf("HTTP %d: licences %d, register %v, fetched %d", c.status, res.Licences, reg, res.Fetched)
		}
	}
}

// A saved license_list answer imports as the portal's register.
func TestImportLicenceList(t *testing.T) {
	db, portal := openStore(t)
	path := filepath.Join(t.TempDir(), "license_list.json")
	body := `{"help": "", "success": true, "result": [
	 {"id": "hdx-pddl", "title": "Open Data Commons Public Domain Dedication and License (PDDL)", "od_conformance": "not reviewed", "is_okd_compliant": false},
	 {"id": "cc-by", "title": "Creative Commons Attribution", "od_conformance": "approved", "is_generic": "False"}]}`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := importFile(context.Background(), db, portal, path, importOpts{})
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := db.PortalLicences(context.Background(), portal.ID)
	if res.Licences != 2 || len(reg) != 2 || reg["cc-by"].ODConformance != "approved" || reg["cc-by"].Generic {
		t.Errorf("import: %d licences, register %+v", res.Licences, reg)
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
	most, orgsBesideSearch := 0, false
	srv := inFlightServer(t, p.Handler(), func(inFlight map[string]int) {
		most = max(most, inFlight["package_search"])
		if inFlight["package_search"] > 0 && inFlight["organization_list"] > 0 {
			orgsBesideSearch = true
		}
	})
	db, _ := openStore(t)
	res, err := harvestOnce(t, db, srv.URL, opts{})
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
	if most > 2 {
		t.Errorf("%d package_search requests at once, want at most %d", most, 2)
	}
	if !orgsBesideSearch {
		t.Error("organization_list was never asked while package_search was: organizations are listed before datasets")
	}
}

// status_show is asked beside the first package_search page, not before
// it; its answer is still recorded, and its failure is the one reported,
// with nothing written.
func TestFullHarvestProbesBesideFirstPage(t *testing.T) {
	p := ckantest.New(ckantest.Options{RowsMax: 100})
	p.SetNow(func() time.Time { return genNow.Add(48*time.Hour + time.Minute) })
	p.Put(ckantest.Generate(300, 1, ckantest.GenOptions{Orgs: 5, Now: genNow})...)
	// long enough that two requests sent together overlap even on a loaded machine
	p.Inject(ckantest.Latency("status_show", 300*time.Millisecond))
	p.Inject(ckantest.Latency("package_search", 300*time.Millisecond))
	overlap := false
	srv := inFlightServer(t, p.Handler(), func(inFlight map[string]int) {
		if inFlight["package_search"] > 0 && inFlight["status_show"] > 0 {
			overlap = true
		}
	})
	db, _ := openStore(t)
	res, err := harvestOnce(t, db, srv.URL, opts{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.ListingComplete || res.Fetched != 300 {
		t.Fatalf("result: %+v", res)
	}
	if !overlap {
		t.Error("package_search was never asked while status_show was: the first page waits for the probe")
	}
	portal, _ := db.Portal(context.Background(), srv.URL)
	if portal.CKANVersion == "" || portal.ProbedAt.IsZero() {
		t.Errorf("the probe's answer was not recorded: %+v", portal)
	}

	// a portal whose status_show fails: its error, not the listing's, and no dataset written
	q := ckantest.New(ckantest.Options{RowsMax: 100})
	q.Put(ckantest.Generate(300, 1, ckantest.GenOptions{Orgs: 5, Now: genNow})...)
	q.Inject(ckantest.Latency("status_show", 200*time.Millisecond))
	q.Inject(ckantest.FailTimes("status_show", 100, http.StatusForbidden, "application/json",
		`{"success": false, "error": {"__type": "Authorization Error", "message": "probe refused"}}`, nil))
	srv2 := httptest.NewServer(q.Handler())
	t.Cleanup(srv2.Close)
	db2, _ := openStore(t)
	_, err = harvestOnce(t, db2, srv2.URL, opts{})
	if err == nil || !strings.Contains(err.Error(), "status_show") {
		t.Fatalf("err = %v, want status_show's failure", err)
	}
	n := 0
	_ = db2.EachDataset(context.Background(), store.DatasetFilter{Scope: vigie.Scope{Portal: srv2.URL}}, func(*vigie.Dataset) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d datasets written although status_show failed", n)
	}
}

// A ckanapi dump written with -z is gzip: told by its magic bytes, whatever
// its name; "-" reads the standard input given in the options.
func TestImportGzipAndStdin(t *testing.T) {
	ctx := context.Background()
	real, err := os.ReadFile("../testdata/real/data.birmingham.gov.uk/package_search_2021-09.json")
	if err != nil {
		t.Fatal(err)
	}
	var plain bytes.Buffer
	for _, id := range []string{"a1", "a2", "a3"} {
		plain.WriteString(`{"id":"` + id + `","name":"n-` + id + `","title":"Titre ` + id + `","resources":[]}` + "\n")
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain.Bytes())
	zw.Close()
	dir := t.TempDir()
	path := filepath.Join(dir, "dump.jsonl") // no .gz: the content decides
	os.WriteFile(path, gz.Bytes(), 0o644)

	db, p := openStore(t)
	res, err := importFile(ctx, db, p, path, importOpts{})
	if err != nil || res.Fetched != 3 || res.Counts.New != 3 {
		t.Fatalf("gzip file: %+v %v", res, err)
	}

	// A real package_search answer, gzipped, on standard input.
	var rz bytes.Buffer
	zw = gzip.NewWriter(&rz)
	zw.Write(real)
	zw.Close()
	db2, p2 := openStore(t)
	res, err = importFile(ctx, db2, p2, "-", importOpts{Stdin: &rz})
	if err != nil || res.Fetched == 0 {
		t.Fatalf("gzip stdin: %+v %v", res, err)
	}
	// Plain JSON lines on standard input.
	db3, p3 := openStore(t)
	res, err = importFile(ctx, db3, p3, "-", importOpts{Stdin: bytes.NewReader(plain.Bytes())})
	if err != nil || res.Fetched != 3 || !strings.Contains(res.Reason, "--from -") {
		t.Fatalf("stdin: %+v %v", res, err)
	}
	if _, err := importFile(ctx, db3, p3, "-", importOpts{}); err == nil {
		t.Error("--from - without a standard input was accepted")
	}
	// A gzip stream cut short is an error naming the file, not a partial success.
	cut := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(cut, gz.Bytes()[:len(gz.Bytes())/2], 0o644)
	if _, err := importFile(ctx, db3, p3, cut, importOpts{}); err == nil || !strings.Contains(err.Error(), "cut.jsonl.gz") {
		t.Errorf("truncated gzip: %v", err)
	}
}

// FuzzImport: any file given to 'vigie harvest --from' imports or fails with
// an error, never a panic, and leaves a sound database whose run is recorded.
func FuzzImport(f *testing.F) {
	pkgs := ckantest.FixturePackages(f, filepath.Join("..", "testdata", "real"))
	for _, p := range pkgs[:8] {
		f.Add([]byte(p))
		f.Add([]byte(`{"help":"","success":true,"result":{"count":1,"results":[` + string(p) + `]}}`))
	}
	f.Add([]byte("[" + string(pkgs[0]) + "," + string(pkgs[1]) + "]"))
	f.Add([]byte(string(pkgs[0]) + "\n" + string(pkgs[1]) + "\n"))
	for _, s := range []string{`["a","b"]`, `{"success":false}`, `[[[[[]]]]]`, `{"success":true,"result":{"success":true,"result":[]}}`,
		`{"id":"o","name":"org","title":"Org","package_count":3,"is_organization":true}`, "\n\n", `{"id":"x"} garbage`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "import.db"))
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	portal, err := db.EnsurePortal(ctx, "https://portal.example")
	if err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(dir, "dump.jsonl")
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := importFile(ctx, db, portal, path, importOpts{})
		if err == nil && res.Fetched+res.Organizations == 0 {
			t.Fatalf("import of %q succeeded with nothing imported", b)
		}
		if res != nil && res.Fetched > bytes.Count(b, []byte("{")) {
			t.Fatalf("%d datasets imported from %d objects", res.Fetched, bytes.Count(b, []byte("{")))
		}
		if res != nil && res.RunID != 0 {
			run, rerr := db.HarvestRunByID(ctx, res.RunID)
			if rerr != nil || run.Status == "running" || (err == nil) != (run.Status == store.RunComplete) {
				t.Fatalf("run %d recorded as %+v for error %v", res.RunID, run, err)
			}
		}
	})
}

// inFlightServer serves h, counting the requests in flight by action; seen
// is called, under a lock, as each request starts, with the counts then.
func inFlightServer(t *testing.T, h http.Handler, seen func(inFlight map[string]int)) *httptest.Server {
	var mu sync.Mutex
	inFlight := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		action := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		mu.Lock()
		inFlight[action]++
		seen(inFlight)
		mu.Unlock()
		h.ServeHTTP(w, r)
		mu.Lock()
		inFlight[action]--
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	return srv
}
