package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSaveDatasets writes pages of 1,000 new datasets (4 resources and
// the 5 KB raw JSON of a generated Données Québec-shaped package each), as a
// first full harvest does.
func BenchmarkSaveDatasets(b *testing.B) {
	ctx := context.Background()
	db := storetest.NewDB(b)
	p, _ := db.EnsurePortal(ctx, "https://example.org")
	run, _ := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	var raws [][]byte
	for _, pkg := range ckantest.Generate(200, 3, ckantest.GenOptions{}) {
		b, _ := json.Marshal(pkg)
		raws = append(raws, b)
	}
	mod := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	page := make([]vigie.Dataset, 1000)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		for j := range page {
			id := fmt.Sprintf("%08x-%04x", i, j)
			d := sampleDataset(id, "n-"+id, fmt.Sprintf("org-%d", j%50))
			d.MetadataModified = mod
			d.Resources = append(d.Resources, d.Resources...)
			d.Raw = raws[(i*len(page)+j)%len(raws)]
			page[j] = d
		}
		if _, err := db.SaveDatasets(ctx, p.ID, run, page); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(page)), "µs/dataset")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*len(page)), "cpu-µs/dataset")
}

// BenchmarkSaveLinkResults saves batches of 200 link results (a nightly
// check's batch size) for new URLs, as a first check does, then again for
// the same URLs, as the next night does.
func BenchmarkSaveLinkResults(b *testing.B) {
	ctx := context.Background()
	db := storetest.NewDB(b)
	p, _ := db.EnsurePortal(ctx, "https://example.org")
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	batch := make([]vigie.LinkResult, 200)
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		run, err := db.BeginLinkRun(ctx, p.ID)
		if err != nil {
			b.Fatal(err)
		}
		for lo := 0; lo < 10_000; lo += len(batch) {
			for j := range batch {
				batch[j] = vigie.LinkResult{URL: fmt.Sprintf("https://h%d.example.org/data/%07d.csv", (lo+j)%50, (lo+j)*7919%10_000),
					Class: vigie.LinkOK, Status: 200, ContentType: "text/csv", CheckedAt: at, LastSuccess: &at}
			}
			if err := db.SaveLinkResults(ctx, run, batch); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*10_000), "cpu-µs/URL")
}
