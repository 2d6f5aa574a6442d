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

// Results are saved by a writer of their own, in transactions of up to
// saveBatch results, while the checks go on: a save (one SQLite transaction)
// no longer holds back the results behind it, and a night of 340,000 URLs
// pays 85 commits and statement preparations instead of 1,700. A batch is
// handed over after saveEvery too, so that a slow run on real portals still
// saves as it goes.
var (
	saveBatch = 4096 // tests lower it to make many batches of a few URLs
	saveEvery = 2 * time.Second
)

// checkLinks checks targets into run runID, saving results as they come, and
// fills out's summary and timing. It returns the first failed save, else
// ctx's error: the checker stops quietly when cancelled.
func checkLinks(ctx context.Context, db LinkStore, log *slog.Logger, p *store.Portal, runID int64, targets []linkcheck.Target, o LinkOptions, out *LinkOutcome) error {
	// Saving must outlive Ctrl-C, so that what was checked is kept.
	saveCtx := context.WithoutCancel(ctx)
	checkCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	w := newLinkWriter(func(batch []vigie.LinkResult) error {
		err := db.SaveLinkResults(saveCtx, runID, batch)
		if err != nil {
			cancel() // no check is worth making once results cannot be kept
		}
		return err
	})
	var tally linkcheck.Tally
	opts := o.Check // linkcheck.New fills the User-Agent
	opts.Now = db.NowFunc()
	opts.OnResult = func(r vigie.LinkResult) {
		tally.Add(r)
		w.add(r)
	}
	checker := linkcheck.New(opts)
	defer checker.Close()
	log.Info("checking links", "urls", len(targets), "portal", p.URL, "concurrency", opts.Concurrency, "per_host", opts.PerHost)
	start := time.Now()
	checker.Run(checkCtx, targets)
	saveErr := w.close()
	out.Summary, out.Elapsed = tally.Summary(), time.Since(start)
	if saveErr != nil {
		return saveErr
	}
	return ctx.Err()
}

// linkWriter saves results in batches on a goroutine of its own. add and
// close are called from one goroutine; while one batch is being saved, the
// next fills. After a failed save the rest are dropped and close returns
// the error.
type linkWriter struct {
	save    func([]vigie.LinkResult) error
	batch   []vigie.LinkResult
	since   time.Time // when the batch got its first result
	full    chan []vigie.LinkResult
	empty   chan []vigie.LinkResult
	done    chan struct{}
	saveErr error // set by the writer goroutine, read after done
}

func newLinkWriter(save func([]vigie.LinkResult) error) *linkWriter {
	w := &linkWriter{save: save, full: make(chan []vigie.LinkResult, 1), empty: make(chan []vigie.LinkResult, 2),
		done: make(chan struct{})}
	w.empty <- make([]vigie.LinkResult, 0, saveBatch)
	w.empty <- make([]vigie.LinkResult, 0, saveBatch)
	w.batch = make([]vigie.LinkResult, 0, saveBatch)
	go func() {
		defer close(w.done)
		for b := range w.full {
			if w.saveErr == nil {
				w.saveErr = w.save(b)
			}
			clear(b) // the spare holds no URL alive
			w.empty <- b[:0]
		}
	}()
	return w
}

// add queues one result, handing the batch to the writer when it is full
// or has waited saveEvery.
func (w *linkWriter) add(r vigie.LinkResult) {
	if len(w.batch) == 0 {
		w.since = time.Now()
	}
	w.batch = append(w.batch, r)
	if len(w.batch) >= saveBatch || time.Since(w.since) >= saveEvery {
		w.handOver()
	}
}

func (w *linkWriter) handOver() {
	if len(w.batch) == 0 {
		return
	}
	w.full <- w.batch
	w.batch = <-w.empty
}

// close saves what is left, waits for the writer and returns the first
// failed save.
func (w *linkWriter) close() error {
	w.handOver()
	close(w.full)
	<-w.done
	return w.saveErr
}
