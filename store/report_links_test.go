package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// After a link run interrupted early, a report counts each URL with its
// state as of that run (the earlier runs fill in what it did not reach),
// leaves never-checked URLs out of the classes and says how many URLs the
// scope has in all.
func TestReportLinkClassesAfterAnInterruptedRun(t *testing.T) {
	ctx := context.Background()
	db := MustOpen(t)
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
	ind, err := db.ReportIndicators(ctx, store.ReportScope{PortalID: p.ID, ScoreRunID: sr})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{vigie.LinkOK: 2, vigie.LinkFailing: 1}
	if !reflect.DeepEqual(ind.LinkClasses, want) || ind.LinkURLs != 4 {
		t.Fatalf("classes %v of %d URLs; want %v of 4", ind.LinkClasses, ind.LinkURLs, want)
	}
}
