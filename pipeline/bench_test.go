package pipeline

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/store"
)

// TestMain doubles as the benchmark's portal: with VIGIE_BENCH_EMULATOR=n
// the test binary serves n generated datasets on loopback and prints its
// URL, so the benchmark process measures the harvester's memory alone.
func TestMain(m *testing.M) {
	if n, err := strconv.Atoi(os.Getenv("VIGIE_BENCH_EMULATOR")); err == nil && n > 0 {
		serveEmulator(n)
		return
	}
	os.Exit(m.Run())
}

func serveEmulator(n int) {
	p := ckantest.New(ckantest.Options{})
	ckantest.GenerateEach(n, 7, ckantest.GenOptions{Now: genNow}, func(_ int, pkg map[string]any) { p.Put(pkg) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("http://" + ln.Addr().String())
	go func() { // stop when the benchmark closes stdin
		bufio.NewReader(os.Stdin).ReadString('\n')
		os.Exit(0)
	}()
	http.Serve(ln, p.Handler())
}

// startEmulator runs the emulator in a child process and returns its URL.
func startEmulator(b *testing.B, n int) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "VIGIE_BENCH_EMULATOR="+strconv.Itoa(n))
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		stdin.Close()
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "http://") {
		b.Fatalf("emulator did not start: %q %v", line, err)
	}
	return strings.TrimSpace(line)
}

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// vmHWM is the process's peak resident memory in bytes (Linux), 0 elsewhere.
func vmHWM() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmHWM:") {
			f := strings.Fields(l)
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n << 10
		}
	}
	return 0
}

// benchHarvest measures a full pass over n generated datasets from an
// emulator in another process (loopback, no rate limit), then an
// incremental pass with nothing changed. It reports datasets/s, the peak Go
// heap in use while harvesting (sampled every 10 ms) and the process's peak
// RSS, none of which include the emulator.
func benchHarvest(b *testing.B, n int) {
	base := startEmulator(b, n)
	ctx := context.Background()
	for _, mode := range []string{"full", "incremental"} {
		b.Run(mode, func(b *testing.B) {
			runtime.GC()
			var peak uint64
			stop := make(chan struct{})
			done := make(chan struct{})
			go func() {
				defer close(done)
				var ms runtime.MemStats
				t := time.NewTicker(10 * time.Millisecond)
				defer t.Stop()
				for {
					select {
					case <-stop:
						return
					case <-t.C:
						runtime.ReadMemStats(&ms)
						peak = max(peak, ms.HeapInuse)
					}
				}
			}()
			var cpu time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				db, err := store.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("b%d.db", i)))
				if err != nil {
					b.Fatal(err)
				}
				portal, _ := db.EnsurePortal(ctx, base)
				c, _ := harvester.NewClient(base, harvester.ClientOptions{Rate: -1})
				if mode == "incremental" {
					if _, err := harvestVia(ctx, c, db, portal, opts{}); err != nil {
						b.Fatal(err)
					}
				}
				b.StartTimer()
				cpu0 := cpuTime()
				res, err := harvestVia(ctx, c, db, portal, opts{})
				if err != nil {
					b.Fatal(err)
				}
				cpu += cpuTime() - cpu0
				if res.Mode != mode || (mode == "full" && res.Fetched != n) || (mode == "incremental" && res.Fetched != 0) {
					b.Fatalf("%+v", res)
				}
				b.StopTimer()
				db.Close()
				b.StartTimer()
			}
			b.StopTimer()
			close(stop)
			<-done
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "datasets/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(cpu.Microseconds())/float64(n*b.N), "cpu-µs/dataset")
			b.ReportMetric(float64(vmHWM())/(1<<20), "VmHWM-MiB")
		})
	}
}

func BenchmarkHarvest10k(b *testing.B)  { benchHarvest(b, 10_000) }
func BenchmarkHarvest100k(b *testing.B) { benchHarvest(b, 100_000) }
