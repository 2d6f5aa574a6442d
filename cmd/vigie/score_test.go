package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// BenchmarkScoreCommand measures `vigie score` end to end on a database of
// 20,000 harvested datasets (two resources each, every link checked): read
// from SQLite, score, save scores and findings.
func BenchmarkScoreCommand(b *testing.B) {
	const n = 20_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "vigie.db")
	db := storetest.Open(b, path)
	p, err := db.EnsurePortal(ctx, scorePortal)
	if err != nil {
		b.Fatal(err)
	}
	hr, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: "full"})
	if err != nil {
		b.Fatal(err)
	}
	tmpl := scoreDatasets()
	var links []vigie.LinkResult
	for i := 0; i < n; i += 1000 {
		batch := make([]vigie.Dataset, 0, 1000)
		for j := i; j < i+1000; j++ {
			d := tmpl[j%2]
			d.ID, d.Name = fmt.Sprintf("id-%d", j), fmt.Sprintf("ds-%06d", j)
			d.Resources = append([]vigie.Resource(nil), d.Resources...)
			for k := range d.Resources {
				d.Resources[k].ID = fmt.Sprintf("r-%d-%d", j, k)
				d.Resources[k].URL = fmt.Sprintf("https://donnees.example.ca/%d/%d.csv", j, k)
				links = append(links, vigie.LinkResult{URL: d.Resources[k].URL, Class: []vigie.LinkClass{vigie.LinkOK, vigie.LinkBroken}[(j+k)%2], Status: 200, CheckedAt: scoreNow})
			}
			batch = append(batch, d)
		}
		if _, err := db.SaveDatasets(ctx, p.ID, hr, batch); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.FinishHarvestRun(ctx, hr, store.HarvestResult{Status: "complete"}); err != nil {
		b.Fatal(err)
	}
	lr, _ := db.BeginLinkRun(ctx, p.ID)
	if err := db.SaveLinkResults(ctx, lr, links); err != nil {
		b.Fatal(err)
	}
	_ = db.FinishLinkRun(ctx, lr, "complete", store.LinkCounts{URLs: len(links)}, "")
	a := &App{Portal: scorePortal, Quiet: true, Lang: "fr", Stdout: io.Discard, Stderr: io.Discard, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b.ResetTimer()
	for b.Loop() {
		out, err := runScore(ctx, a, db, &scoreOptions{profile: "donneesquebec"})
		if err != nil || out.Datasets != n {
			b.Fatalf("%v %+v", err, out)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "datasets/s")
}

// Weights and points that are not finite or are absurdly large would make
// every score NaN; the profile is refused at load with one line and exit 2.
func TestScoreRefusesUnboundedProfileWeights(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English summaries
	db, portal := harvestedDB(t, 5)
	dir := t.TempDir()
	for name, body := range map[string]string{
		"huge":     "extends: ckan\nname: huge\nweights: {completeness: 1e308, freshness: 1e308, openness: 0, availability: 0}\n",
		"inf":      "extends: ckan\nname: inf\nweights: {completeness: .inf, freshness: 20, openness: 0, availability: 0}\n",
		"negative": "extends: ckan\nname: neg\nweights: {completeness: -1, freshness: 20, openness: 0, availability: 0}\n",
		"points":   "extends: ckan\nname: pts\ncompleteness:\n  - {check: title, points: 1e308}\n",
	} {
		path := filepath.Join(dir, name+".yaml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		code, out, errs := cli(context.Background(), "--db", db, "--portal", portal, "-q", "score", "--profile", path)
		if code != ExitUsage || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, "give a number") || out != "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q", name, code, out, errs)
		}
	}
	// The bound leaves room for any real ratio.
	path := filepath.Join(dir, "ok.yaml")
	os.WriteFile(path, []byte("extends: ckan\nname: ok\nweights: {completeness: 1000, freshness: 0.001, openness: 0, availability: 0}\n"), 0o644)
	code, out, errs := cli(context.Background(), "--db", db, "--portal", portal, "-q", "score", "--profile", path)
	if code != 0 || strings.Contains(out, "NaN") || !strings.Contains(out, "mean overall") {
		t.Errorf("a bounded profile: exit %d %q %q", code, out, errs)
	}
}

// A score run whose writes fail (a full disk: RLIMIT_FSIZE in a child
// process) prints no success summary: only the error, exit 1.
func TestScorePrintsNothingWhenTheCommitFails(t *testing.T) {
	storetest.SkipIfPostgres(t) // a full disk under a SQLite file (RLIMIT_FSIZE)
	db, portal := harvestedDB(t, 300)
	execSQL(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	code, out, errs := vigieChild(t, childOptions{fsize: 64 << 10}, "--db", db, "--portal", portal, "-q", "score")
	if code != ExitFailure || out != "" || strings.Count(errs, "\n") != 1 {
		t.Errorf("score on a full disk: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}
