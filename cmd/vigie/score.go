package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
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
			out, err := scoreCatalogue(cmd.Context(), a, db, o)
			if out != nil {
				fmt.Fprintln(a.Stdout, scoreSummary(out))
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.profile, "profile", "", "scoring profile: donneesquebec, ckan, mqa or a YAML file (default: chosen from the portal)")
	f.StringSliceVar(&o.orgs, "org", nil, "only datasets of this organization (name; repeat or comma-separate)")
	return cmd
}

// scoreOutcome is what a score run did.
type scoreOutcome struct {
	Run         *store.ScoreRun
	Profile     string
	Datasets    int
	MeanOverall *float64
	Ratings     map[string]int
	Fresh       map[string]int
	Tau         float64 // share of scheduled datasets that are up to date
	Scheduled   int     // datasets whose freshness could be assessed
	Elapsed     time.Duration
	Interrupted bool
}

var errStopSample = errors.New("sample complete")

// errSaveFailed stops reading when saving a batch failed; the save's own
// error is the one returned.
var errSaveFailed = errors.New("saving scores failed")

// pickProfile loads the --profile profile, or the portal's default one
// chosen from its URL and a sample of its datasets.
func pickProfile(ctx context.Context, db *store.DB, p *store.Portal, name string) (*quality.Profile, error) {
	if name == "" {
		var sample []*vigie.Dataset
		err := db.EachDataset(ctx, p.ID, store.DatasetFilter{}, func(d *vigie.Dataset) error {
			c := *d
			sample = append(sample, &c)
			if len(sample) >= 50 {
				return errStopSample
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopSample) {
			return nil, err
		}
		name = quality.DefaultProfileFor(p.URL, sample)
	}
	prof, err := quality.LoadProfile(name, os.ReadFile)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return prof, nil
}

// scoreCatalogue scores the portal's active datasets (of o.orgs) into a new
// score run, saved in batches. On cancellation it marks the run interrupted
// and returns the context's error with the outcome so far.
func scoreCatalogue(ctx context.Context, a *App, db *store.DB, o *scoreOptions) (*scoreOutcome, error) {
	p, err := db.Portal(ctx, a.Portal)
	if err != nil {
		return nil, err
	}
	total, err := db.CountDatasets(ctx, p.ID, store.HarvestOptions{Orgs: o.orgs}, vigie.StateActive)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		return nil, fmt.Errorf("no active dataset to score for %s%s: run 'vigie harvest' first", p.URL, orgsNote(o.orgs))
	}
	prof, err := pickProfile(ctx, db, p, o.profile)
	if err != nil {
		return nil, err
	}
	checked, err := db.LinksChecked(ctx)
	if err != nil {
		return nil, err
	}
	if !checked {
		a.Log.Info("links were never checked: availability will be unknown (run 'vigie links' first to include it)")
	}
	runID, err := db.BeginScoreRun(ctx, p.ID, prof.Name)
	if err != nil {
		return nil, err
	}
	a.Log.Info("scoring", "datasets", total, "portal", p.URL, "profile", prof.Name, "score_run", runID)
	saveCtx := context.WithoutCancel(ctx)
	start := time.Now()
	now := db.Now()
	out := &scoreOutcome{Profile: prof.Name, Ratings: map[string]int{}, Fresh: map[string]int{}}
	var sum float64
	var known int
	var statuses []string
	// Reading and scoring run here while a second goroutine saves the
	// previous batch: on two cores the stage takes about as long as the
	// slower of the two instead of their sum. Big batches: each transaction
	// rewrites the index pages it touches, and a batch's findings spread over
	// the whole run's key range (datasets come in name order).
	const batchSize = 10000
	batches := make(chan []vigie.Assessment, 1)
	stop := make(chan struct{}) // closed when a save failed
	saved := make(chan error, 1)
	go func() {
		var serr error
		for b := range batches {
			if serr != nil {
				continue
			}
			if serr = db.SaveAssessments(saveCtx, runID, b); serr != nil {
				close(stop)
			}
		}
		saved <- serr
	}()
	send := func(b []vigie.Assessment) error {
		select {
		case batches <- b:
			return nil
		case <-stop:
			return errSaveFailed
		}
	}
	batch := make([]vigie.Assessment, 0, batchSize)
	bar := newProgress(a, "scoring")
	err = db.EachDatasetLinks(ctx, p.ID, store.DatasetFilter{Orgs: o.orgs}, func(d *vigie.Dataset, links map[string]vigie.LinkResult) error {
		if !checked {
			links = nil
		}
		as := quality.Score(d, links, prof, now)
		out.Datasets++
		out.Ratings[as.MQA.Rating]++
		out.Fresh[as.FreshnessStatus]++
		statuses = append(statuses, as.FreshnessStatus)
		if as.Scores.Overall != nil {
			sum += *as.Scores.Overall
			known++
		}
		batch = append(batch, as)
		if len(batch) == batchSize {
			if err := send(batch); err != nil {
				return err
			}
			batch = make([]vigie.Assessment, 0, batchSize)
		}
		bar.Set(out.Datasets, total)
		return ctx.Err()
	})
	if err == nil {
		err = send(batch)
	}
	close(batches)
	if serr := <-saved; serr != nil && (err == nil || errors.Is(err, errSaveFailed)) {
		err = serr
	}
	bar.Done()
	out.Elapsed = time.Since(start)
	out.Tau, out.Scheduled = quality.Tau(statuses)
	if known > 0 {
		m := sum / float64(known)
		out.MeanOverall = &m
	}
	status, msg := "complete", ""
	switch {
	case ctx.Err() != nil:
		status, out.Interrupted = "interrupted", true
		msg = fmt.Sprintf("interrupted after %d of %d datasets", out.Datasets, total)
		err = ctx.Err()
	case err != nil:
		status, msg = "failed", firstLine(err.Error())
	}
	if ferr := db.FinishScoreRun(saveCtx, runID, status, out.Datasets, msg); ferr != nil && err == nil {
		err = ferr
	}
	out.Run = &store.ScoreRun{ID: runID, PortalID: p.ID, Profile: prof.Name, Status: status, Datasets: out.Datasets}
	if status == "complete" {
		if r, lerr := db.LatestScoreRun(saveCtx, p.ID); lerr == nil && r.ID == runID {
			out.Run = r
		}
	}
	return out, err
}

func orgsNote(orgs []string) string {
	if len(orgs) == 0 {
		return ""
	}
	return " (organizations " + strings.Join(orgs, ", ") + ")"
}

// scoreSummary is the one line `vigie score` prints.
func scoreSummary(o *scoreOutcome) string {
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
