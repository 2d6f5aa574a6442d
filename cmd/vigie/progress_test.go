package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// Under cron, work done in a blink logs its first step only, not a line
// per tenth: 100 steps in a few microseconds are one line, not eleven.
func TestProgressLinesAreNotASecondApart(t *testing.T) {
	var logs bytes.Buffer
	a := &App{Lang: "en", Stderr: &bytes.Buffer{}, Log: newLogger(&logs, "text", "en", slog.LevelInfo)}
	p := newProgress(a, "log.progress.links")
	for i := 0; i <= 100; i++ {
		p.Set(i, 100)
	}
	if n := strings.Count(logs.String(), "event=progress.links"); n != 1 {
		t.Errorf("%d progress lines for work done at once, want 1:\n%s", n, logs.String())
	}
}
