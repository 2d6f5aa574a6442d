package pipeline

import (
	"context"
	"errors"
	"fmt"
	"runtime/trace"
	"strconv"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/store"
)

// Source is what a portal kind provides to the harvest stage (CKAN's is
// harvester.Source). It lists one scope, set when the source is made, and
// stores nothing.
type Source interface {
	// Probe says what the portal says about itself.
	Probe(ctx context.Context) (*vigie.PortalInfo, error)
	// Licences is the portal's licence register, nil when it has none.
	Licences(ctx context.Context) ([]vigie.Licence, error)
	// Organizations lists every organization of the portal.
	Organizations(ctx context.Context) ([]vigie.Organization, error)
	// Count is how many datasets the portal counts in scope.
	Count(ctx context.Context) (int, error)
	// Datasets lists the datasets in scope a page at a time (all of them
	// when since is zero, else those modified since then) with the count
	// the portal gave with each page, and returns the last count.
	Datasets(ctx context.Context, since time.Time, page func(ds []vigie.Dataset, count int) error) (int, error)
	// IDs lists the ids in scope, to find what a listing missed.
	IDs(ctx context.Context, page func(ids []string) error) error
	// Dataset fetches one dataset; found is false when it is gone.
	Dataset(ctx context.Context, id string) (d vigie.Dataset, found bool, err error)
	// Present says whether a dataset is still there, active and visible,
	// asking the portal's database rather than its search index.
	Present(ctx context.Context, id string) (bool, error)
	// Requests is how many requests the source made.
	Requests() int
	// Scrub removes secrets from an error's text.
	Scrub(error) error
}

// HarvestStore is what the harvest stage reads and writes (store.DB is
// today's).
type HarvestStore interface {
	BeginHarvestRun(ctx context.Context, portalID int64, o store.HarvestOptions) (int64, error)
	FinishHarvestRun(ctx context.Context, runID int64, r store.HarvestResult) error
	LastCompleteFullRun(ctx context.Context, portalID int64, o store.HarvestOptions) (*store.HarvestRun, error)
	LastCompleteRun(ctx context.Context, portalID int64, o store.HarvestOptions) (*store.HarvestRun, error)
	UpdatePortalInfo(ctx context.Context, p *store.Portal) error
	SaveDatasets(ctx context.Context, portalID, runID int64, ds []vigie.Dataset) (store.SaveCounts, error)
	SaveOrganizations(ctx context.Context, portalID, runID int64, orgs []vigie.Organization) error
	SavePortalLicences(ctx context.Context, portalID int64, ls []vigie.Licence) error
	CountDatasets(ctx context.Context, portalID int64, o store.HarvestOptions, state string) (int, error)
	UnseenActive(ctx context.Context, portalID, runID int64, o store.HarvestOptions, sample int) (int, []string, error)
	MarkMissing(ctx context.Context, portalID, runID int64, o store.HarvestOptions) (missing, deleted int, err error)
}

// HarvestOptions control a harvest.
type HarvestOptions struct {
	Full           bool          // force a full pass
	FullEvery      time.Duration // force a full pass when the last one is older; default 7 days
	Orgs           []string      // the source's scope: only these organizations (names)
	IncludePrivate bool          // the source lists private datasets too
	Margin         time.Duration // incremental safety margin; default 1 h
	// MaxMissing is the share (0–1) of the active datasets in scope that one
	// complete pass may mark missing without a check: above it, a sample is
	// checked with the source, and the run fails, marking nothing, unless
	// every sampled dataset is really gone. 0 means DefaultMaxMissing;
	// negative checks any pass that would mark one dataset missing.
	MaxMissing float64
	// Progress is called after each page with the datasets fetched so far
	// and the portal's count (0 when unknown).
	Progress func(phase string, fetched, count int)
	Now      func() time.Time
}

