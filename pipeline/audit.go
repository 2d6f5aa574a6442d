package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/store"
)

// AuditStore is what the audit itself reads and writes, beside its stages.
type AuditStore interface {
	DiffStore
	Portal(ctx context.Context, portalURL string) (*store.Portal, error)
	RecordAudit(ctx context.Context, a *store.AuditRun) error
}

// StageReport is what a stage tells the audit's log: one line, and its
// numbers as key-value pairs.
type StageReport struct {
	Summary string
	Attrs   []any
}

// AuditStages are the stages that fill the store, built by the caller for
// its portal kind and flags (the harvest's Source, the link checker's
// politeness, the profile). Audit runs them in this order.
type AuditStages struct {
	Harvest func(ctx context.Context) (StageReport, error)
	Links   func(ctx context.Context) (StageReport, error)
	// Score returns the complete score run the reports describe.
	Score func(ctx context.Context) (*store.ScoreRun, StageReport, error)
}

// AuditWriter writes an audit's report files into the folder being filled
// (reports.AuditWriter is today's).
type AuditWriter interface {
	// Formats names the report files WriteReports writes, for the log.
	Formats() []string
	// WriteReports writes the reports of the audit's score run.
	WriteReports(ctx context.Context, dir string) error
	// WriteDiff writes the comparison of portalURL's score run with the
	// previous one, nil on the first audit; WriteReports has run.
	WriteDiff(ctx context.Context, dir, portalURL string, diff *vigie.DiffResult) error
	// WriteRun writes the audit's record (run.json), last.
	WriteRun(ctx context.Context, dir string, rec *vigie.AuditRecord) error
}

// AuditDeps are the pieces an audit runs with.
type AuditDeps struct {
	Store   AuditStore
	Stages  AuditStages
	Reports AuditWriter
	// Log receives one line per stage; nil discards them.
	Log *slog.Logger
}

// AuditOptions are what one audit of one portal is asked.
type AuditOptions struct {
	Scope          vigie.Scope // the portal, and the organizations of the reports, comparison and gate
	Out            string      // the folder receiving one dated folder per audit
	Gate           Gate
	Threshold      float64 // score change (points) that counts as a drop or a rise
	IncludePrivate bool    // the comparison lists private datasets too
	Lang           string  // of the log lines
	// Now is the fixed "now" (--now) the audit judges by and names its
	// folder after; zero for the system clock.
	Now time.Time
}

// AuditResult is what an audit did, as far as it went.
type AuditResult struct {
	Record vigie.AuditRecord // run.json
	Dir    string            // the dated folder, "" when the audit stopped before it
	Run    *store.ScoreRun   // the score run the reports describe
	Diff   *vigie.DiffResult // the comparison with the previous score run, nil on the first audit
}

// Audit runs one portal's nightly audit under the caller's writer lock:
// harvest → links → score → comparison with the previous score run →
// reports, diff and run.json in a dated folder of o.Out (moved into place
// when complete, OUT/latest pointing at it) → the quality gate. It records
// how the audit ended in the store. A failed gate is not an error: the
// result's Record.Gate says so. A failed stage stops the audit with an
// error naming it; what earlier stages stored stays.
func Audit(ctx context.Context, deps AuditDeps, o AuditOptions) (*AuditResult, error) {
	log := orDiscard(deps.Log)
	res := &AuditResult{}
	rec := &res.Record
	*rec = vigie.AuditRecord{StartedAt: time.Now().UTC(), Orgs: o.Scope.Orgs, Vigie: vigie.BuildInfo(), AsOf: o.Now, Clock: store.ClockFixed}
	if o.Now.IsZero() {
		rec.AsOf, rec.Clock = time.Now().UTC(), store.ClockSystem
	}
	if rec.Orgs == nil {
		rec.Orgs = []string{}
	}
	_, err := run(ctx, nil, func(ctx context.Context, _ int64) error { return audit(ctx, deps, o, log, res) },
		func(ctx context.Context, _ int64, status string, err error) error {
			// A record that cannot be written is logged: the audit went as it went.
			recordAudit(ctx, deps.Store, log, o, res, status, err)
			return nil
		})
	if rec.Portal == "" {
		rec.Portal = o.Scope.Portal
	}
	return res, err
}

