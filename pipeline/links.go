package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/linkcheck"
	"github.com/vigie-audit/vigie/store"
)

// LinkOptions select which URLs CheckLinks checks and how politely.
type LinkOptions struct {
	All       bool          // every URL, however recently checked
	OlderThan time.Duration // otherwise only URLs not checked for this long (new ones always)
	Check     linkcheck.Options
	// Log receives the stage's information lines; nil discards them.
	Log *slog.Logger
}

// LinkOutcome is what a link check did.
type LinkOutcome struct {
	RunID       int64
	Due         int
	Summary     linkcheck.Summary
	Elapsed     time.Duration
	Interrupted bool
}

// CheckLinks checks the scope's due URLs into a new link run, saving results
// as they come. It returns a nil outcome when nothing is due. On cancellation
// it saves what was checked, marks the run interrupted and returns the
// context's error. o.Check's OnResult and Now are set here; its Progress is
// called as URLs are done.
func CheckLinks(ctx context.Context, db LinkStore, scope vigie.Scope, o LinkOptions) (*LinkOutcome, error) {
	log := orDiscard(o.Log)
	p, err := db.Portal(ctx, scope.Portal)
	if err != nil {
		return nil, err
	}
	due, err := db.URLsToCheck(ctx, scope, o.All, o.OlderThan)
	if err != nil {
		return nil, err
	}
	if len(due) == 0 {
		return nil, nil
	}
	// The checker's targets are the only copy kept while it runs: a night's
	// list of every URL with its previous state is the link check's largest
	// allocation, so due is let go here.
	targets := make([]linkcheck.Target, len(due))
	for i, t := range due {
		targets[i] = linkcheck.Target{URL: t.URL, Formats: t.Formats, Prev: t.Prev}
	}
	n := len(due)
	due = nil
	out := &LinkOutcome{Due: n}
	status, err := run(ctx, func(ctx context.Context) (int64, error) { return db.BeginLinkRun(ctx, p.ID) },
		func(ctx context.Context, runID int64) error {
			out.RunID = runID
			return checkLinks(ctx, db, log, p, runID, targets, o, out)
		},
		func(ctx context.Context, runID int64, status string, err error) error {
			s := out.Summary
			counts := store.LinkCounts{URLs: s.URLs, Hosts: s.Hosts, OK: s.OK, Broken: s.Broken, Failing: s.Failing,
				Unsure: s.Unsure, Invalid: s.Invalid, Blocked: s.Blocked, Skipped: s.Skipped}
			return db.FinishLinkRun(ctx, runID, status, counts, endMessage(status, err, fmt.Sprintf("interrupted after %d of %d URLs", s.URLs, n)))
		})
	out.Interrupted = status == store.RunInterrupted
	if out.Interrupted && errors.Is(err, ctx.Err()) {
		log.Warn("link check interrupted: results so far are saved", "run", out.RunID, "checked", out.Summary.URLs, "of", n)
	}
	if status == "" {
		return nil, err // the run did not begin
	}
	return out, err
}

// checkLinks checks targets into run runID, saving results as they come, and
// fills out's summary and timing. It returns the first failed save, else
// ctx's error: the checker stops quietly when cancelled.
func checkLinks(ctx context.Context, db LinkStore, log *slog.Logger, p *store.Portal, runID int64, targets []linkcheck.Target, o LinkOptions, out *LinkOutcome) error {
	// Saving must outlive Ctrl-C, so that what was checked is kept.
	saveCtx := context.WithoutCancel(ctx)
	checkCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		batch   []vigie.LinkResult
		tally   linkcheck.Tally
		saveErr error
	)
	flush := func() {
		if saveErr == nil && len(batch) > 0 {
			saveErr = db.SaveLinkResults(saveCtx, runID, batch)
			if saveErr != nil {
				cancel()
			}
		}
		batch = batch[:0]
	}
	opts := o.Check // linkcheck.New fills the User-Agent
	opts.Now = db.NowFunc()
	opts.OnResult = func(r vigie.LinkResult) {
		tally.Add(r)
		batch = append(batch, r)
		if len(batch) >= 200 {
			flush()
		}
	}
	checker := linkcheck.New(opts)
	defer checker.Close()
	log.Info("checking links", "urls", len(targets), "portal", p.URL, "concurrency", opts.Concurrency, "per_host", opts.PerHost)
	start := time.Now()
	checker.Run(checkCtx, targets)
	flush()
	out.Summary, out.Elapsed = tally.Summary(), time.Since(start)
	if saveErr != nil {
		return saveErr
	}
	return ctx.Err()
}
