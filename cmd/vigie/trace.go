package main

import (
	"fmt"
	"os"
	"runtime/trace"
)

// startTrace writes an execution trace of the whole command to path (for
// `go tool trace`) when path is not empty, and returns what stops it: it
// shows where a stage waits (goroutines blocked, cores idle), which a CPU
// profile does not.
func startTrace(path string) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = trace.Start(f)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "VIGIE_TRACE: %v: unset it or give a writable path\n", err)
		return func() {}
	}
	return func() { trace.Stop(); f.Close() }
}
