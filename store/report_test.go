package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// reportFixture stores four datasets of two organizations, interleaved by
// id (a, c in ville-x; b, d in ville-y), their links and one score run.
func reportFixture(t *testing.T) (*store.DB, store.ReportScope) {
	t.Helper()
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
	res := func(id, url string) vigie.Resource { return vigie.Resource{ID: id, URL: url, Format: "CSV"} }
	ds := []vigie.Dataset{
		{ID: "a", Name: "alpha", Title: "Alpha", Organization: "ville-x", OrganizationTitle: "Ville X",
			Resources: []vigie.Resource{res("ra1", "https://f.example/broken"), res("ra2", "https://f.example/broken")}},
		{ID: "b", Name: "beta", Title: "Beta", Organization: "ville-y", Resources: []vigie.Resource{res("rb", "https://f.example/ok")}},
		{ID: "c", Name: "gamma", Title: "Gamma", Organization: "ville-x", Resources: []vigie.Resource{res("rc", "https://f.example/unsure")}},
		{ID: "d", Name: "delta", Title: "Delta", Organization: "ville-y", Resources: []vigie.Resource{res("rd", "https://f.example/broken")}},
	}
	for i := range ds {
		for j := range ds[i].Resources {
			ds[i].Resources[j].Position = j
		}
	}
	if _, err := db.SaveDatasets(ctx, p.ID, hr, ds); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, hr, store.HarvestResult{Status: store.RunComplete, ListingComplete: true}); err != nil {
		t.Fatal(err)
	}
	lr, err := db.BeginLinkRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	links := []vigie.LinkResult{
		{URL: "https://f.example/broken", Class: vigie.LinkBroken, Status: 404, Reason: "404 Not Found", FirstFailure: &since},
		{URL: "https://f.example/ok", Class: vigie.LinkOK, Status: 200},
		{URL: "https://f.example/unsure", Class: vigie.LinkUnsure, Status: 403},
	}
	if err := db.SaveLinkResults(ctx, lr, links); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, lr, store.RunComplete, store.LinkCounts{URLs: 3}, ""); err != nil {
		t.Fatal(err)
	}
	sr, err := db.BeginScoreRun(ctx, p.ID, "ckan")
	if err != nil {
		t.Fatal(err)
	}
	f := func(rule string, sev vigie.Severity, n int) vigie.Finding {
		return vigie.Finding{Rule: rule, Dimension: vigie.DimCompleteness, Severity: sev, Points: float64(n),
			Message: vigie.Text{FR: fmt.Sprintf("%s fr %d", rule, n), EN: fmt.Sprintf("%s en %d", rule, n)},
			Hint:    vigie.Text{FR: rule + " correctif"}}
	}
	as := []vigie.Assessment{
		{DatasetID: "a", Scores: vigie.Scores{Overall: fptr(40), Completeness: fptr(50)}, FreshnessStatus: vigie.FreshFresh, Stars: 3,
			OpenLicence: true, MQA: vigie.MQA{Points: 200, Rating: "sufficient"}, Findings: []vigie.Finding{f("R1", vigie.SevError, 1), f("R2", vigie.SevWarning, 2)}},
		{DatasetID: "b", Scores: vigie.Scores{Overall: fptr(90), Completeness: fptr(100)}, FreshnessStatus: vigie.FreshDue, Stars: 5,
			OpenLicence: true, OpenFormat: true, MachineReadable: true, MQA: vigie.MQA{Points: 360, Rating: "excellent"}},
		{DatasetID: "c", Scores: vigie.Scores{Overall: fptr(60)}, FreshnessStatus: vigie.FreshOverdue, Stars: 0,
			MQA: vigie.MQA{Points: 100, Rating: "bad"}, Findings: []vigie.Finding{f("R1", vigie.SevError, 3)}},
		{DatasetID: "d", FreshnessStatus: vigie.FreshNotApplicable, Stars: 1, MQA: vigie.MQA{Points: 150, Rating: "sufficient"},
			Findings: []vigie.Finding{f("R3", vigie.SevInfo, 0), f("R1", vigie.SevError, 4), f("R2", vigie.SevWarning, 5)}},
	}
	if err := db.SaveAssessments(ctx, sr, as); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, sr, store.RunComplete, len(as), ""); err != nil {
		t.Fatal(err)
	}
	return db, store.ReportScope{Scope: vigie.Scope{Portal: p.URL}, ScoreRunID: sr}
}