func (o *HarvestOptions) defaults() {
	if o.FullEvery <= 0 {
		o.FullEvery = 7 * 24 * time.Hour
	}
	if o.Margin <= 0 {
		o.Margin = time.Hour
	}
	if o.MaxMissing == 0 {
		o.MaxMissing = DefaultMaxMissing
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
}

// HarvestResult summarises a harvest run.
type HarvestResult struct {
	RunID           int64
	Mode            string // full, incremental or import
	Reason          string // why this mode, in English for logs ("--full", "last full pass is 192h0m0s old", "counts drift"…)
	ReasonID        string // the same as a message id (reason.full_flag…), with ReasonArgs, for people
	ReasonArgs      []any
	ListingComplete bool // a full pass saw every dataset the portal counted
	Expected        int  // the portal's count
	Fetched         int
	Counts          store.SaveCounts
	Missing         int
	Deleted         int
	// MissingChecked is how many datasets absent from the listing were
	// checked with the source (and found gone) before a mass marking.
	MissingChecked int
	Organizations  int
	Licences       int // entries of the portal's licence register (0 when it has none)
	Requests       int
	Elapsed        time.Duration
}

// ErrMassMissing is wrapped when a complete pass would mark more datasets
// missing than HarvestOptions.MaxMissing allows and a check with the portal
// finds some of them still there.
var ErrMassMissing = errors.New("too many datasets missing from the listing")

// DefaultMaxMissing is the share of missing datasets checked before they
// are marked; missingSample how many of them are checked.
const (
	DefaultMaxMissing = 0.10
	missingSample     = 20
)

// Harvest brings the store up to date with the portal: it probes the
// source, records organizations, then runs a full or incremental pass and,
// after a complete full pass, marks datasets no longer listed as missing
// (then deleted). Each page is written in its own transaction as it
// arrives; missing/deleted marks and the run's completion are written last,
// so a failed or interrupted harvest leaves the previous state intact and
// records its run as failed or interrupted.
func Harvest(ctx context.Context, src Source, db HarvestStore, portal *store.Portal, o HarvestOptions) (*HarvestResult, error) {
	o.defaults()
	start := time.Now()
	h := &harvest{src: src, db: db, portal: portal, o: o, scope: store.HarvestOptions{Orgs: o.Orgs, IncludePrivate: o.IncludePrivate}}
	var err error
	r := trace.StartRegion(ctx, "harvest: choose mode")
	h.res.Mode, h.since, err = h.chooseMode(ctx)
	r.End()
	if err != nil {
		return nil, err
	}
	h.scope.Mode = h.res.Mode
	status, err := run(ctx, func(ctx context.Context) (int64, error) {
		defer trace.StartRegion(ctx, "harvest: begin run").End()
		return db.BeginHarvestRun(ctx, portal.ID, h.scope)
	},
		func(ctx context.Context, runID int64) error {
			h.res.RunID = runID
			// status_show is asked while the listing starts: its answer is
			// recorded before the first page is written, and its failure
			// stops the listing and is the one reported, as when it was
			// asked alone first
			lctx, stopList := context.WithCancel(ctx)
			defer stopList()
			h.probed = make(chan probeResult, 1)
			go func() {
				r := trace.StartRegion(ctx, "harvest: probe")
				info, err := src.Probe(ctx)
				r.End()
				if err != nil {
					stopList()
				}
				h.probed <- probeResult{info, err}
			}()
			err := h.run(lctx)
			if perr := h.recordProbe(ctx); perr != nil {
				err = perr
			}
			if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w (%v)", ctx.Err(), err)
			}
			h.res.Requests = src.Requests()
			h.res.Elapsed = time.Since(start)
			return err
		}, h.finish)
	if status == "" {
		return nil, err // the run did not begin
	}
	return &h.res, err
}

// probeResult is status_show's answer.
type probeResult struct {
	info *vigie.PortalInfo
	err  error
}

// recordProbe waits for status_show's answer and records what the portal
// says about itself, once; later calls return the first one's error.
func (h *harvest) recordProbe(ctx context.Context) error {
	if h.probed == nil {
		return h.probeErr
	}
	r := trace.StartRegion(ctx, "harvest: wait probe")
	pr := <-h.probed
	r.End()
	h.probed = nil
	if h.probeErr = pr.err; pr.err != nil {
		return pr.err
	}
	p := h.portal
	p.Title, p.CKANVersion, p.Extensions, p.Locale, p.ProbedAt = pr.info.Title, pr.info.CKANVersion, pr.info.Extensions, pr.info.Locale, h.o.Now()
	h.probeErr = h.db.UpdatePortalInfo(ctx, p)
	return h.probeErr
}

