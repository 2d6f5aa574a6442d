// Command vigie audits open-data catalogues published with CKAN.
package main

import (
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"runtime/trace"
)

func main() {
	// VIGIE_CPUPROFILE (for `go tool pprof`) is how the stages of
	// docs/benchmarks.md are profiled on real databases; VIGIE_TRACE (for
	// `go tool trace`) shows where a stage waits (goroutines blocked, cores
	// idle), which a CPU profile does not.
	stop := startDiagnostic("VIGIE_CPUPROFILE", pprof.StartCPUProfile, pprof.StopCPUProfile)
	stopTrace := startDiagnostic("VIGIE_TRACE", trace.Start, trace.Stop)
	code := Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopTrace()
	stop()
	os.Exit(code)
}

// startDiagnostic writes a diagnostic of the whole command (started by
// start, ended by end) to the file named by the environment variable env,
// when it is set, and returns what stops it.
func startDiagnostic(env string, start func(io.Writer) error, end func()) func() {
	path := os.Getenv(env)
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = start(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v: unset it or give a writable path\n", env, err)
		return func() {}
	}
	return func() { end(); f.Close() }
}
