package main

import (
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"strings"
	"sync"
	"time"
)

// progress shows long work: a redrawn bar on a terminal, a plain log line
// every 10% (at most one a second, and at least one every 15 s) otherwise, nothing with --quiet. Its label is a log
// message id: the bar shows it in the reader's language, the log line's
// event names it.
type progress struct {
	a        *App
	id       string
	label    string
	tty      bool
	mu       sync.Mutex
	done     int
	total    int
	start    time.Time
	lastDraw time.Time
	lastPct  int
	lastLog  time.Time
}

func newProgress(a *App, label string) *progress {
	return &progress{a: a, id: label, label: l10n.T(a.Lang, label), tty: a.IsTerminal() && !a.Quiet, start: time.Now(), lastPct: -1, lastLog: time.Now()}
}

// Set records done of total (total 0 = unknown).
func (p *progress) Set(done, total int) {
	if p == nil || p.a.Quiet {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total = done, total
	now := time.Now()
	if p.tty {
		if now.Sub(p.lastDraw) < 100*time.Millisecond && done != total {
			return
		}
		p.lastDraw = now
		p.draw(now)
		return
	}
	pct := -1
	if total > 0 {
		pct = done * 100 / total / 10 * 10
	}
	// a new tenth, but not more than a line a second, so that work done
	// in a blink does not fill a cron mail; the first line always shows
	step := pct >= 0 && pct > p.lastPct && (p.lastPct < 0 || now.Sub(p.lastLog) >= time.Second)
	if step || now.Sub(p.lastLog) >= 15*time.Second {
		p.lastPct = pct
		p.lastLog = now
		if total > 0 {
			p.a.Log.Info(p.id, "done", done, "total", total)
		} else {
			p.a.Log.Info(p.id, "done", done)
		}
	}
}

func (p *progress) draw(now time.Time) {
	const width = 30
	elapsed := now.Sub(p.start).Truncate(time.Second)
	if p.total <= 0 {
		fmt.Fprintf(p.a.Stderr, "\r\033[K%s %d  %s", p.label, p.done, elapsed)
		return
	}
	frac := float64(p.done) / float64(p.total)
	if frac > 1 {
		frac = 1
	}
	n := int(frac * width)
	eta := ""
	if p.done > 0 && p.done < p.total {
		rem := time.Duration(float64(now.Sub(p.start)) / frac * (1 - frac)).Truncate(time.Second)
		eta = " " + l10n.T(p.a.Lang, "progress.eta") + " " + rem.String()
	}
	fmt.Fprintf(p.a.Stderr, "\r\033[K%s [%s%s] %d/%d %3.0f%% %s%s", p.label,
		strings.Repeat("█", n), strings.Repeat("░", width-n), p.done, p.total, frac*100, elapsed, eta)
}

// Done clears the bar so the summary line starts clean.
func (p *progress) Done() {
	if p == nil || !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprint(p.a.Stderr, "\r\033[K")
}