// audit runs the audit's stages and writes its folder, filling res.
func audit(ctx context.Context, deps AuditDeps, o AuditOptions, log *slog.Logger, res *AuditResult) error {
	db := deps.Store
	rec := &res.Record
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return &vigie.Error{ID: "pipeline.out_create", Args: []any{o.Out, unwrapPath(err)}, Path: o.Out}
	}
	// stage runs one step and logs one line with its timing and summary.
	stage := func(name string, fn func() (StageReport, error)) error {
		start := time.Now()
		rep, err := fn()
		elapsed := time.Since(start)
		if err != nil {
			log.Error(l10n.T(o.Lang, "log.audit.stage.failed"), "stage", name, "elapsed", elapsed.Round(time.Millisecond).String(), "elapsed_ms", elapsed.Milliseconds(), "error", plain.FirstLine(l10n.Error(o.Lang, err)))
			return &vigie.Error{Kind: vigie.KindOf(err), ID: "pipeline.stopped", Args: []any{stageName(name), err}, Err: err}
		}
		rec.Stages = append(rec.Stages, vigie.StageTiming{Name: name, Seconds: seconds(elapsed), Status: "ok"})
		log.Info(l10n.T(o.Lang, "log.audit.stage.done"), append([]any{"stage", name, "elapsed", elapsed.Round(time.Millisecond).String(), "elapsed_ms", elapsed.Milliseconds(), "summary", rep.Summary}, rep.Attrs...)...)
		return nil
	}
	if err := stage("harvest", func() (StageReport, error) { return deps.Stages.Harvest(ctx) }); err != nil {
		return err
	}
	if err := stage("links", func() (StageReport, error) { return deps.Stages.Links(ctx) }); err != nil {
		return err
	}
	if err := stage("score", func() (StageReport, error) {
		run, rep, err := deps.Stages.Score(ctx)
		res.Run = run
		return rep, err
	}); err != nil {
		return err
	}
	p, err := db.Portal(ctx, o.Scope.Portal)
	if err != nil {
		return err
	}
	run := res.Run
	rec.Portal, rec.ScoreRun, rec.HarvestRun, rec.LinkRun = p.URL, run.ID, run.HarvestRunID, run.LinkRunID

	err = stage("reports", func() (StageReport, error) {
		start := time.Now()
		day := time.Now()
		if c := o.Now; !c.IsZero() { // dated by --now's own date, whatever the local zone
			day = time.Date(c.Year(), c.Month(), c.Day(), c.Hour(), c.Minute(), c.Second(), 0, time.Local)
		}
		dir, err := WriteDatedFolder(o.Out, day, func(tmp string) error {
			// The comparison first, then the report files: run beside
			// them, it took a night-2 audit of 100,000 datasets to
			// 411–484 MiB (the stage's readers on top of what the link
			// stage left), over its 400 MiB budget. On PostgreSQL,
			// readers at once could also wait on each other for the
			// pool's few connections, shared with the portals audited at
			// the same time.
			if err := compareAndGate(ctx, db, p.ID, run, o, log, res); err != nil {
				return err
			}
			if err := deps.Reports.WriteReports(ctx, tmp); err != nil {
				return err
			}
			if err := deps.Reports.WriteDiff(ctx, tmp, p.URL, res.Diff); err != nil {
				return err
			}
			rec.FinishedAt = time.Now().UTC()
			r := *rec
			r.Stages = append(append([]vigie.StageTiming{}, rec.Stages...), vigie.StageTiming{Name: "reports", Status: "ok", Seconds: seconds(time.Since(start))})
			return deps.Reports.WriteRun(ctx, tmp, &r)
		})
		res.Dir = dir
		if err != nil {
			return StageReport{}, err
		}
		return StageReport{Summary: fmt.Sprintf("%s: %s", res.Dir, strings.Join(deps.Reports.Formats(), ", "))}, nil
	})
	return err
}

// compareAndGate compares the audit's score run with the previous one
// (res.Diff, nil on the first audit), counts the run's summary and judges
// the gate by them (res.Record).
func compareAndGate(ctx context.Context, db AuditStore, portalID int64, run *store.ScoreRun, o AuditOptions, log *slog.Logger, res *AuditResult) error {
	rec := &res.Record
	diffOpts := DiffOptions{Threshold: o.Threshold, Orgs: o.Scope.Orgs, IncludePrivate: o.IncludePrivate, Lang: o.Lang}
	diff, err := ComparePrevious(ctx, db, portalID, run, diffOpts)
	if err != nil {
		return err
	}
	res.Diff = diff
	sum, err := RunSummaryFrom(ctx, db, portalID, run, o.Scope.Orgs, diff, diffOpts)
	if err != nil {
		return err
	}
	rec.Summary = sum
	if diff != nil {
		rec.Compared = diff.From.ScoreRunID
	}
	rec.Gate = o.Gate.Evaluate(sum, diff)
	if len(rec.Gate.Skipped) > 0 {
		log.Info(l10n.T(o.Lang, "log.audit.gate.skipped"), "skipped", strings.Join(rec.Gate.Skipped, ","))
	}
	return nil
}

// seconds is d in seconds, to the millisecond.
func seconds(d time.Duration) float64 { return math.Round(d.Seconds()*1000) / 1000 }

// Set reports whether the gate has any condition.
func (gate Gate) Set() bool { return gate.FailUnder != nil || len(gate.FailOn) > 0 }

// recordAudit stores how an audit ended, for 'vigie portals' and 'vigie
// notify --only-changes'. An audit that failed before the portal was known
// leaves nothing to record.
func recordAudit(ctx context.Context, db AuditStore, log *slog.Logger, o AuditOptions, res *AuditResult, status string, err error) {
	p, perr := db.Portal(ctx, o.Scope.Portal)
	if perr != nil {
		return
	}
	rec := &res.Record
	r := &store.AuditRun{PortalID: p.ID, StartedAt: rec.StartedAt, FinishedAt: time.Now().UTC(),
		ScoreRunID: rec.ScoreRun, OutDir: res.Dir}
	if r.Status = status; status == store.RunFailed {
		r.Error = plain.FirstLine(err.Error())
	}
	if rec.Summary != nil && res.Dir != "" {
		switch {
		case !rec.Gate.Passed:
			r.Gate, r.GateReasons = "failed", rec.Gate.Reasons
		case !o.Gate.Set():
			r.Gate = "none"
		default:
			r.Gate = "passed"
		}
	}
	if werr := db.RecordAudit(ctx, r); werr != nil {
		log.Warn(l10n.T(o.Lang, "log.audit.record"), "error", plain.FirstLine(werr.Error()))
	}
}

// stageName is an audit stage's code ("harvest"), written in a sentence in
// the reader's language ("le moissonnage").
type stageName string

func (s stageName) Localize(lang string) string { return l10n.T(lang, "stage."+string(s)) }