type harvest struct {
	src    Source
	db     HarvestStore
	portal *store.Portal
	o      HarvestOptions
	scope  store.HarvestOptions
	since  time.Time
	res    HarvestResult
	orgs   chan orgList // organizations being fetched beside the listing
	// status_show's answer, asked beside the first page, recorded before it
	probed   chan probeResult
	probeErr error
}

// chooseMode picks a full or incremental pass and records why in h.res.
func (h *harvest) chooseMode(ctx context.Context) (mode string, since time.Time, err error) {
	if h.o.Full {
		h.res.setReason("--full", "reason.full_flag")
		return store.ModeFull, since, nil
	}
	full, err := h.db.LastCompleteFullRun(ctx, h.portal.ID, h.scope)
	if errors.Is(err, store.ErrNotFound) {
		h.res.setReason("no complete full pass yet", "reason.first_full")
		return store.ModeFull, since, nil
	}
	if err != nil {
		return "", since, err
	}
	if age := h.o.Now().Sub(full.StartedAt); age > h.o.FullEvery {
		days := int(age.Hours() / 24)
		h.res.setReason(fmt.Sprintf("last full pass is %s old", age.Truncate(time.Hour)), "reason.full_age", l10n.Whole(days))
		return store.ModeFull, since, nil
	}
	last, err := h.db.LastCompleteRun(ctx, h.portal.ID, h.scope)
	if err != nil {
		return "", since, err
	}
	h.res.setReason("changes since run "+strconv.FormatInt(last.ID, 10), "reason.since_run", strconv.FormatInt(last.ID, 10))
	return store.ModeIncremental, last.StartedAt.Add(-h.o.Margin), nil
}

// setReason records why a mode was chosen: in English for logs, and as a
// message id with its arguments for what people read.
func (r *HarvestResult) setReason(en, id string, args ...any) {
	r.Reason, r.ReasonID, r.ReasonArgs = en, id, args
}

// finish records how the harvest run ended, as run decided.
func (h *harvest) finish(ctx context.Context, runID int64, status string, runErr error) error {
	defer trace.StartRegion(ctx, "harvest: finish run").End()
	r := store.HarvestResult{Mode: h.res.Mode, Status: status, ListingComplete: h.res.ListingComplete,
		Expected: h.res.Expected, Fetched: h.res.Fetched, Counts: h.res.Counts, Missing: h.res.Missing,
		Deleted: h.res.Deleted, Organizations: h.res.Organizations, Requests: h.res.Requests}
	if runErr != nil {
		r.ListingComplete = false
		r.Error = h.src.Scrub(runErr).Error()
	}
	return h.db.FinishHarvestRun(ctx, runID, r)
}

// run lists the portal's datasets while its licence register and
// organizations are fetched on the side (they are written once the listing is done, before any missing mark),
// and in incremental mode asks for the count at the same time as the changes.
func (h *harvest) run(ctx context.Context) error {
	octx, cancelOrgs := context.WithCancel(ctx)
	defer cancelOrgs()
	h.orgs = make(chan orgList, 1)
	go func() {
		ls, err := h.src.Licences(octx)
		if err != nil {
			h.orgs <- orgList{err: err}
			return
		}
		all, err := h.src.Organizations(octx)
		h.orgs <- orgList{all: all, licences: ls, err: err}
	}()
	err := h.list(ctx)
	if err == nil {
		err = h.saveOrganizations(ctx)
	} else if h.orgs != nil {
		// an organization listing failure already known came first in a
		// one-request-at-a-time harvest: report it rather than its effect
		select {
		case o := <-h.orgs:
			h.orgs = nil
			if o.err != nil && octx.Err() == nil {
				err = o.err
			}
		default:
		}
	}
	return err
}

