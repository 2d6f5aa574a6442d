package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

func TestMarkMissingThenDeletedThenRestored(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, _ := db.EnsurePortal(ctx, "https://example.org")
	full := store.HarvestOptions{Mode: store.ModeFull}
	pass := func(ds ...vigie.Dataset) (int64, int, int) {
		t.Helper()
		run, err := db.BeginHarvestRun(ctx, p.ID, full)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.SaveDatasets(ctx, p.ID, run, ds); err != nil {
			t.Fatal(err)
		}
		m, d, err := db.MarkMissing(ctx, p.ID, run, full)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.FinishHarvestRun(ctx, run, store.HarvestResult{Status: store.RunComplete, ListingComplete: true, Missing: m, Deleted: d}); err != nil {
			t.Fatal(err)
		}
		return run, m, d
	}
	a, b, c := sampleDataset("a", "alpha", "o1"), sampleDataset("b", "beta", "o1"), sampleDataset("c", "gamma", "o2")
	pass(a, b, c)
	if _, m, d := pass(a, b); m != 1 || d != 0 {
		t.Fatalf("first miss: missing %d deleted %d", m, d)
	}
	if s, _ := db.DatasetStateOf(ctx, p.ID, "c"); s.State != vigie.StateMissing || s.Misses != 1 {
		t.Fatalf("c after one miss: %+v", s)
	}
	if n := len(collect(t, db, p.URL, store.DatasetFilter{})); n != 2 {
		t.Fatalf("active datasets: %d", n)
	}
	if _, m, d := pass(a, b); m != 0 || d != 1 {
		t.Fatalf("second miss: missing %d deleted %d", m, d)
	}
	if s, _ := db.DatasetStateOf(ctx, p.ID, "c"); s.State != vigie.StateDeleted {
		t.Fatalf("c after two misses: %+v", s)
	}
	if _, m, d := pass(a, b); m != 0 || d != 0 {
		t.Fatalf("deleted counted again: missing %d deleted %d", m, d)
	}
	if got := collect(t, db, p.URL, store.DatasetFilter{States: []string{vigie.StateDeleted}}); len(got) != 1 || got[0].ID != "c" {
		t.Fatalf("deleted still in history: %+v", got)
	}
	run, _, _ := pass(a, b, c)
	if s, _ := db.DatasetStateOf(ctx, p.ID, "c"); s.State != vigie.StateActive || s.Misses != 0 || s.LastSeenRun != run {
		t.Fatalf("c restored: %+v", s)
	}
	runs, err := db.HarvestRuns(ctx, p.ID, 0)
	if err != nil || len(runs) != 5 || runs[0].ID != run || runs[3].Missing != 1 || runs[2].Deleted != 1 {
		t.Fatalf("runs: %+v %v", runs, err)
	}
	last, err := db.LastCompleteFullRun(ctx, p.ID, full)
	if err != nil || last.ID != run {
		t.Fatalf("last full: %+v %v", last, err)
	}
	if _, err := db.LastCompleteFullRun(ctx, p.ID, store.HarvestOptions{Orgs: []string{"o1"}}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("scoped last full: %v", err)
	}
}

func TestMarkMissingOnlyWithinScope(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, _ := db.EnsurePortal(ctx, "https://example.org")
	run, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	db.SaveDatasets(ctx, p.ID, run, []vigie.Dataset{sampleDataset("a", "alpha", "o1"), sampleDataset("c", "gamma", "o2")})
	scoped := store.HarvestOptions{Mode: store.ModeFull, Orgs: []string{"o1"}}
	run2, _ := db.BeginHarvestRun(ctx, p.ID, scoped)
	db.SaveDatasets(ctx, p.ID, run2, []vigie.Dataset{sampleDataset("a", "alpha", "o1")})
	m, d, err := db.MarkMissing(ctx, p.ID, run2, scoped)
	if err != nil || m != 0 || d != 0 {
		t.Fatalf("out-of-scope dataset marked: %d %d %v", m, d, err)
	}
}

func TestLastCompleteRunIgnoresImportsAndFailures(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p, _ := db.EnsurePortal(ctx, "https://example.org")
	scope := store.HarvestOptions{IncludePrivate: true}
	full, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull, IncludePrivate: true})
	db.FinishHarvestRun(ctx, full, store.HarvestResult{Status: store.RunComplete, ListingComplete: true})
	imp, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeImport, IncludePrivate: true})
	db.FinishHarvestRun(ctx, imp, store.HarvestResult{Status: store.RunComplete})
	failed, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeIncremental, IncludePrivate: true})
	db.FinishHarvestRun(ctx, failed, store.HarvestResult{Status: store.RunFailed, Error: "boom"})
	last, err := db.LastCompleteRun(ctx, p.ID, scope)
	if err != nil || last.ID != full {
		t.Fatalf("last complete run: %+v %v", last, err)
	}
	if _, err := db.LastCompleteRun(ctx, p.ID, store.HarvestOptions{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("other scope: %v", err)
	}
	r, _ := db.HarvestRunByID(ctx, failed)
	if r.Status != store.RunFailed || r.Error != "boom" || r.FinishedAt.IsZero() || !r.IncludePrivate {
		t.Fatalf("failed run: %+v", r)
	}
}
