package pipeline

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/linkcheck"
	"github.com/vigie-audit/vigie/store"
)

// linkServer answers each path by its prefix: /ok (CSV), /page (HTML where
// CSV is declared), /gone (404), /down (500), /moved (a redirect to /ok),
// /untyped (no Content-Type: a ranged GET follows).
func linkServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/ok"):
			w.Header().Set("Content-Type", "text/csv")
			w.Write([]byte("a,b\n"))
		case strings.HasPrefix(p, "/page"):
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<html></html>"))
		case strings.HasPrefix(p, "/gone"):
			http.NotFound(w, r)
		case strings.HasPrefix(p, "/down"):
			w.WriteHeader(http.StatusInternalServerError)
		case strings.HasPrefix(p, "/moved"):
			http.Redirect(w, r, "/ok"+p, http.StatusFound)
		default:
			w.Header()["Content-Type"] = nil
			w.Write([]byte("x"))
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// seedURLs stores one dataset per URL, each URL's resource declaring CSV.
func seedURLs(t *testing.T, db *store.DB, urls []string) {
	t.Helper()
	modified := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	var ds []vigie.Dataset
	for i, u := range urls {
		id := fmt.Sprintf("d%03d", i)
		ds = append(ds, vigie.Dataset{ID: id, Name: id, Title: "Titre " + id, Organization: "ville-x", LicenseID: "cc-by",
			MetadataCreated: modified, MetadataModified: modified, Tags: []string{}, Groups: []string{},
			Resources: []vigie.Resource{{ID: id + "-r", Name: "r", Format: "CSV", URL: u}}})
	}
	storetest.HarvestFixture(t, db, portalURL, ds)
}