func (h *harvest) list(ctx context.Context) error {
	if h.res.Mode == store.ModeIncremental {
		type counted struct {
			n   int
			err error
		}
		cc := make(chan counted, 1)
		go func() {
			n, err := h.src.Count(ctx)
			cc <- counted{n, err}
		}()
		err := h.incremental(ctx)
		c := <-cc
		if c.err != nil {
			return c.err
		}
		if err != nil {
			return err
		}
		count := c.n
		h.res.Expected = count
		stored, err := h.db.CountDatasets(ctx, h.portal.ID, h.scope, vigie.StateActive)
		if err != nil {
			return err
		}
		if stored == count {
			return nil
		}
		h.res.Mode = store.ModeFull
		h.res.setReason(fmt.Sprintf("counts drift (portal %d, store %d)", count, stored), "reason.drift", l10n.Whole(count), l10n.Whole(stored))
		h.scope.Mode = store.ModeFull
		// the full pass sees the incremental's new and changed datasets
		// again, unchanged: count them once
		inc := h.res.Counts
		// and the run fetched what the full pass saw: the incremental's
		// datasets are among them (71 datasets, not 71 plus 4)
		h.res.Fetched = 0
		if err := h.full(ctx, count); err != nil {
			return err
		}
		h.res.Counts.Unchanged = max(0, h.res.Counts.Unchanged-inc.New-inc.Changed)
		return nil
	}
	// a full pass learns the count from its first page
	return h.full(ctx, 0)
}

// savePage drops the datasets already seen in this run and stores the rest
// in one transaction.
func (h *harvest) savePage(ctx context.Context, seen map[string]struct{}, all []vigie.Dataset) error {
	if err := h.recordProbe(ctx); err != nil {
		return err
	}
	ds := all[:0]
	for _, d := range all {
		if _, dup := seen[d.ID]; dup {
			continue
		}
		seen[d.ID] = struct{}{}
		ds = append(ds, d)
	}
	r := trace.StartRegion(ctx, "harvest: save page")
	c, err := h.db.SaveDatasets(ctx, h.portal.ID, h.res.RunID, ds)
	r.End()
	if err != nil {
		return err
	}
	h.res.Counts.Add(c)
	h.res.Fetched += len(ds)
	return nil
}

func (h *harvest) incremental(ctx context.Context) error {
	seen := map[string]struct{}{}
	_, err := h.src.Datasets(ctx, h.since, func(ds []vigie.Dataset, total int) error {
		if err := h.savePage(ctx, seen, ds); err != nil {
			return err
		}
		h.o.Progress("incremental", h.res.Fetched, total)
		return nil
	})
	return err
}

// full lists every dataset in scope, fills gaps found by a slim id-only
// listing, and marks deletions when the listing was complete.
func (h *harvest) full(ctx context.Context, count int) error {
	seen := map[string]struct{}{}
	listed, err := h.src.Datasets(ctx, time.Time{}, func(ds []vigie.Dataset, n int) error {
		if n > count {
			count = n
		}
		if err := h.savePage(ctx, seen, ds); err != nil {
			return err
		}
		h.o.Progress("full", len(seen), count)
		return nil
	})
	if err != nil {
		return err
	}
	count = max(count, listed)
	h.res.Expected = count // fillGaps reports progress against it
	if len(seen) < count {
		if err := h.fillGaps(ctx, seen); err != nil {
			return err
		}
	}
	h.res.ListingComplete = len(seen) >= count
	if len(seen) == 0 {
		// A portal that suddenly lists nothing is far more often a broken
		// search index or proxy than an emptied catalogue: mark nothing.
		stored, err := h.db.CountDatasets(ctx, h.portal.ID, h.scope, vigie.StateActive)
		if err != nil {
			return err
		}
		if stored > 0 {
			h.res.ListingComplete = false
		}
	}
	if err := h.saveOrganizations(ctx); err != nil {
		return err
	}
	if !h.res.ListingComplete {
		return nil
	}
	if err := h.guardMissing(ctx); err != nil {
		return err
	}
	defer trace.StartRegion(ctx, "harvest: mark missing").End()
	h.res.Missing, h.res.Deleted, err = h.db.MarkMissing(ctx, h.portal.ID, h.res.RunID, h.scope)
	return err
}

