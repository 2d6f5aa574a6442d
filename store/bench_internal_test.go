package store

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// benchLatestRun opens the database named by the environment variable env
// read-only (the benchmark is skipped when it names none; the file is not
// changed) and returns it with the scope of its first portal's latest
// complete score run, resolved as a report resolves it.
func benchLatestRun(b *testing.B, env string) (*DB, ReportScope) {
	b.Helper()
	path := os.Getenv(env)
	if path == "" {
		b.Skip(env + " names no database")
	}
	ctx := context.Background()
	db, err := Open(ctx, path, Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ps, err := db.Portals(ctx)
	if err != nil || len(ps) == 0 {
		b.Fatal("no portal", err)
	}
	run, err := db.LatestScoreRun(ctx, ps[0].ID)
	if err != nil {
		b.Fatal(err)
	}
	s, err := db.resolve(ctx, ReportScope{Scope: vigie.Scope{Portal: ps[0].URL}, ScoreRunID: run.ID})
	if err != nil {
		b.Fatal(err)
	}
	return db, s
}

// processCPU is the CPU time (user and system) this process used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