// storedChecks reads every link's stored state and its check in each run,
// without the times the requests took.
func storedChecks(t *testing.T, db *store.DB) (map[string]vigie.LinkResult, map[string][]string) {
	t.Helper()
	ctx := context.Background()
	links, err := db.LinkResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for u, l := range links {
		l.ElapsedMS = 0
		links[u] = l
	}
	p, err := db.Portal(ctx, portalURL)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := db.LinkRuns(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string][]string{}
	for _, r := range runs {
		checks[fmt.Sprintf("run %d", r.ID)] = []string{fmt.Sprintf("%s %+v", r.Status, r.LinkCounts)}
	}
	// each URL's class after night 1 and after night 2, from the runs' checks
	err = db.LinkStates(ctx, p.ID, 1, 2, func(s *store.LinkStateRow) error {
		checks[s.URL] = append(checks[s.URL], fmt.Sprintf("%s → %s %d %s", s.Before, s.After, s.Status, s.Reason))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return links, checks
}

// TestCheckLinksSavesWhileChecking checks the same URLs twice (two nights,
// so that the second carries failures forward) into two stores: once with
// results saved by the writer in batches of 3 while the checks go on, once
// collected and saved in one transaction at the end. Every stored state and
// every run's check must be the same.
func TestCheckLinksSavesWhileChecking(t *testing.T) {
	srv := linkServer(t)
	var urls []string
	for i := range 40 {
		urls = append(urls, srv.URL+[]string{"/ok", "/page", "/gone", "/down", "/moved", "/untyped"}[i%6]+fmt.Sprint(i))
	}
	nights := []time.Time{time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)}
	check := linkcheck.Options{Concurrency: 8, PerHost: 4, Timeout: 5 * time.Second, AllowPrivate: true}
	ctx := context.Background()

	streamed := storetest.NewDB(t)
	seedURLs(t, streamed, urls)
	defer func(b int) { saveBatch = b }(saveBatch)
	saveBatch = 3
	for _, night := range nights {
		streamed.Now = func() time.Time { return night }
		out, err := CheckLinks(ctx, streamed, vigie.Scope{Portal: portalURL}, LinkOptions{OlderThan: time.Hour, Check: check})
		if err != nil || out == nil || out.Due != len(urls) || out.Summary.URLs != len(urls) {
			t.Fatalf("night %s: %+v %v", night, out, err)
		}
	}

	whole := storetest.NewDB(t)
	seedURLs(t, whole, urls)
	p := storetest.Portal(t, whole, portalURL)
	for _, night := range nights {
		whole.Now = func() time.Time { return night }
		due, err := whole.URLsToCheck(ctx, vigie.Scope{Portal: portalURL}, false, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		targets := make([]linkcheck.Target, len(due))
		for i, d := range due {
			targets[i] = linkcheck.Target{URL: d.URL, Formats: d.Formats, Prev: d.Prev}
		}
		o := check
		o.Now = whole.NowFunc()
		results := linkcheck.New(o).Run(ctx, targets)
		run, err := whole.BeginLinkRun(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := whole.SaveLinkResults(ctx, run, results); err != nil {
			t.Fatal(err)
		}
		s := linkcheck.Summarize(results)
		if err := whole.FinishLinkRun(ctx, run, store.RunComplete, store.LinkCounts{URLs: s.URLs, Hosts: s.Hosts, OK: s.OK,
			Broken: s.Broken, Failing: s.Failing, Unsure: s.Unsure, Invalid: s.Invalid, Blocked: s.Blocked, Skipped: s.Skipped}, ""); err != nil {
			t.Fatal(err)
		}
	}

	gotLinks, gotChecks := storedChecks(t, streamed)
	wantLinks, wantChecks := storedChecks(t, whole)
	if len(gotLinks) != len(urls) {
		t.Fatalf("%d links stored, want %d", len(gotLinks), len(urls))
	}
	if !reflect.DeepEqual(gotLinks, wantLinks) {
		for u := range wantLinks {
			if !reflect.DeepEqual(gotLinks[u], wantLinks[u]) {
				t.Errorf("%s:\n saved while checking %+v\n saved at the end     %+v", u, gotLinks[u], wantLinks[u])
			}
		}
	}
	if !reflect.DeepEqual(gotChecks, wantChecks) {
		t.Errorf("checks per run differ:\n while checking %v\n at the end     %v", gotChecks, wantChecks)
	}
	// the classes the server's answers stand for, so that the comparison
	// above is not between two empty or uniform stores
	classes := map[vigie.LinkClass]int{}
	for _, l := range gotLinks {
		classes[l.Class]++
	}
	if classes[vigie.LinkOK] == 0 || classes[vigie.LinkFailing] == 0 || gotLinks[urls[2]].Failures != 2 {
		t.Errorf("classes %v, failures of %s: %d (want 2 after two nights)", classes, urls[2], gotLinks[urls[2]].Failures)
	}
}

// TestCheckLinksInterruptedKeepsPreviousChecks stops a second night after
// a few checks (Ctrl-C): the URLs checked before it are saved with the new
// night's state, every other URL keeps its first night's state, and the
// run says how many were checked.
func TestCheckLinksInterruptedKeepsPreviousChecks(t *testing.T) {
	srv := linkServer(t)
	var urls []string
	for i := range 30 {
		urls = append(urls, srv.URL+[]string{"/ok", "/gone", "/page"}[i%3]+fmt.Sprint(i))
	}
	db := storetest.NewDB(t)
	seedURLs(t, db, urls)
	defer func(b int) { saveBatch = b }(saveBatch)
	saveBatch = 4
	check := linkcheck.Options{Concurrency: 2, PerHost: 2, Timeout: 5 * time.Second, AllowPrivate: true}
	night1, night2 := time.Date(2026, 12, 5, 20, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return night1 }
	if _, err := CheckLinks(context.Background(), db, vigie.Scope{Portal: portalURL}, LinkOptions{All: true, Check: check}); err != nil {
		t.Fatal(err)
	}
	before, _ := storedChecks(t, db)

	db.Now = func() time.Time { return night2 }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	check.Progress = func(done, total int) {
		if done == 11 {
			cancel()
		}
	}
	out, err := CheckLinks(ctx, db, vigie.Scope{Portal: portalURL}, LinkOptions{All: true, Check: check})
	if err == nil || out == nil || !out.Interrupted {
		t.Fatalf("interrupted night: %+v %v", out, err)
	}
	after, _ := storedChecks(t, db)
	checked := 0
	for _, u := range urls {
		switch a := after[u]; {
		case a.CheckedAt.Equal(night2):
			checked++
			if b := before[u]; a.Class == vigie.LinkFailing && a.Failures != b.Failures+1 {
				t.Errorf("%s: %d failures after night 2, %d before", u, a.Failures, b.Failures)
			}
		case !reflect.DeepEqual(a, before[u]):
			t.Errorf("%s not checked on night 2 but changed:\n before %+v\n after  %+v", u, before[u], a)
		}
	}
	runs, err := db.LinkRuns(context.Background(), storetest.Portal(t, db, portalURL).ID)
	if err != nil || len(runs) != 2 {
		t.Fatalf("runs %+v %v", runs, err)
	}
	if checked < 11 || checked == len(urls) || checked != out.Summary.URLs || runs[0].URLs != checked || runs[0].Status != store.RunInterrupted {
		t.Errorf("%d URLs saved by night 2, summary %d, run %+v", checked, out.Summary.URLs, runs[0])
	}
}
