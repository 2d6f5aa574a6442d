package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

// auditFormats are the report files of an audit folder, audit.<format>.
var auditFormats = []string{"xlsx", "html", "json", "md"}

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
	attrs   []any // numeric fields of the last stage, for its log line
}

// takeAttrs returns and forgets the last stage's numeric log fields.
func (s *auditStages) takeAttrs() []any {
	a := s.attrs
	s.attrs = nil
	return a
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

func (s *auditStages) runHarvest(ctx context.Context, db *store.DB) (string, error) {
	res, err := runHarvest(ctx, s.a, db, &s.harvest)
	if err != nil {
		return "", err
	}
	s.attrs = harvestAttrs(res)
	return harvestSummary(res, s.a.Lang) + publishedNote(ctx, db, s.a.Portal, s.harvest.orgs, s.a.Lang), nil
}

func (s *auditStages) runLinks(ctx context.Context, db *store.DB) (string, error) {
	out, err := checkLinks(ctx, s.a, db, s.links)
	if err != nil {
		return "", err
	}
	if out == nil {
		msg, _, err := nothingDue(ctx, s.a, db, s.links)
		return msg, err
	}
	s.attrs = linkAttrs(out)
	return summaryLine(out), nil
}

func (s *auditStages) runScore(ctx context.Context, db *store.DB) (*store.ScoreRun, string, error) {
	out, err := runScore(ctx, s.a, db, &s.score)
	if err != nil {
		return nil, "", err
	}
	if out.Run == nil || out.Run.Status != "complete" {
		return nil, "", fmt.Errorf("the score run did not complete: run 'vigie audit' again")
	}
	s.attrs = scoreAttrs(out)
	return out.Run, scoreSummary(out, s.a.Lang), nil
}

// writeReports writes audit.<format> for each audit format into dir.
func (s *auditStages) writeReports(ctx context.Context, db *store.DB, o *auditOptions, dir string) error {
	opts := reports.Options{PortalURL: s.a.Portal, Orgs: o.orgs, Lang: s.a.Lang, IncludePrivate: s.harvest.includePrivate, Now: s.a.clock}
	if o.baseSet {
		opts.Baseline = &o.baseline
	}
	r, err := reports.Build(ctx, db, opts)
	if err != nil {
		return err
	}
	for _, format := range auditFormats {
		w, err := reports.ForFormat(format, reports.CSV{})
		if err != nil {
			return err
		}
		path := filepath.Join(dir, "audit."+format)
		if err := reports.WriteFileAtomic(path, func(f *os.File) error { return w.Write(ctx, f, r) }); err != nil {
			return fmt.Errorf("%s report: %w", format, err)
		}
	}
	return nil
}
