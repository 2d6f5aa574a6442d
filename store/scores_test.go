package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

func fptr(v float64) *float64 { return &v }

func TestScoreRunRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, err := db.EnsurePortal(ctx, "https://example.org")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LatestScoreRun(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("LatestScoreRun on empty db: want ErrNotFound, got %v", err)
	}
	if m, err := db.LatestAssessments(ctx, p.ID); err != nil || len(m) != 0 {
		t.Fatalf("LatestAssessments on empty db: %v %v", m, err)
	}
	run, err := db.BeginScoreRun(ctx, p.ID, "donneesquebec")
	if err != nil {
		t.Fatal(err)
	}
	a1 := vigie.Assessment{
		DatasetID:         "d1",
		Scores:            vigie.Scores{Overall: fptr(72.5), Completeness: fptr(80), Freshness: nil, Openness: fptr(60), Availability: fptr(100)},
		MQA:               vigie.MQA{Points: 250, Rating: "good"},
		FreshnessStatus:   vigie.FreshUnknown,
		FreshnessEvidence: "metadata_modified",
		Frequency:         "annual",
		Stars:             3,
		OpenLicence:       true,
		OpenFormat:        true,
		Findings: []vigie.Finding{
			{Rule: "DQ-TITLE-MISSING", Dimension: vigie.DimCompleteness, Severity: vigie.SevError, Points: 12.5,
				Message: vigie.Text{FR: "Titre absent", EN: "No title"}, Hint: vigie.Text{FR: "Ajoutez un titre", EN: "Add a title"}},
			{Rule: "RES-FORMAT-CASE", Dimension: vigie.DimCompleteness, Severity: vigie.SevWarning, ResourceID: "r1", Points: 7.5,
				Message: vigie.Text{FR: "m", EN: "m"}, Hint: vigie.Text{FR: "h", EN: "h"}},
			{Rule: "FRESH-NO-FREQUENCY", Dimension: vigie.DimFreshness, Severity: vigie.SevInfo},
		},
	}
	a2 := vigie.Assessment{DatasetID: "d2", Findings: []vigie.Finding{}, FreshnessStatus: vigie.FreshFresh}
	if err := db.SaveAssessments(ctx, run, []vigie.Assessment{a1, a2}); err != nil {
		t.Fatal(err)
	}
	// Saving a dataset again replaces it rather than duplicating findings.
	if err := db.SaveAssessments(ctx, run, []vigie.Assessment{a1}); err != nil {
		t.Fatal(err)
	}
	// The run is not visible until it is complete.
	if _, err := db.LatestScoreRun(ctx, p.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("running run must not be the latest: %v", err)
	}
	if err := db.FinishScoreRun(ctx, run, "complete", 2, ""); err != nil {
		t.Fatal(err)
	}
	r, err := db.LatestScoreRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != run || r.Profile != "donneesquebec" || r.Datasets != 2 || r.Status != "complete" || r.FinishedAt.IsZero() || r.HarvestRunID != 0 {
		t.Fatalf("run = %+v", r)
	}
	all, err := db.Assessments(ctx, run)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all["d1"].Findings != nil {
		t.Fatalf("Assessments: %d entries, findings %v", len(all), all["d1"].Findings)
	}
	got := all["d1"]
	if got.Scores.Freshness != nil || *got.Scores.Overall != 72.5 || got.MQA != a1.MQA || got.Stars != 3 || !got.OpenLicence || got.MachineReadable {
		t.Fatalf("d1 = %+v", got)
	}
	one, err := db.Assessment(ctx, run, "d1")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(one.Findings, a1.Findings) {
		t.Fatalf("findings differ:\n got %+v\nwant %+v", one.Findings, a1.Findings)
	}
	if _, err := db.Assessment(ctx, run, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown dataset: %v", err)
	}
	latest, err := db.LatestAssessments(ctx, p.ID)
	if err != nil || len(latest) != 2 {
		t.Fatalf("LatestAssessments: %v %v", latest, err)
	}
	counts, err := db.RuleCounts(ctx, run)
	if err != nil || len(counts) != 3 {
		t.Fatalf("RuleCounts: %+v %v", counts, err)
	}
	// A later run that left d2 out: d2's latest assessment is still found.
	run2, err := db.BeginScoreRun(ctx, p.ID, "ckan")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveAssessments(ctx, run2, []vigie.Assessment{{DatasetID: "d1", MQA: vigie.MQA{Points: 1, Rating: "bad"}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, run2, "complete", 1, ""); err != nil {
		t.Fatal(err)
	}
	if a, r, err := db.LatestAssessmentOf(ctx, p.ID, "d2"); err != nil || r.ID != run || a.FreshnessStatus != vigie.FreshFresh {
		t.Fatalf("LatestAssessmentOf(d2) = %+v %+v %v", a, r, err)
	}
	if a, r, err := db.LatestAssessmentOf(ctx, p.ID, "d1"); err != nil || r.ID != run2 || a.MQA.Points != 1 {
		t.Fatalf("LatestAssessmentOf(d1) = %+v %+v %v", a, r, err)
	}
	// LatestAssessments merges: d1 from the later run, d2 from the earlier.
	latest, err = db.LatestAssessments(ctx, p.ID)
	if err != nil || len(latest) != 2 || latest["d1"].MQA.Points != 1 || latest["d2"].FreshnessStatus != vigie.FreshFresh {
		t.Fatalf("LatestAssessments after a partial run: %+v %v", latest, err)
	}
	if _, _, err := db.LatestAssessmentOf(ctx, p.ID, "never"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("never scored: %v", err)
	}
	if err := db.FinishScoreRun(ctx, 999, "complete", 0, ""); err == nil {
		t.Fatal("finishing an unknown run must fail")
	}
	if err := db.SaveAssessments(ctx, run, []vigie.Assessment{{}}); err == nil {
		t.Fatal("an assessment without dataset id must be refused")
	}
}
