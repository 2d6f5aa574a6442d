package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// BenchmarkScoreCommand measures `vigie score` end to end on a database of
// 20,000 harvested datasets (two resources each, every link checked): read
// from SQLite, score, save scores and findings.
func BenchmarkScoreCommand(b *testing.B) {
	const n = 20_000
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "vigie.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
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
				links = append(links, vigie.LinkResult{URL: d.Resources[k].URL, Class: []string{vigie.LinkOK, vigie.LinkBroken}[(j+k)%2], Status: 200, CheckedAt: scoreNow})
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