func TestReportDatasetsMergeFindings(t *testing.T) {
	ctx := context.Background()
	db, scope := reportFixture(t)
	collect := func(s store.ReportScope, withFindings bool) []string {
		var out []string
		err := db.ReportDatasets(ctx, s, withFindings, func(d *store.ReportDataset) error {
			row := d.ID + ":"
			for _, f := range d.Findings {
				row += " " + f.Message.FR
			}
			out = append(out, row)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := strings.Join(collect(scope, true), "|"); got != "a: R1 fr 1 R2 fr 2|b:|c: R1 fr 3|d: R3 fr 0 R1 fr 4 R2 fr 5" {
		t.Errorf("with findings: %s", got)
	}
	x := scope
	x.Orgs = []string{"ville-x"}
	if got := strings.Join(collect(x, true), "|"); got != "a: R1 fr 1 R2 fr 2|c: R1 fr 3" {
		t.Errorf("ville-x with findings (b's and d's skipped): %s", got)
	}
	y := scope
	y.Orgs = []string{"ville-y"}
	if got := strings.Join(collect(y, true), "|"); got != "b:|d: R3 fr 0 R1 fr 4 R2 fr 5" {
		t.Errorf("ville-y with findings: %s", got)
	}
	// Without findings: organization, then name.
	if got := strings.Join(collect(scope, false), "|"); got != "a:|c:|b:|d:" {
		t.Errorf("order without findings: %s", got)
	}
	// One language read: English where there is English, French otherwise.
	en := scope
	en.Lang = "en"
	var msgs []string
	_ = db.ReportDatasets(ctx, en, true, func(d *store.ReportDataset) error {
		for _, f := range d.Findings {
			msgs = append(msgs, f.Message.In("en")+"/"+f.Hint.In("en"))
		}
		return nil
	})
	if len(msgs) != 6 || msgs[0] != "R1 en 1/R1 correctif" {
		t.Errorf("english messages %q", msgs)
	}
}

func TestReportFindingsMerge(t *testing.T) {
	ctx := context.Background()
	db, scope := reportFixture(t)
	scope.Orgs = []string{"ville-y"}
	var got []string
	err := db.ReportFindings(ctx, scope, func(f *store.ReportFinding) error {
		got = append(got, f.DatasetName+"/"+f.Organization+"/"+f.Rule)
		return nil
	})
	if err != nil || strings.Join(got, " ") != "delta/ville-y/R3 delta/ville-y/R1 delta/ville-y/R2" {
		t.Errorf("ville-y findings %q %v", got, err)
	}
	scope.Orgs = nil
	n := 0
	_ = db.ReportFindings(ctx, scope, func(f *store.ReportFinding) error { n++; return nil })
	if n != 6 {
		t.Errorf("%d findings, want 6", n)
	}
}

func TestReportAggregates(t *testing.T) {
	ctx := context.Background()
	db, scope := reportFixture(t)
	ind, err := db.ReportIndicators(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	if ind.Datasets != 4 || ind.Organizations != 2 || ind.OpenLicence != 2 || ind.OpenFormat != 1 || ind.MachineReadable != 1 {
		t.Errorf("counts %+v", ind)
	}
	if f := ind.Freshness; f["fresh"] != 1 || f["due"] != 1 || f["overdue"] != 1 || f["not_applicable"] != 1 || f["unknown"] != 0 {
		t.Errorf("freshness %v", f)
	}
	if r := ind.Ratings; r["excellent"] != 1 || r["sufficient"] != 2 || r["bad"] != 1 {
		t.Errorf("ratings %v", r)
	}
	if ind.Stars != [6]int{1, 1, 0, 1, 0, 1} || ind.Errors != 3 || ind.Warnings != 2 || ind.Infos != 1 {
		t.Errorf("stars %v findings %d/%d/%d", ind.Stars, ind.Errors, ind.Warnings, ind.Infos)
	}
	if ind.Overall == nil || *ind.Overall != 190.0/3 || ind.Completeness == nil || *ind.Completeness != 75 || ind.FreshnessScore != nil {
		t.Errorf("means: overall %v completeness %v freshness %v", ind.Overall, ind.Completeness, ind.FreshnessScore)
	}
	if l := ind.LinkClasses; l["broken"] != 1 || l["ok"] != 1 || l["unsure"] != 1 {
		t.Errorf("distinct URLs by class %v", l)
	}
	// Scoped to one organization: only the URLs its datasets use.
	for org, want := range map[string]map[vigie.LinkClass]int{"ville-x": {"broken": 1, "unsure": 1}, "ville-y": {"broken": 1, "ok": 1}} {
		s := scope
		s.Orgs = []string{org}
		in, err := db.ReportIndicators(ctx, s)
		if err != nil || !reflect.DeepEqual(in.LinkClasses, want) {
			t.Errorf("%s: URLs by class %v, want %v (%v)", org, in.LinkClasses, want, err)
		}
	}
	orgs, err := db.ReportOrganizations(ctx, scope)
	if err != nil || len(orgs) != 2 {
		t.Fatalf("orgs %+v %v", orgs, err)
	}
	x, y := orgs[0], orgs[1]
	if x.Name != "ville-x" || x.Title != "Ville X" || x.Datasets != 2 || *x.Overall != 50 || x.Fresh != 1 || x.Scheduled != 2 || x.BrokenLinks != 1 || x.Errors != 2 {
		t.Errorf("ville-x %+v", x)
	}
	if y.Name != "ville-y" || y.UpToDate != 1 || y.Scheduled != 1 || y.BrokenLinks != 1 || y.Infos != 1 {
		t.Errorf("ville-y %+v", y)
	}
	rules, hints, err := db.ReportRuleCounts(ctx, scope, 2)
	if err != nil || len(rules) != 2 || rules[0].Rule != "R1" || rules[0].Datasets != 3 || rules[0].Findings != 3 || rules[0].Points != 8 ||
		rules[1].Rule != "R2" || rules[1].Datasets != 2 || hints[0].FR != "R1 correctif" {
		t.Errorf("rules %+v hints %+v %v", rules, hints, err)
	}
	scope.Orgs = []string{"ville-x"}
	if rules, _, _ = db.ReportRuleCounts(ctx, scope, 0); len(rules) != 2 || rules[0].Datasets != 2 {
		t.Errorf("ville-x rules %+v", rules)
	}
}

func TestReportLinks(t *testing.T) {
	ctx := context.Background()
	db, scope := reportFixture(t)
	links, err := db.ReportLinks(ctx, scope)
	if err != nil || len(links) != 2 {
		t.Fatalf("links %+v %v", links, err)
	}
	b := links[0]
	if b.Class != vigie.LinkBroken || b.FirstFailure == nil || len(b.Datasets) != 2 || b.Datasets[0].Name != "alpha" || b.Datasets[1].Name != "delta" {
		t.Errorf("broken link %+v (alpha uses it twice, listed once)", b)
	}
	if links[1].Class != vigie.LinkUnsure || links[1].Datasets[0].Name != "gamma" {
		t.Errorf("unsure link %+v", links[1])
	}
	scope.Orgs = []string{"ville-y"}
	if links, _ = db.ReportLinks(ctx, scope); len(links) != 1 || len(links[0].Datasets) != 1 || links[0].Datasets[0].Name != "delta" {
		t.Errorf("ville-y links %+v", links)
	}
}

func TestCompareScoreRun(t *testing.T) {
	ctx := context.Background()
	db, scope := reportFixture(t)
	p, err := db.Portal(ctx, scope.Portal)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := db.LatestScoreRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := db.CompareScoreRun(ctx, p.ID, cur, ""); r != nil || err != nil {
		t.Errorf("no earlier run: %+v %v", r, err)
	}
	if r, err := db.CompareScoreRun(ctx, p.ID, cur, fmt.Sprint(cur.ID)); err != nil || r.ID != cur.ID {
		t.Errorf("by id: %+v %v", r, err)
	}
	for _, bad := range []string{"1999-01-01", "12345", "soon"} {
		if _, err := db.CompareScoreRun(ctx, p.ID, cur, bad); err == nil {
			t.Errorf("--compare %s accepted", bad)
		}
	}
}
