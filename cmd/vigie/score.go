package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/pipeline"
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
			if out != nil && out.Run != nil && (err == nil && out.Run.Status == "complete" || out.Interrupted && out.Run.Status == "interrupted") {
				fmt.Fprintln(a.Stdout, scoreSummary(out))
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
	bar := newProgress(a, "scoring")
	out, err := pipeline.Score(ctx, db, a.Portal, pipeline.ScoreOptions{Profile: o.profile, Orgs: o.orgs, Log: a.Log, Progress: bar.Set})
	bar.Done()
	var pe *pipeline.ProfileError
	if errors.As(err, &pe) {
		return out, usageErr("%v", pe.Err)
	}
	return out, err
}

// scoreSummary is the one line `vigie score` prints.
func scoreSummary(o *pipeline.ScoreOutcome) string {
	var b strings.Builder
	verb := "scored"
	if o.Interrupted {
		verb = "interrupted after scoring"
	}
	fmt.Fprintf(&b, "%s %d datasets with profile %s", verb, o.Datasets, o.Profile)
	if o.MeanOverall != nil {
		fmt.Fprintf(&b, ": mean overall %s", strconv.FormatFloat(*o.MeanOverall, 'f', 1, 64))
	} else {
		b.WriteString(": mean overall unknown")
	}
	fmt.Fprintf(&b, "; MQA excellent %d, good %d, sufficient %d, bad %d", o.Ratings["excellent"], o.Ratings["good"], o.Ratings["sufficient"], o.Ratings["bad"])
	fmt.Fprintf(&b, "; freshness fresh %d, due %d, overdue %d, delinquent %d, not applicable %d, unknown %d",
		o.Fresh[vigie.FreshFresh], o.Fresh[vigie.FreshDue], o.Fresh[vigie.FreshOverdue], o.Fresh[vigie.FreshDelinquent],
		o.Fresh[vigie.FreshNotApplicable], o.Fresh[vigie.FreshUnknown])
	if o.Scheduled > 0 {
		fmt.Fprintf(&b, "; tau %s of %d scheduled", strconv.FormatFloat(o.Tau, 'f', 2, 64), o.Scheduled)
	}
	fmt.Fprintf(&b, "; %s", o.Elapsed.Round(time.Millisecond))
	if o.Run != nil {
		fmt.Fprintf(&b, " (score run %d)", o.Run.ID)
	}
	return b.String()
}
