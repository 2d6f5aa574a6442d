package store_test

import (
	"context"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// Harvest, link and score runs share one lifecycle: each finishes under a
// cancelled context (Ctrl-C is recorded, not lost), with its status, error
// and finish time, and finishing a run that does not exist is a not-found
// error of its kind.
func TestEveryRunKindFinishesAlike(t *testing.T) {
	ctx := context.Background()
	db := storetest.NewDB(t)
	p := storetest.Portal(t, db, "https://portal.example.org")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	h, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(cancelled, h, store.HarvestResult{Status: store.RunInterrupted, Fetched: 3, Error: "stopped"}); err != nil {
		t.Fatal(err)
	}
	hr, err := db.HarvestRunByID(ctx, h)
	if err != nil || hr.Status != store.RunInterrupted || hr.Error != "stopped" || hr.Fetched != 3 || hr.Mode != store.ModeFull || hr.FinishedAt.IsZero() {
		t.Errorf("harvest run: %+v %v", hr, err)
	}

	l, err := db.BeginLinkRun(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(cancelled, l, store.RunInterrupted, store.LinkCounts{URLs: 5, OK: 4, Broken: 1}, "stopped"); err != nil {
		t.Fatal(err)
	}
	lrs, err := db.LinkRuns(ctx, p.ID)
	if err != nil || len(lrs) != 1 || lrs[0].Status != store.RunInterrupted || lrs[0].Error != "stopped" || lrs[0].URLs != 5 ||
		lrs[0].OK != 4 || lrs[0].Broken != 1 || lrs[0].FinishedAt.IsZero() {
		t.Errorf("link runs: %+v %v", lrs, err)
	}

	s, err := db.BeginScoreRunHashed(ctx, p.ID, "ckan", "abc")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(cancelled, s, store.RunFailed, 2, "disk on fire"); err != nil {
		t.Fatal(err)
	}
	srs, err := db.ScoreRuns(ctx, p.ID)
	if err != nil || len(srs) != 1 || srs[0].Status != store.RunFailed || srs[0].Error != "disk on fire" || srs[0].Datasets != 2 ||
		srs[0].ProfileHash != "abc" || srs[0].LinkRunID != l || srs[0].HarvestRunID != 0 || srs[0].FinishedAt.IsZero() {
		t.Errorf("score runs: %+v %v", srs, err)
	}

	for name, finish := range map[string]func() error{
		"harvest": func() error { return db.FinishHarvestRun(ctx, 999, store.HarvestResult{Status: store.RunComplete}) },
		"link":    func() error { return db.FinishLinkRun(ctx, 999, store.RunComplete, store.LinkCounts{}, "") },
		"score":   func() error { return db.FinishScoreRun(ctx, 999, store.RunComplete, 0, "") },
	} {
		if err := finish(); vigie.KindOf(err) != vigie.KindNotFound {
			t.Errorf("finishing a %s run that does not exist: %v (kind %v), want not found", name, err, vigie.KindOf(err))
		}
	}
}
