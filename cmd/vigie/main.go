// Command vigie audits open-data catalogues published with CKAN.
package main

import (
	"fmt"
	"os"
	"runtime/pprof"
)

func main() {
	stop := startCPUProfile(os.Getenv("VIGIE_CPUPROFILE"))
	stopTrace := startTrace(os.Getenv("VIGIE_TRACE"))
	code := Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopTrace()
	stop()
	os.Exit(code)
}

// startCPUProfile writes a CPU profile of the whole command to path (for
// `go tool pprof`) when path is not empty, and returns what stops it. It is
// how the stages of docs/benchmarks.md are profiled on real databases.
func startCPUProfile(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "VIGIE_CPUPROFILE: %v: unset it or give a writable path\n", err)
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
