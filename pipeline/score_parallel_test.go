package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// scoredCatalogue harvests 2,500 generated datasets (more than two of the
// reader's batches of 1,000) and records a link run in which every third
// URL worked, every fifth was broken and the rest were never checked.
func scoredCatalogue(t *testing.T) (*store.DB, *store.Portal) {
	t.Helper()
	_, srv := portalWith(t, 2500, 1000)
	db, _ := openStore(t)
	if _, err := harvestOnce(t, db, srv.URL, opts{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := db.Portal(ctx, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	var urls []string
	seen := map[string]bool{}
	err = db.EachDataset(ctx, store.DatasetFilter{Scope: vigie.Scope{Portal: p.URL}}, func(d *vigie.Dataset) error {
		for _, r := range d.Resources {
			if r.URL != "" && !seen[r.URL] {
				seen[r.URL] = true
				urls = append(urls, r.URL)
			}
		}
		return nil
	})
	if err != nil || len(urls) < 1000 {
		t.Fatalf("%d URLs: %v", len(urls), err)
	}
	run, err := db.BeginLinkRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	checked := db.Now().UTC().Truncate(time.Second)
	var rs []vigie.LinkResult
	for i, u := range urls {
		switch {
		case i%3 == 0:
			rs = append(rs, vigie.LinkResult{URL: u, Class: vigie.LinkOK, Status: 200, ContentType: "text/csv", ContentLength: -1, CheckedAt: checked})
		case i%5 == 0:
			rs = append(rs, vigie.LinkResult{URL: u, Class: vigie.LinkBroken, Status: 404, Reason: "not_found", Failures: 2, ContentLength: -1, CheckedAt: checked})
		}
	}
	if err := db.SaveLinkResults(ctx, run, rs); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, run, store.RunComplete, store.LinkCounts{}, ""); err != nil {
		t.Fatal(err)
	}
	return db, p
}

// storedRun is everything a score run left in the store, by dataset.
type storedRun struct {
	scores     map[string]vigie.Assessment
	findings   map[string][]vigie.Finding
	indicators *store.ReportIndicators
}

func readRun(t *testing.T, db *store.DB, p *store.Portal, runID int64) storedRun {
	t.Helper()
	ctx := context.Background()
	scores, err := db.Assessments(ctx, runID)
	if err != nil {
		t.Fatal(err)
	}
	out := storedRun{scores: scores, findings: map[string][]vigie.Finding{}}
	for id := range scores {
		if out.findings[id], err = db.Findings(ctx, runID, id); err != nil {
			t.Fatal(err)
		}
	}
	if out.indicators, err = db.ReportIndicators(ctx, store.ReportScope{Scope: vigie.Scope{Portal: p.URL}, ScoreRunID: runID}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestParallelScoringStoresWhatOneScorerStores scores the same catalogue
// with one scorer and with several (the batches then finish out of order)
// and compares every stored score, finding and indicator, and the
// outcome's counts and mean, which are summed in the order datasets are
// read.
func TestParallelScoringStoresWhatOneScorerStores(t *testing.T) {
	db, p := scoredCatalogue(t)
	ctx := context.Background()
	var runs []storedRun
	var outs []*ScoreOutcome
	for _, scorers := range []int{1, 4} {
		out, err := Score(ctx, db, vigie.Scope{Portal: p.URL}, ScoreOptions{Scorers: scorers})
		if err != nil {
			t.Fatal(err)
		}
		if out.Datasets != 2500 || out.Run.Status != store.RunComplete || out.Run.Datasets != 2500 {
			t.Fatalf("%d scorers: %+v", scorers, out)
		}
		outs = append(outs, out)
		runs = append(runs, readRun(t, db, p, out.Run.ID))
	}
	one, many := runs[0], runs[1]
	if len(one.scores) != 2500 || len(many.scores) != 2500 {
		t.Fatalf("stored %d and %d scores, want 2,500", len(one.scores), len(many.scores))
	}
	differ, findings := 0, 0
	for id, a := range one.scores {
		if !reflect.DeepEqual(a, many.scores[id]) || !reflect.DeepEqual(one.findings[id], many.findings[id]) {
			if differ++; differ <= 3 {
				t.Errorf("dataset %s: one scorer stored %+v %+v, four %+v %+v", id, a, one.findings[id], many.scores[id], many.findings[id])
			}
		}
		findings += len(one.findings[id])
	}
	if findings == 0 {
		t.Fatal("no finding stored: the comparison proves nothing")
	}
	if !sameIndicators(one.indicators, many.indicators) {
		t.Errorf("indicators: one scorer %+v, four %+v", one.indicators, many.indicators)
	}
	if one.indicators.LinkClasses[vigie.LinkBroken] == 0 || one.indicators.LinkClasses[vigie.LinkOK] == 0 {
		t.Errorf("the link results did not reach the run: %+v", one.indicators.LinkClasses)
	}
	a, b := outs[0], outs[1]
	if fmt.Sprint(*a.MeanOverall, a.Ratings, a.Fresh, a.Tau, a.Scheduled) != fmt.Sprint(*b.MeanOverall, b.Ratings, b.Fresh, b.Tau, b.Scheduled) {
		t.Errorf("outcomes differ: one scorer %+v, four %+v", a, b)
	}
}

// TestParallelScoringStoppedMidStage stops a parallel score run in the
// middle, once by Ctrl-C and once by a failed save, and checks that the
// previous complete run stays the latest, with every row it had.
func TestParallelScoringStoppedMidStage(t *testing.T) {
	db, p := scoredCatalogue(t)
	ctx := context.Background()
	good, err := Score(ctx, db, vigie.Scope{Portal: p.URL}, ScoreOptions{Scorers: 4})
	if err != nil {
		t.Fatal(err)
	}
	before := readRun(t, db, p, good.Run.ID)
	for _, how := range []string{"ctrl-c", "failed save"} {
		t.Run(how, func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			defer cancel()
			var s ScoreStore = db
			o := ScoreOptions{Scorers: 4}
			if how == "ctrl-c" {
				o.Progress = func(done, _ int) {
					if done == 1500 {
						cancel()
					}
				}
			} else {
				s = stoppedStore{db, func() error { return errBoom }}
			}
			out, err := Score(cctx, s, vigie.Scope{Portal: p.URL}, o)
			switch how {
			case "ctrl-c":
				if !errors.Is(err, context.Canceled) || out == nil || !out.Interrupted || out.Datasets != 1500 || out.Run.Status != store.RunInterrupted {
					t.Fatalf("cancelled: %+v %v", out, err)
				}
			default:
				if !errors.Is(err, errBoom) || out == nil || out.Run.Status != store.RunFailed {
					t.Fatalf("failed save: %+v %v", out, err)
				}
			}
			latest, err := db.LatestScoreRun(ctx, p.ID)
			if err != nil || latest.ID != good.Run.ID {
				t.Fatalf("latest complete run %+v %v, want %d", latest, err, good.Run.ID)
			}
			if after := readRun(t, db, p, good.Run.ID); !reflect.DeepEqual(before, after) {
				t.Error("the previous complete run's rows changed")
			}
		})
	}
}

// sameIndicators compares two runs' indicators: every count exactly, the
// means to within rounding. They are averages computed in SQL over each
// run's rows, and PostgreSQL adds a run's rows up in the order it finds
// them in the table, so two runs of equal scores can differ in the last
// bits of a mean (the scores themselves are compared exactly).
func sameIndicators(a, b *store.ReportIndicators) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	means := func(r *store.ReportIndicators) []**float64 {
		return []**float64{&r.Overall, &r.Completeness, &r.FreshnessScore, &r.Openness, &r.Availability, &r.MQAPoints}
	}
	mx, my := means(&x), means(&y)
	for i := range mx {
		p, q := *mx[i], *my[i]
		if (p == nil) != (q == nil) || p != nil && math.Abs(*p-*q) > 1e-9*math.Max(1, math.Abs(*p)) {
			return false
		}
		*mx[i], *my[i] = nil, nil
	}
	return reflect.DeepEqual(x, y)
}
