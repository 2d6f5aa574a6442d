// Package pipeline runs vigie's stages over the store: it scores a catalogue
// (store → quality → store), checks its links (store → linkcheck → store)
// and judges a nightly audit against its quality gate. Commands parse flags,
// call these and print what they return.
package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

// ScoreOptions select what Score scores and how it reports.
type ScoreOptions struct {
	Profile string // built-in name or YAML file; "" = the portal's default
	// Log receives the stage's information lines; nil discards them.
	Log *slog.Logger
	// Progress, when set, is called with datasets scored so far and the total.
	Progress func(done, total int)
	// Scorers is how many goroutines score batches at once; 0 means one a
	// core (GOMAXPROCS). The stored rows are the same whatever it is.
	Scorers int
}

// ScoreOutcome is what a score run did.
type ScoreOutcome struct {
	Run         *store.ScoreRun
	Profile     string
	Datasets    int
	MeanOverall *float64
	Ratings     map[vigie.Rating]int
	Fresh       map[vigie.Freshness]int
	Tau         float64 // share of scheduled datasets that are up to date
	Scheduled   int     // datasets whose freshness could be assessed
	Elapsed     time.Duration
	Interrupted bool
	// LinksUnchecked says that no link was ever checked: availability is
	// unknown (the command line says how to include it).
	LinksUnchecked bool
}

// ProfileError is a --profile that cannot be loaded: a usage error.
type ProfileError struct{ Err error }

func (e *ProfileError) Error() string { return e.Err.Error() }
func (e *ProfileError) Unwrap() error { return e.Err }

var errStopSample = errors.New("sample complete")

// errSaveFailed stops reading when saving a batch failed; the save's own
// error is the one returned.
var errSaveFailed = errors.New("saving scores failed")

