package store_test

import (
	"context"
	"os"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// BenchmarkEachDatasetLinksDB reads every active dataset with its resources
// and link results, as `vigie score` does, from the database named by
// VIGIE_BENCH_SCORE_DB (for example one left by bench/run.sh at 100k
// datasets; it is opened read-only and not changed). It reports CPU time per
// dataset, the figure that holds on a shared machine.
func BenchmarkEachDatasetLinksDB(b *testing.B) {
	path := os.Getenv("VIGIE_BENCH_SCORE_DB")
	if path == "" {
		b.Skip("VIGIE_BENCH_SCORE_DB names no database")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ps, err := db.Portals(ctx)
	if err != nil || len(ps) == 0 {
		b.Fatal("no portal", err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		err := db.EachDatasetLinks(ctx, store.DatasetFilter{Scope: vigie.Scope{Portal: ps[0].URL}}, func(d *vigie.Dataset, links map[string]vigie.LinkResult) error {
			n++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(n), "cpu-µs/dataset")
}
