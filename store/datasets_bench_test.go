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