// guardMissing stands between a complete listing and a mass marking: a
// search index being rebuilt serves a fraction of the catalogue with a
// count that matches it. When the pass would mark more than MaxMissing of
// the active datasets missing, a random sample of them is asked for one by
// one (CKAN's package_show reads the database, not the index); if any is
// still there, the run fails and nothing is marked.
func (h *harvest) guardMissing(ctx context.Context) error {
	defer trace.StartRegion(ctx, "harvest: guard missing").End()
	active, err := h.db.CountDatasets(ctx, h.portal.ID, h.scope, vigie.StateActive)
	if err != nil {
		return err
	}
	unseen, sample, err := h.db.UnseenActive(ctx, h.portal.ID, h.res.RunID, h.scope, missingSample)
	if err != nil || unseen == 0 || active == 0 {
		return err
	}
	share := float64(unseen) / float64(active)
	if h.o.MaxMissing >= 0 && share <= h.o.MaxMissing {
		return nil
	}
	stillThere := 0
	for _, id := range sample {
		there, err := h.src.Present(ctx, id)
		if err != nil {
			return vigie.NewError(vigie.KindOther, "pipeline.mass_missing.check", count(unseen), count(active), percent(share), id, err)
		}
		if there {
			stillThere++
		}
	}
	if stillThere > 0 {
		return &vigie.Error{Kind: vigie.KindTooManyMissing, ID: "pipeline.mass_missing", Err: ErrMassMissing,
			Args: []any{count(unseen), count(active), percent(share), percent(max(h.o.MaxMissing, 0)), count(stillThere), count(len(sample))}}
	}
	h.res.MissingChecked = len(sample)
	return nil
}

// percent is a share in a sentence: "12.5%" (or "10%"), "12,5 %" in French.
func percent(f float64) l10n.Num { return l10n.Share(f, 1) }

// fillGaps lists ids only and fetches the ones the main listing missed.
func (h *harvest) fillGaps(ctx context.Context, seen map[string]struct{}) error {
	var gaps []string
	err := h.src.IDs(ctx, func(ids []string) error {
		for _, id := range ids {
			if _, ok := seen[id]; !ok {
				gaps = append(gaps, id)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range gaps {
		d, found, err := h.src.Dataset(ctx, id)
		if err != nil {
			return err
		}
		if !found {
			continue // deleted or made private since it was listed
		}
		if err := h.savePage(ctx, seen, []vigie.Dataset{d}); err != nil {
			return err
		}
		h.o.Progress("full", len(seen), h.res.Expected)
	}
	return nil
}

// orgList is the outcome of fetching the organizations.
type orgList struct {
	all      []vigie.Organization
	licences []vigie.Licence // the portal's licence register, when it has one
	err      error
}

// saveOrganizations waits for the organizations fetched beside the listing
// and stores them; it does nothing the second time.
func (h *harvest) saveOrganizations(ctx context.Context) error {
	if h.orgs == nil {
		return nil
	}
	if err := h.recordProbe(ctx); err != nil { // status_show's failure comes first
		return err
	}
	r := trace.StartRegion(ctx, "harvest: wait organizations")
	o := <-h.orgs
	r.End()
	h.orgs = nil
	defer trace.StartRegion(ctx, "harvest: save organizations").End()
	if o.err != nil {
		return o.err
	}
	if err := checkOrgs(h.o.Orgs, o.all); err != nil {
		return err
	}
	if len(o.licences) > 0 {
		if err := h.db.SavePortalLicences(ctx, h.portal.ID, o.licences); err != nil {
			return err
		}
		h.res.Licences = len(o.licences)
	}
	if err := h.db.SaveOrganizations(ctx, h.portal.ID, h.res.RunID, o.all); err != nil {
		return err
	}
	h.res.Organizations = len(o.all)
	return nil
}
