package main

import (
	"context"
	"github.com/vigie-audit/vigie"
	"time"

	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

// auditLinksOlderThan is the audit's default for --older-than: a nightly run
// starts at about the same time each day, so a 24 h cut-off would skip the
// URLs checked a few minutes later the night before.
const auditLinksOlderThan = 20 * time.Hour

// auditStages runs the stage commands' own code (runHarvest, checkLinks,
// runScore, reports.Build) with their flags, under the audit's lock.
type auditStages struct {
	a       *App
	harvest harvestOptions
	links   *linksOptions
	score   scoreOptions
}

func newAuditStages(a *App) *auditStages {
	s := &auditStages{a: a, links: defaultLinksOptions()}
	s.links.olderThan = auditLinksOlderThan
	return s
}

// addFlags adds the harvest, link check and score flags. A link check flag
// whose name the harvest already uses gets a "links-" prefix (--links-timeout).
func (s *auditStages) addFlags(f *pflag.FlagSet) {
	s.harvest.addFlags(f, false)
	lf := pflag.NewFlagSet("links", pflag.ContinueOnError)
	s.links.addCheckFlags(lf)
	lf.VisitAll(func(fl *pflag.Flag) {
		if f.Lookup(fl.Name) != nil {
			fl.Name = "links-" + fl.Name
			fl.Usage = "link check: " + fl.Usage
		}
		f.AddFlag(fl)
	})
	if fl := f.Lookup("allow-private"); fl != nil { // one flag for both stages (see check)
		fl.Usage = "also connect to loopback, private and link-local addresses: link targets, and the portal's redirects when the portal itself is public"
	}
	f.StringVar(&s.score.profile, "profile", "", "scoring profile: donneesquebec, ckan, mqa or a YAML file (default: chosen from the portal)")
}

// check validates the stages' flags before anything is locked or fetched.
func (s *auditStages) check(o *auditOptions) error {
	s.harvest.full, s.harvest.orgs = o.full, o.orgs
	s.links.orgs, s.score.orgs = o.orgs, o.orgs
	s.harvest.allowPrivate = s.links.allowPrivate
	if err := s.harvest.check(); err != nil {
		return err
	}
	return s.links.validate()
}

// deps are the pieces pipeline.Audit runs with: the stage commands' own
// code with the audit's flags, and the report writers.
func (s *auditStages) deps(db *store.DB, o *auditOptions) pipeline.AuditDeps {
	opts := reports.Options{Scope: s.a.scope(o.orgs), Lang: s.a.Lang, IncludePrivate: s.harvest.includePrivate, Now: s.a.clock}
	if o.baseSet {
		opts.Baseline = &o.baseline
	}
	return pipeline.AuditDeps{
		Store: db,
		Stages: pipeline.AuditStages{
			Harvest: func(ctx context.Context) (pipeline.StageReport, error) { return s.runHarvest(ctx, db) },
			Links:   func(ctx context.Context) (pipeline.StageReport, error) { return s.runLinks(ctx, db) },
			Score:   func(ctx context.Context) (*store.ScoreRun, pipeline.StageReport, error) { return s.runScore(ctx, db) },
		},
		Reports: reports.AuditWriter{Store: db, Options: opts},
		Log:     s.a.Log,
	}
}

func (s *auditStages) runHarvest(ctx context.Context, db *store.DB) (pipeline.StageReport, error) {
	res, err := runHarvest(ctx, s.a, db, &s.harvest)
	if err != nil {
		return pipeline.StageReport{}, err
	}
	return pipeline.StageReport{Summary: harvestSummary(res, s.a.Lang) + publishedNote(ctx, db, vigie.Scope{Portal: s.a.Portal, Orgs: s.harvest.orgs}, s.a.Lang),
		Attrs: harvestAttrs(res)}, nil
}

func (s *auditStages) runLinks(ctx context.Context, db *store.DB) (pipeline.StageReport, error) {
	out, err := checkLinks(ctx, s.a, db, s.links)
	if err != nil {
		return pipeline.StageReport{}, err
	}
	if out == nil {
		msg, _, err := nothingDue(ctx, s.a, db, s.links)
		return pipeline.StageReport{Summary: msg}, err
	}
	return pipeline.StageReport{Summary: summaryLine(out, s.a.Lang), Attrs: linkAttrs(out)}, nil
}

func (s *auditStages) runScore(ctx context.Context, db *store.DB) (*store.ScoreRun, pipeline.StageReport, error) {
	out, err := runScore(ctx, s.a, db, &s.score)
	if err != nil {
		return nil, pipeline.StageReport{}, err
	}
	if out.Run == nil || out.Run.Status != store.RunComplete {
		return nil, pipeline.StageReport{}, vigie.NewError(vigie.KindOther, "cmd.score_incomplete")
	}
	return out.Run, pipeline.StageReport{Summary: scoreSummary(out, s.a.Lang), Attrs: scoreAttrs(out)}, nil
}