// PickProfile loads the named profile, or the portal's default one chosen
// from its URL and a sample of its datasets when name is empty.
func PickProfile(ctx context.Context, db ScoreStore, p *store.Portal, name string) (*quality.Profile, error) {
	if name == "" {
		var sample []*vigie.Dataset
		err := db.EachDataset(ctx, store.DatasetFilter{Scope: vigie.Scope{Portal: p.URL}}, func(d *vigie.Dataset) error {
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
		return nil, &ProfileError{err}
	}
	return prof, nil
}

// Score scores the active datasets of the scope into a new score run,
// saved in batches while the next ones are read and scored. On cancellation
// it marks the run interrupted and returns the context's error with the
// outcome so far.
func Score(ctx context.Context, db ScoreStore, s vigie.Scope, o ScoreOptions) (*ScoreOutcome, error) {
	log := orDiscard(o.Log)
	p, err := db.Portal(ctx, s.Portal)
	if err != nil {
		return nil, err
	}
	total, err := db.CountDatasets(ctx, p.ID, store.HarvestOptions{Orgs: s.Orgs, IncludePrivate: true}, vigie.StateActive)
	if err != nil {
		return nil, err
	}
	if total == 0 {
		e := vigie.NewError(vigie.KindNotHarvested, "pipeline.nothing_to_score", p.URL, "")
		if len(s.Orgs) > 0 {
			e.Args[1] = vigie.NewError(vigie.KindOther, "pipeline.orgs_note", strings.Join(s.Orgs, ", "))
		}
		e.Portal = p.URL
		return nil, e
	}
	prof, err := PickProfile(ctx, db, p, o.Profile)
	if err != nil {
		return nil, err
	}
	lics, err := db.PortalLicences(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	env := quality.Env{Licences: lics}
	checked, err := db.LinksChecked(ctx)
	if err != nil {
		return nil, err
	}
	out := &ScoreOutcome{Profile: prof.Name, Ratings: map[vigie.Rating]int{}, Fresh: map[vigie.Freshness]int{}, LinksUnchecked: !checked}
	var runID int64
	begin := func(ctx context.Context) (int64, error) {
		return db.BeginScoreRunHashed(ctx, p.ID, prof.Name, prof.Hash())
	}
	status, err := run(ctx, begin,
		func(ctx context.Context, id int64) error {
			runID = id
			log.Info("scoring", "datasets", total, "portal", p.URL, "profile", prof.Name, "score_run", runID)
			return score(ctx, db, p, s, prof, env, checked, runID, total, o, out)
		},
		func(ctx context.Context, runID int64, status string, err error) error {
			return db.FinishScoreRun(ctx, runID, status, out.Datasets,
				endMessage(status, err, fmt.Sprintf("interrupted after %d of %d datasets", out.Datasets, total)))
		})
	if status == "" {
		return nil, err // the run did not begin
	}
	out.Interrupted = status == store.RunInterrupted
	out.Run = &store.ScoreRun{ID: runID, PortalID: p.ID, Profile: prof.Name, Status: status, Datasets: out.Datasets}
	if status == store.RunComplete {
		if r, lerr := db.LatestScoreRun(context.WithoutCancel(ctx), p.ID); lerr == nil && r.ID == runID {
			out.Run = r
		}
	}
	return out, err
}

// scoreJob is a batch of datasets read, to be scored by one of the
// scorers; done is closed when out holds its assessments.
type scoreJob struct {
	b    *store.DatasetLinksBatch
	out  []vigie.Assessment
	done chan struct{}
}

// score scores the scope's datasets into run runID and fills out. It
// returns the first error, ctx's when it was cancelled, whatever it was
// doing then.
//
// Three kinds of goroutines share the work: this one reads the datasets a
// batch at a time (store.EachDatasetLinkBatch); a scorer per core scores
// whole batches; a collector takes the scored batches back in the order
// they were read, counts them into out and passes them, 5,000 at a time,
// to a saver that writes the previous ones meanwhile. On two cores the
// reading keeps one busy while the scoring and the saving share the other,
// instead of the reader scoring too. Datasets come in id order and are
// counted and saved in it, so each save appends to the end of the run's
// findings key and the mean is summed in the same order as before. At
// most scorers + 1 batches of 500 datasets are held between reading and
// collecting: enough to keep every scorer busy while the collector waits
// for the oldest. Reading and scoring now outpace saving, so every buffer
// stays full: the batch being saved and the one the collector fills (the
// hand-over waits for the saver), 5,000 assessments each. With 10,000 and
// a batch queued between them the live heap at 100k datasets stayed at
// 76-136 MB instead of falling back to about 45 MB after each save.
func score(ctx context.Context, db ScoreStore, p *store.Portal, s vigie.Scope, prof *quality.Profile, env quality.Env, checked bool, runID int64, total int, o ScoreOptions, out *ScoreOutcome) error {
	saveCtx := context.WithoutCancel(ctx)
	start := time.Now()
	now := db.AsOf() // the fixed clock (--now) when there is one
	const batchSize = 5000
	batches := make(chan []vigie.Assessment)
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

	scorers := o.Scorers
	if scorers <= 0 {
		scorers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan *scoreJob, scorers)
	ordered := make(chan *scoreJob, scorers)
	var scoring sync.WaitGroup
	for range scorers {
		scoring.Go(func() {
			links := make(map[string]vigie.LinkResult)
			for j := range jobs {
				if ctx.Err() == nil {
					j.out = make([]vigie.Assessment, len(j.b.Datasets))
					for i, d := range j.b.Datasets {
						var ls map[string]vigie.LinkResult
						if checked {
							j.b.Links(d, links)
							ls = links
						}
						j.out[i] = quality.ScoreIn(d, ls, prof, now, env)
					}
				}
				j.b = nil // the datasets, scored, are no longer held while they wait
				close(j.done)
			}
		})
	}

	// The collector: readErr is set before ordered is closed.
	var readErr error
	collected := make(chan error, 1)
	go func() {
		var sum float64
		var known int
		var statuses []vigie.Freshness
		var err error
		batch := make([]vigie.Assessment, 0, batchSize)
		for j := range ordered {
			<-j.done
			if err != nil || j.out == nil {
				continue // stopped: the remaining jobs are only drained
			}
			for _, as := range j.out {
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
					if err = send(batch); err != nil {
						break
					}
					batch = make([]vigie.Assessment, 0, batchSize)
				}
				if o.Progress != nil {
					o.Progress(out.Datasets, total)
				}
				if err = ctx.Err(); err != nil {
					break
				}
			}
		}
		if err == nil && readErr == nil {
			err = send(batch)
		}
		close(batches)
		out.Tau, out.Scheduled = quality.Tau(statuses)
		if known > 0 {
			m := sum / float64(known)
			out.MeanOverall = &m
		}
		collected <- err
	}()

	readErr = db.EachDatasetLinkBatch(ctx, store.DatasetFilter{Scope: vigie.Scope{Portal: p.URL, Orgs: s.Orgs}}, func(b *store.DatasetLinksBatch) error {
		j := &scoreJob{b: b, done: make(chan struct{})}
		select { // first in the collector's queue, so that it is collected in order
		case ordered <- j:
		case <-stop:
			return errSaveFailed
		}
		jobs <- j // never blocks for long: scorers take every job
		return ctx.Err()
	})
	close(jobs)
	close(ordered)
	scoring.Wait()
	err := readErr
	if cerr := <-collected; err == nil {
		err = cerr
	}
	if serr := <-saved; serr != nil && (err == nil || errors.Is(err, errSaveFailed)) {
		err = serr
	}
	out.Elapsed = time.Since(start)
	if ctx.Err() != nil { // stopped, whatever it was doing then
		err = ctx.Err()
	}
	return err
}

// orDiscard is l, or a logger that drops everything when l is nil.
func orDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}
