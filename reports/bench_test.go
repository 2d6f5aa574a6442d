package reports

import (
	"context"
	"github.com/vigie-audit/vigie"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/store"
)

// peakHeap samples the Go heap every 10 ms while fn runs and returns the
// highest HeapInuse seen, in MiB.
func peakHeap(fn func()) float64 {
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
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
	}()
	fn()
	close(stop)
	wg.Wait()
	return float64(peak.Load()) / (1 << 20)
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// resetPeakRSS resets the kernel's resident-set high-water mark (Linux);
// peakRSS reads it back in MiB, 0 where unsupported.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkReports100k writes every format from a store holding 100,000
// generated datasets scored with quality (1–3 resources and about ten
// findings each), as `vigie report` does.
func BenchmarkReports100k(b *testing.B) {
	n := 100_000
	if testing.Short() {
		n = 5_000
	}
	ctx := context.Background()
	start := time.Now()
	var db *store.DB
	// VIGIE_BENCH_DB keeps the seeded store between runs: seeded when the
	// file does not exist, reused when it does.
	if path := os.Getenv("VIGIE_BENCH_DB"); path != "" {
		if _, err := os.Stat(path); err == nil {
			d, err := store.Open(ctx, path, store.Options{ReadOnly: true})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { d.Close() })
			db = d
		} else {
			db = seedStoreAt(b, path, n, 1, false)
		}
	} else {
		db = seedStore(b, n, 1, false)
	}
	b.Logf("store ready (%d datasets) in %s", n, time.Since(start).Round(time.Millisecond))
	build := func(b *testing.B) *Report {
		r, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal}, Now: seedNow})
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.Run("build", func(b *testing.B) {
		for b.Loop() {
			build(b)
		}
	})
	dir := b.TempDir()
	for _, format := range Formats {
		b.Run(format, func(b *testing.B) {
			var size int64
			var peak, rss float64
			resetPeakRSS()
			cpu := cpuSeconds()
			for b.Loop() {
				peak = max(peak, peakHeap(func() {
					r := build(b)
					if format == "csv" {
						if err := (&CSV{}).WriteDir(ctx, filepath.Join(dir, "csv"), r); err != nil {
							b.Fatal(err)
						}
						size = 0
						for _, f := range CSVFiles {
							st, _ := os.Stat(filepath.Join(dir, "csv", f))
							size += st.Size()
						}
						return
					}
					w, _ := ForFormat(format, CSV{})
					f, err := os.Create(filepath.Join(dir, "report."+format))
					if err != nil {
						b.Fatal(err)
					}
					if err := w.Write(ctx, f, r); err != nil {
						b.Fatal(err)
					}
					st, _ := f.Stat()
					size = st.Size()
					f.Close()
				}))
			}
			b.ReportMetric((cpuSeconds()-cpu)/float64(b.N), "cpu-s/op")
			rss = peakRSS()
			b.ReportMetric(rss, "peak-RSS-MiB")
			b.ReportMetric(peak, "peak-heap-MiB")
			b.ReportMetric(float64(size)/(1<<20), "file-MiB")
		})
	}
}
