package export

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap samples the Go heap every 10 ms while fn runs and returns the
// highest HeapInuse seen, in MiB.
func peakHeap(fn func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if v := ms.HeapInuse; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	})
	fn()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) / (1 << 20)
}

func benchExport(b *testing.B, n int, format string) { benchExportWith(b, n, format, "") }

func benchExportWith(b *testing.B, n int, format, comp string) {
	db, _ := seedStore(b, n, 1)
	dir := b.TempDir()
	ctx := context.Background()
	var rows int64
	var heap float64
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := float64(ms.HeapInuse) / (1 << 20)
	b.ResetTimer()
	for b.Loop() {
		heap = max(heap, peakHeap(func() {
			files, err := Export(ctx, db, dir, Options{Format: format, Compression: comp})
			if err != nil {
				b.Fatal(err)
			}
			rows = 0
			for _, f := range files {
				rows += f.Rows
			}
		}))
	}
	b.StopTimer()
	var size int64
	for _, t := range Tables {
		if st, err := os.Stat(filepath.Join(dir, t+"."+format)); err == nil {
			size += st.Size()
		}
	}
	b.ReportMetric(float64(rows), "rows")
	b.ReportMetric(float64(size)/(1<<20), "MiB-files")
	b.ReportMetric(heap, "MiB-peak-heap")
	b.ReportMetric(base, "MiB-heap-before")
	b.ReportMetric(float64(rows)/(b.Elapsed().Seconds()/float64(b.N)), "rows/s")
}

// BenchmarkExport10k exports a store of 10,000 scored datasets (1–3
// resources and about ten findings each, one score run) to Parquet.
func BenchmarkExport10k(b *testing.B) { benchExport(b, 10_000, FormatParquet) }

// BenchmarkExport10kZstd is the same export compressed with zstd.
func BenchmarkExport10kZstd(b *testing.B) { benchExportWith(b, 10_000, FormatParquet, CompressionZstd) }

// BenchmarkExport10kCSV is the same export as CSV.
func BenchmarkExport10kCSV(b *testing.B) { benchExport(b, 10_000, FormatCSV) }

// BenchmarkExport40k checks that memory stays flat as the catalogue grows.
func BenchmarkExport40k(b *testing.B) { benchExport(b, 40_000, FormatParquet) }
