package main

import (
	"context"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newAuditCmd) }

func gateHelp() string {
	var b strings.Builder
	for _, c := range pipeline.GateConditions {
		fmt.Fprintf(&b, "    %-17s %s\n", c.Name, c.Help)
	}
	return strings.TrimRight(b.String(), "\n")
}

// auditOptions are the audit's own flags; the stages' flags are bound by
// their own commands' option types.
type auditOptions struct {
	out       string
	orgs      []string
	failUnder float64
	underSet  bool
	failOn    []string
	threshold float64
	keep      int
	full      bool
	baseline  float64
	baseSet   bool
	metrics   string // --metrics-file
}

func newAuditCmd(a *App) *cobra.Command {
	o := &auditOptions{}
	st := newAuditStages(a)
	m := &manyOptions{}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Nightly audit: harvest, check links, score, write reports, compare, gate",
		Long: `Run the whole audit under one writer lock, one stage after the other:

  harvest   incremental by default (--full forces a complete pass, which is
            also what detects deletions)
  links     URLs not checked recently, new and changed first
  score     every dataset of the latest harvest
  reports   OUT/YYYY-MM-DD[-N]/ with audit.xlsx, audit.html, audit.json,
            audit.md, diff.md and diff.json (what changed since the previous
            score run) and run.json (stages, timings, gate); OUT/latest
            points at it. They count and list published datasets only;
            with --include-private (the harvest then needs a token) private,
            draft and deleted datasets are listed too, marked, and still left
            out of the indicators

Each stage logs one line with its timing (--quiet keeps only warnings, errors
and the final line on stdout). A failed stage stops the audit with
exit 1; what earlier stages stored stays, and the next run carries on from it.
A report folder appears only when complete.

Quality gate (evaluated on the organizations in --org, or the whole portal):
  --fail-under N    the mean overall score is below N
  --fail-on LIST    any of these conditions holds (comma-separated):
` + gateHelp() + `

Several portals: --all (the portals of the configuration, then the others the
database holds), --portal repeated, or no --portal with a configuration that
lists several. They are audited in one process, --parallel at a time (3): one
portal's network work overlaps the others' while writes to the database take
turns. Each has its own settings (the file's, then the flags given) and its
folder OUT/NAME/. A portal that fails does not stop the others; one line per
portal follows, and the exit code is the worst of them (130, 1, 3, then 0).

Exit codes:
  0    audit done, gate passed (or no gate)
  1    a stage failed (network, portal, database or file error)
  2    usage error
  3    quality gate failed: the reports are written, one line says why
  130  interrupted; stored data stays as it was after the last completed step`,
		Example: `  $ vigie audit --out /srv/audits
  $ vigie audit --out /srv/audits --org ville-de-laval --fail-under 70 --fail-on broken-links,delinquent
  $ vigie audit --out audits --full --lang en
  $ vigie audit --all --out /srv/audits --parallel 4      # every portal of vigie.yaml
  $ vigie audit --portal quebec --portal montreal --out /srv/audits
  # crontab: every night at 02:30
  30 2 * * *  vigie audit --db /srv/vigie/vigie.db --out /srv/audits >>/var/log/vigie/audit.log 2>&1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			targets, err := m.targets(cmd.Context(), a, cmd)
			if err != nil {
				return err
			}
			if targets != nil {
				return runAuditMany(cmd.Context(), a, cmd, m, targets)
			}
			o.underSet = cmd.Flags().Changed("fail-under") || o.failUnder != 0
			o.baseSet = cmd.Flags().Changed("baseline")
			if err := o.check(); err != nil {
				return err
			}
			if err := st.check(o); err != nil {
				return err
			}
			fr := noteFirstRun(a.DBPath, o.out)
			err = runAudit(cmd.Context(), a, o, st)
			fr.cleanup(err)
			return err
		},
	}
	o.addFlags(cmd.Flags(), st)
	m.addFlags(cmd.Flags())
	return cmd
}

// addFlags adds the audit's flags and its stages' to f.
func (o *auditOptions) addFlags(f *pflag.FlagSet, st *auditStages) {
	f.StringVar(&o.out, "out", "", "folder that receives one dated sub-folder per audit (required)")
	f.StringVar(&o.metrics, "metrics-file", "", "write Prometheus metrics here (node_exporter textfile collector: a *.prom file), atomically")
	addOrgFlag(f, &o.orgs, "only this organization: harvest, reports and gate")
	f.Float64Var(&o.failUnder, "fail-under", 0, "exit 3 when the mean overall score of the scope is below this (0–100)")
	f.StringSliceVar(&o.failOn, "fail-on", nil, "exit 3 when any of these holds: "+gateNames())
	f.Float64Var(&o.threshold, "threshold", pipeline.DefaultDiffThreshold, "score change (points) that counts as a drop or a rise in the comparison")
	f.BoolVar(&o.full, "full", false, "force a full harvest pass (needed to see deletions)")
	f.Float64Var(&o.baseline, "baseline", 0, "number of datasets the published-datasets indicator is compared with (default: the profile's, if any)")
	st.addFlags(f)
}

func gateNames() string {
	var n []string
	for _, c := range pipeline.GateConditions {
		n = append(n, c.Name)
	}
	return strings.Join(n, ",")
}

func (o *auditOptions) check() error {
	if strings.TrimSpace(o.out) == "" {
		return usage("usage.out_audit")
	}
	if o.underSet && (o.failUnder < 0 || o.failUnder > 101 || math.IsNaN(o.failUnder)) {
		return usage("usage.fail_under", o.failUnder)
	}
	if o.baseSet {
		if err := checkBaseline(o.baseline); err != nil {
			return err
		}
	}
	if o.threshold < 0 {
		return usage("usage.threshold", o.threshold)
	}
	var clean []string
	for _, c := range o.failOn {
		c = strings.TrimSpace(strings.ToLower(c))
		if c == "" {
			continue
		}
		ok := false
		for _, g := range pipeline.GateConditions {
			ok = ok || g.Name == c
		}
		if !ok {
			return usage("usage.fail_on", c, gateNames())
		}
		clean = append(clean, c)
	}
	o.failOn = clean
	return nil
}

func runAudit(ctx context.Context, a *App, o *auditOptions, st *auditStages) (err error) {
	if err := store.CheckPortalURL(a.Portal); err != nil {
		return usageErr("%v", err) // before the database is created or touched
	}
	if err := os.MkdirAll(o.out, 0o755); err != nil {
		return vigie.NewError(vigie.KindOther, "pipeline.out_create", o.out, pathCause(err))
	}
	db, release, err := a.OpenDBLocked(ctx, "audit")
	if err != nil {
		return err
	}
	defer release()
	a.held = db
	defer func() { a.held = nil }()

	res, err := pipeline.Audit(ctx, st.deps(db, o), pipeline.AuditOptions{Scope: a.scope(o.orgs), Out: o.out,
		Gate: o.gate(), Threshold: o.threshold, IncludePrivate: st.harvest.includePrivate, Lang: a.Lang, Now: a.clock})
	rec := &res.Record
	if err == nil && !rec.Gate.Passed {
		said := rec.Gate.Reasons // English, as run.json records them
		if len(rec.Gate.Said) == len(said) {
			said = make([]string, len(rec.Gate.Said))
			for i, r := range rec.Gate.Said {
				said[i] = l10n.Error(a.Lang, r)
			}
		}
		sep := "; "
		if a.Lang == "fr" {
			sep = " ; "
		}
		err = gateErr("%s", l10n.T(a.Lang, "audit.gate.error", strings.Join(said, sep)))
	}
	if o.metrics != "" {
		if merr := writeMetricsFile(o.metrics, auditMetricsOf(ctx, db, o, rec, err)); merr != nil {
			a.Log.Warn(l10n.T(a.Lang, "log.audit.metrics"), "error", plain.FirstLine(merr.Error()))
		}
	}
	if err != nil && !isGateErr(err) {
		return err
	}
	verdict := l10n.T(a.Lang, "audit.gate.passed")
	switch {
	case !rec.Gate.Passed:
		verdict = l10n.T(a.Lang, "audit.gate.failed")
	case !o.gate().Set():
		verdict = l10n.T(a.Lang, "audit.gate.none")
	}
	n := func(id string, i int) string { return l10n.N(a.Lang, id, i) }
	fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "audit.written", res.Dir, l10n.Int(res.Run.ID, a.Lang), reports.FormatMean(rec.Summary.MeanOverall, a.Lang),
		n("n.links.not_working", rec.Summary.BrokenLinks+rec.Summary.FailingLinks), n("n.broken", rec.Summary.BrokenLinks), n("n.failing", rec.Summary.FailingLinks),
		diffChangeCount(res.Diff, a.Lang), verdict))
	return err
}

func diffChangeCount(d *vigie.DiffResult, lang string) string {
	if d == nil {
		return l10n.T(lang, "audit.first")
	}
	n := len(d.New) + len(d.Missing) + len(d.Deleted) + len(d.Restored) + len(d.Dropped) + len(d.Rose) +
		len(d.NewFindings) + len(d.ResolvedFindings) + len(d.NewlyBroken) + len(d.Repaired) + len(d.Freshness)
	return l10n.T(lang, "audit.changes", l10n.N(lang, "n.changes", n), l10n.Int(d.From.ScoreRunID, lang))
}

// gate is the quality gate the flags ask for.
func (o *auditOptions) gate() pipeline.Gate {
	g := pipeline.Gate{FailOn: o.failOn}
	if o.underSet {
		v := o.failUnder
		g.FailUnder = &v
	}
	return g
}
