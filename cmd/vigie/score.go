package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newScoreCmd) }

// scoreOptions are the flags of `vigie score`.
type scoreOptions struct {
	profile string // built-in name or YAML file; "" = the portal's default
	orgs    []string
}

func newScoreCmd(a *App) *cobra.Command {
	o := &scoreOptions{}
	cmd := &cobra.Command{
		Use:   "score",
		Short: "Score every active dataset for completeness, freshness, openness, availability and MQA",
		Long: `Score the portal's active datasets from the latest harvest and link check,
in one score run stored in the database (history and comparisons read it).

Each dataset gets 0–100 per dimension (completeness, freshness, openness,
availability; unknown when it cannot be judged), an overall weighted mean,
data.europa.eu MQA points (0–405) and rating, and a finding for every lost
point with how to fix it ('vigie explain NAME').

The profile sets the rules, points and weights. Without --profile vigie picks
donneesquebec for Données Québec and Montréal (or portals whose datasets carry
their fields) and ckan otherwise. Built-ins: donneesquebec, ckan, mqa; or give
a YAML file ('vigie profile show ckan' prints one to start from).`,
		Example: `  $ vigie score
  $ vigie score --profile mqa
  $ vigie score --org ville-de-quebec --org ville-de-laval
  $ vigie profile show donneesquebec > my-rules.yaml
  $ vigie score --profile ./my-rules.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			db, release, err := a.OpenDBLocked(cmd.Context(), "score")
			if err != nil {
				return err
			}
			defer release()
			if p, err := db.Portal(cmd.Context(), a.Portal); err == nil {
				if err := checkOrgs(cmd.Context(), db, p.ID, o.orgs); err != nil {
					return err
				}
			}
			out, err := runScore(cmd.Context(), a, db, o)
			// The summary is printed only once the run is committed: as
			// complete, or as interrupted (then with the interruption error).
			if out != nil && out.Run != nil && (err == nil && out.Run.Status == store.RunComplete || out.Interrupted && out.Run.Status == store.RunInterrupted) {
				fmt.Fprintln(a.Stdout, scoreSummary(out, a.Lang))
				a.logNumbers("score done", scoreAttrs(out))
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.profile, "profile", "", "scoring profile: donneesquebec, ckan, mqa or a YAML file (default: chosen from the portal)")
	addOrgFlag(f, &o.orgs, "only datasets of this organization")
	return cmd
}

// runScore runs the score stage with the command's options, showing progress.
func runScore(ctx context.Context, a *App, db *store.DB, o *scoreOptions) (*pipeline.ScoreOutcome, error) {
	bar := newProgress(a, "log.progress.score")
	out, err := pipeline.Score(ctx, db, a.scope(o.orgs), pipeline.ScoreOptions{Profile: o.profile, Log: a.Log, Progress: bar.Set})
	bar.Done()
	if err == nil && out != nil && out.Run != nil && !out.Interrupted {
		// Keep the complete run's indicators for the scope now, while the
		// database is open for writing: reports open it read-only and
		// would otherwise compute them again for every report, every night
		// this run stays in the history. A failure here only costs a later
		// report that computation.
		_, _ = db.ReportIndicators(ctx, store.ReportScope{Scope: a.scope(o.orgs), ScoreRunID: out.Run.ID})
	}
	if out != nil && out.LinksUnchecked {
		a.Log.Info(l10n.T(a.Lang, "log.score.links_unchecked"), "event", "score.links_unchecked", "hint", l10n.T(a.Lang, "hint.links_unchecked"))
	}
	var pe *pipeline.ProfileError
	if errors.As(err, &pe) {
		return out, usageErr("%v", pe.Err)
	}
	return out, err
}

// scoreSummary is the one line `vigie score` prints.
func scoreSummary(o *pipeline.ScoreOutcome, lang string) string {
	var b strings.Builder
	n := func(i int) string { return l10n.Int(i, lang) }
	id := "score.scored"
	if o.Interrupted {
		id = "score.interrupted"
	}
	what := l10n.N(lang, "n.datasets.scored", o.Datasets)
	if o.Interrupted {
		what = l10n.N(lang, "n.datasets", o.Datasets)
	}
	b.WriteString(l10n.T(lang, id, what, o.Profile))
	if o.MeanOverall != nil {
		b.WriteString(l10n.T(lang, "score.mean", reports.FormatMean(o.MeanOverall, lang)))
	} else {
		b.WriteString(l10n.T(lang, "score.mean.none"))
	}
	b.WriteString(l10n.T(lang, "score.mqa", n(o.Ratings[vigie.RatingExcellent]), n(o.Ratings[vigie.RatingGood]), n(o.Ratings[vigie.RatingSufficient]), n(o.Ratings[vigie.RatingBad])))
	b.WriteString(l10n.T(lang, "score.fresh", n(o.Fresh[vigie.FreshFresh]), n(o.Fresh[vigie.FreshDue]), n(o.Fresh[vigie.FreshOverdue]),
		n(o.Fresh[vigie.FreshDelinquent]), n(o.Fresh[vigie.FreshNotApplicable]), n(o.Fresh[vigie.FreshUnknown])))
	if o.Scheduled > 0 {
		b.WriteString(l10n.T(lang, "score.tau", l10n.Percent(math.Round(o.Tau*1000)/10, 1, lang), l10n.N(lang, "n.datasets.scheduled", o.Scheduled)))
	}
	sep := " ; " // French puts a space before the semicolon
	if lang == "en" {
		sep = "; "
	}
	b.WriteString(sep + l10n.Duration(o.Elapsed.Round(time.Millisecond), lang))
	if o.Run != nil {
		b.WriteString(l10n.T(lang, "score.run", l10n.Int(o.Run.ID, lang)))
	}
	return b.String()
}
