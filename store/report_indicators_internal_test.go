package store

import (
	"context"
	"reflect"
	"testing"

	"github.com/vigie-audit/vigie"
)

// indicatorsStore holds one portal of four datasets in two organizations
// and runs complete score runs of it, each scoring them a little
// differently, and returns their ids.
func indicatorsStore(t *testing.T, runs int) (*DB, string, []int64) {
	t.Helper()
	ctx := context.Background()
	dsn := testDSN(t)
	db, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := db.EnsurePortal(ctx, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	hr, err := db.BeginHarvestRun(ctx, p.ID, HarvestOptions{Mode: ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	ds := []vigie.Dataset{
		{ID: "a", Name: "alpha", Organization: "ville-x", Resources: []vigie.Resource{{ID: "ra", URL: "https://f.example/a", Format: "CSV"}}},
		{ID: "b", Name: "beta", Organization: "ville-y", Resources: []vigie.Resource{{ID: "rb", URL: "https://f.example/b", Format: "CSV"}}},
		{ID: "c", Name: "gamma", Organization: "ville-x"},
		{ID: "d", Name: "delta", Organization: "ville-y"},
	}
	if _, err := db.SaveDatasets(ctx, p.ID, hr, ds); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, hr, HarvestResult{Status: RunComplete, ListingComplete: true}); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for run := 0; run < runs; run++ {
		sr, err := db.BeginScoreRun(ctx, p.ID, "ckan")
		if err != nil {
			t.Fatal(err)
		}
		var as []vigie.Assessment
		for i, d := range ds {
			v := float64(10*i + run)
			as = append(as, vigie.Assessment{DatasetID: d.ID, Scores: vigie.Scores{Overall: &v}, FreshnessStatus: vigie.FreshFresh,
				Stars: i + run%2, OpenLicence: i%2 == run%2, MQA: vigie.MQA{Points: 10*i + run, Rating: "good"}})
		}
		if err := db.SaveAssessments(ctx, sr, as); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishScoreRun(ctx, sr, RunComplete, len(as), ""); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, sr)
	}
	return db, dsn, ids
}

func storedIndicatorRows(t *testing.T, db *DB, run int64) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRowContext(context.Background(), `SELECT COUNT(*) FROM report_indicators WHERE score_run_id = ?`, run).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A complete run's indicators are computed once per scope, stored, and read
// back equal to a fresh computation; another organization scope, or a
// bumped formula, gets its own row; a read-only database stores nothing;
// a run still being written is never stored; prune takes the rows with
// their run.
func TestReportIndicatorsStoredPerScope(t *testing.T) {
	ctx := context.Background()
	db, dsn, runs := indicatorsStore(t, 3)
	whole := ReportScope{Scope: vigie.Scope{Portal: "https://portal.example"}, ScoreRunID: runs[0]}

	// Read-only (as reports open the store): computed, nothing written.
	ro, err := Open(ctx, dsn, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := ro.ReportIndicators(ctx, whole)
	ro.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n := storedIndicatorRows(t, db, runs[0]); n != 0 {
		t.Fatalf("a read-only database stored %d rows", n)
	}

	before := IndicatorComputations()
	first, err := db.ReportIndicators(ctx, whole)
	if err != nil {
		t.Fatal(err)
	}
	second, err := db.ReportIndicators(ctx, whole)
	if err != nil {
		t.Fatal(err)
	}
	if got := IndicatorComputations() - before; got != 1 {
		t.Errorf("two reads of one run computed %d times, want 1", got)
	}
	if n := storedIndicatorRows(t, db, runs[0]); n != 1 {
		t.Errorf("%d stored rows, want 1", n)
	}
	if !reflect.DeepEqual(fresh, first) || !reflect.DeepEqual(fresh, second) {
		t.Errorf("stored indicators differ from a fresh computation:\n%+v\n%+v\n%+v", fresh, first, second)
	}

	// Another scope: its own row and its own values, never the whole
	// portal's; the same organizations in another order share it.
	x := whole
	x.Orgs = []string{"ville-x"}
	xs, err := db.ReportIndicators(ctx, x)
	if err != nil {
		t.Fatal(err)
	}
	if xs.Datasets != 2 || fresh.Datasets != 4 {
		t.Errorf("ville-x counts %d datasets, the portal %d: want 2 and 4", xs.Datasets, fresh.Datasets)
	}
	xy, yx := whole, whole
	xy.Orgs, yx.Orgs = []string{"ville-x", "ville-y", "ville-x"}, []string{"ville-y", "ville-x"}
	if xy.indicatorsKey() != yx.indicatorsKey() || xy.indicatorsKey() == whole.indicatorsKey() || x.indicatorsKey() == whole.indicatorsKey() {
		t.Errorf("scope keys: %q %q %q %q", xy.indicatorsKey(), yx.indicatorsKey(), x.indicatorsKey(), whole.indicatorsKey())
	}
	priv := whole
	priv.IncludePrivate = true
	if priv.indicatorsKey() == whole.indicatorsKey() {
		t.Errorf("include_private shares the key %q", whole.indicatorsKey())
	}
	if n := storedIndicatorRows(t, db, runs[0]); n != 2 {
		t.Errorf("%d stored rows after a second scope, want 2", n)
	}
	again, err := db.ReportIndicators(ctx, whole)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again, fresh) {
		t.Errorf("the portal's indicators after an organization's: %+v, want %+v", again, fresh)
	}

	// A bumped formula does not read the old rows: it computes again.
	indicatorsFormula = IndicatorsFormula + 1
	defer func() { indicatorsFormula = IndicatorsFormula }()
	before = IndicatorComputations()
	if _, err := db.ReportIndicators(ctx, whole); err != nil {
		t.Fatal(err)
	}
	if got := IndicatorComputations() - before; got != 1 {
		t.Errorf("a bumped formula computed %d times, want 1", got)
	}
	if n := storedIndicatorRows(t, db, runs[0]); n != 3 {
		t.Errorf("%d stored rows after the bump, want 3", n)
	}
	indicatorsFormula = IndicatorsFormula

	// Prune keeps the last run: the others' rows go with them.
	for _, r := range runs {
		if _, err := db.ReportIndicators(ctx, ReportScope{Scope: whole.Scope, ScoreRunID: r}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Prune(ctx, 1); err != nil {
		t.Fatal(err)
	}
	for i, r := range runs {
		want := 0
		if i == len(runs)-1 {
			want = 1
		}
		if n := storedIndicatorRows(t, db, r); n != want {
			t.Errorf("run %d (%d of %d) keeps %d stored rows after prune, want %d", r, i+1, len(runs), n, want)
		}
	}

	// A run still being written is computed, never stored.
	p, err := db.Portal(ctx, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	running, err := db.BeginScoreRun(ctx, p.ID, "ckan")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReportIndicators(ctx, ReportScope{Scope: whole.Scope, ScoreRunID: running}); err != nil {
		t.Fatal(err)
	}
	if n := storedIndicatorRows(t, db, running); n != 0 {
		t.Errorf("a running score run has %d stored rows", n)
	}
	if err := db.FinishScoreRun(ctx, running, RunFailed, 0, "stopped"); err != nil {
		t.Fatal(err)
	}
}

// A run's indicators, link classes included, are the same computed on the
// pool's connections as through the one connection of a read snapshot, and
// a cancelled computation fails whole.
func TestIndicatorsSameOnPoolAndSnapshot(t *testing.T) {
	ctx := context.Background()
	db, _, _ := indicatorsStore(t, 1)
	p, err := db.Portal(ctx, "https://portal.example")
	if err != nil {
		t.Fatal(err)
	}
	lr, err := db.BeginLinkRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	now := db.Now().UTC()
	if err := db.SaveLinkResults(ctx, lr, []vigie.LinkResult{
		{URL: "https://f.example/a", Class: vigie.LinkOK, Status: 200, ContentLength: -1, CheckedAt: now},
		{URL: "https://f.example/b", Class: vigie.LinkBroken, Status: 404, ContentLength: -1, CheckedAt: now},
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, lr, RunComplete, LinkCounts{}, ""); err != nil {
		t.Fatal(err)
	}
	sr, err := db.BeginScoreRun(ctx, p.ID, "ckan")
	if err != nil {
		t.Fatal(err)
	}
	v := 50.0
	as := []vigie.Assessment{{DatasetID: "a", Scores: vigie.Scores{Overall: &v}, MQA: vigie.MQA{Rating: "good"}}, {DatasetID: "b", MQA: vigie.MQA{Rating: "bad"}}, {DatasetID: "c"}}
	if err := db.SaveAssessments(ctx, sr, as); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, sr, RunComplete, len(as), ""); err != nil {
		t.Fatal(err)
	}
	scope, err := db.resolve(ctx, ReportScope{Scope: vigie.Scope{Portal: p.URL}, ScoreRunID: sr})
	if err != nil {
		t.Fatal(err)
	}
	pooled, err := db.computeIndicators(ctx, scope)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := db.ReadSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	inSnap, err := snap.computeIndicators(ctx, scope)
	snap.EndSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pooled, inSnap) {
		t.Errorf("on the pool %+v, in a snapshot %+v", pooled, inSnap)
	}
	want := map[vigie.LinkClass]int{vigie.LinkOK: 1, vigie.LinkBroken: 1}
	if !reflect.DeepEqual(pooled.LinkClasses, want) || pooled.LinkURLs != 2 || pooled.Datasets != 3 || pooled.Overall == nil || *pooled.Overall != 50 {
		t.Errorf("indicators %+v, want links %v of 2 URLs, 3 datasets, mean 50", pooled, want)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if r, err := db.computeIndicators(cctx, scope); err == nil {
		t.Errorf("a cancelled computation gave %+v", r)
	}
}
