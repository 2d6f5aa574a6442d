package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// After a link run interrupted early, a report counts each URL with its
// state as of that run (the earlier runs fill in what it did not reach),
// leaves never-checked URLs out of the classes and says how many URLs the
// scope has in all.
func TestReportLinkClassesAfterAnInterruptedRun(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, err := db.EnsurePortal(ctx, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	hr, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	var res []vigie.Resource
	for i, u := range []string{"https://f.example/1", "https://f.example/2", "https://f.example/3", "https://f.example/never"} {
		res = append(res, vigie.Resource{ID: u, Position: i, URL: u, Format: "CSV"})
	}
	res = append(res, vigie.Resource{ID: "empty", Position: 4, URL: ""})
	if _, err := db.SaveDatasets(ctx, p.ID, hr, []vigie.Dataset{{ID: "a", Name: "alpha", Organization: "x", Resources: res}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, hr, store.HarvestResult{Status: store.RunComplete, ListingComplete: true}); err != nil {
		t.Fatal(err)
	}
	check := func(status string, results ...vigie.LinkResult) {
		t.Helper()
		lr, err := db.BeginLinkRun(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SaveLinkResults(ctx, lr, results); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishLinkRun(ctx, lr, status, store.LinkCounts{URLs: len(results)}, ""); err != nil {
			t.Fatal(err)
		}
	}
	ok := func(u string) vigie.LinkResult { return vigie.LinkResult{URL: u, Class: vigie.LinkOK, Status: 200} }
	check(store.RunComplete, ok("https://f.example/1"), ok("https://f.example/2"), ok("https://f.example/3"))
	check("interrupted", vigie.LinkResult{URL: "https://f.example/1", Class: vigie.LinkFailing, Status: 503, Failures: 1})
	sr, err := db.BeginScoreRun(ctx, p.ID, "ckan")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAssessments(ctx, sr, []vigie.Assessment{{DatasetID: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, sr, store.RunComplete, 1, ""); err != nil {
		t.Fatal(err)
	}
	ind, err := db.ReportIndicators(ctx, store.ReportScope{Scope: vigie.Scope{Portal: p.URL}, ScoreRunID: sr})
	if err != nil {
		t.Fatal(err)
	}
	want := map[vigie.LinkClass]int{vigie.LinkOK: 2, vigie.LinkFailing: 1}
	if !reflect.DeepEqual(ind.LinkClasses, want) || ind.LinkURLs != 4 {
		t.Fatalf("classes %v of %d URLs; want %v of 4", ind.LinkClasses, ind.LinkURLs, want)
	}
}

// Reports list, after the links that do not work, the working ones a
// publisher should still fix: landing pages and chains of more than two
// redirects.
func TestReportLinksListLandingPagesAndRedirectChains(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, err := db.EnsurePortal(ctx, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	hr, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	urls := []string{"https://f.example/plain", "https://f.example/landing", "https://f.example/three", "https://f.example/two", "https://f.example/gone"}
	var res []vigie.Resource
	for i, u := range urls {
		res = append(res, vigie.Resource{ID: u, Position: i, URL: u, Format: "CSV"})
	}
	if _, err := db.SaveDatasets(ctx, p.ID, hr, []vigie.Dataset{{ID: "a", Name: "alpha", Organization: "x", Resources: res}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, hr, store.HarvestResult{Status: store.RunComplete, ListingComplete: true}); err != nil {
		t.Fatal(err)
	}
	lr, err := db.BeginLinkRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(u string, redirects int, landing bool) vigie.LinkResult {
		return vigie.LinkResult{URL: u, Class: vigie.LinkOK, Status: 200, Redirects: redirects, LandingPage: landing, FinalURL: u + "/final"}
	}
	if err := db.SaveLinkResults(ctx, lr, []vigie.LinkResult{ok(urls[0], 0, false), ok(urls[1], 0, true), ok(urls[2], 3, false),
		ok(urls[3], 2, false), {URL: urls[4], Class: vigie.LinkBroken, Status: 404}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, lr, store.RunComplete, store.LinkCounts{URLs: 5}, ""); err != nil {
		t.Fatal(err)
	}
	sr, err := db.BeginScoreRun(ctx, p.ID, "ckan")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAssessments(ctx, sr, []vigie.Assessment{{DatasetID: "a"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, sr, store.RunComplete, 1, ""); err != nil {
		t.Fatal(err)
	}
	links, err := db.ReportLinks(ctx, store.ReportScope{Scope: vigie.Scope{Portal: p.URL}, ScoreRunID: sr})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range links {
		got = append(got, l.URL)
	}
	want := []string{"https://f.example/gone", "https://f.example/landing", "https://f.example/three"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("report links %v, want %v", got, want)
	}
	if !links[1].LandingPage || links[2].Redirects != 3 {
		t.Errorf("evidence lost: %+v %+v", links[1], links[2])
	}
}

// A read-only command on a database an older vigie wrote (a migration not
// applied yet) says what to run instead of failing on a missing column.
func TestReadOnlyOpenOfAnOlderDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v.db")
	db := storetest.Open(t, path)
	if _, err := db.EnsurePortal(ctx, "https://portal.example"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DELETE FROM migrations WHERE name LIKE '%0020_link_skips_and_head_status.sql'`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = store.Open(ctx, path, store.Options{ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "older vigie") || vigie.KindOf(err) != vigie.KindOlderDatabase || !strings.Contains(err.Error(), "0020_link_skips_and_head_status") {
		t.Fatalf("read-only open of an older database: %v", err)
	}
}
