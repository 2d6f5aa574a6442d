package harvester

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

// Options control a harvest.
type Options struct {
	Full           bool          // force a full pass
	FullEvery      time.Duration // force a full pass when the last one is older; default 7 days
	Orgs           []string      // only these organizations (names)
	IncludePrivate bool          // ask for private datasets too (needs a token)
	Rows           int           // package_search rows per page; default 1000
	Margin         time.Duration // incremental safety margin; default 1 h
	// MaxDatasets caps one listing (distinct datasets), MaxOrganizations the
	// organizations: a portal that lists new entries for ever is stopped
	// there. Defaults 2,000,000 and 10,000 (the largest CKAN portals have a few thousand organizations).
	MaxDatasets      int
	MaxOrganizations int
	// MaxMissing is the share (0–1) of the active datasets in scope that one
	// complete pass may mark missing without a check: above it, a sample is
	// checked with package_show, and the run fails, marking nothing, unless
	// every sampled dataset is really gone. 0 means DefaultMaxMissing;
	// negative checks any pass that would mark one dataset missing.
	MaxMissing float64
	// Progress is called after each page with the datasets fetched so far
	// and the portal's count (0 when unknown).
	Progress func(phase string, fetched, count int)
	Now      func() time.Time
}

func (o *Options) defaults() {
	if o.FullEvery <= 0 {
		o.FullEvery = 7 * 24 * time.Hour
	}
	if o.Rows <= 0 {
		o.Rows = 1000
	}
	if o.Margin <= 0 {
		o.Margin = time.Hour
	}
	if o.MaxMissing == 0 {
		o.MaxMissing = DefaultMaxMissing
	}
	if o.MaxDatasets <= 0 {
		o.MaxDatasets = DefaultMaxDatasets
	}
	if o.MaxOrganizations <= 0 {
		o.MaxOrganizations = DefaultMaxOrganizations
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC() }
	}
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
}

// Result summarises a harvest run.
type Result struct {
	RunID           int64
	Mode            string // full, incremental or import
	Reason          string // why this mode ("first pass", "--full", "last full pass is 8 days old", "counts drift"…)
	ListingComplete bool   // a full pass saw every dataset the portal counted
	Expected        int    // the portal's count
	Fetched         int
	Counts          store.SaveCounts
	Missing         int
	Deleted         int
	// MissingChecked is how many datasets absent from the listing were
	// checked with package_show (and found gone) before a mass marking.
	MissingChecked int
	Organizations  int
	Licences       int // entries of the portal's license_list (0 when it has none)
	Requests       int
	Elapsed        time.Duration
}

// ErrPagingIgnored is wrapped when a portal returns the same page for
// different start offsets.
var ErrPagingIgnored = errors.New("the portal ignores paging (start): it returned the same page twice")

// ErrListingCycles is wrapped when a portal's pages keep bringing back
// datasets it already listed, or when a listing grows past any sane size.
var ErrListingCycles = errors.New("the portal's listing does not end")

// ErrMassMissing is wrapped when a complete pass would mark more datasets
// missing than Options.MaxMissing allows and a check with the portal finds
// some of them still there.
var ErrMassMissing = errors.New("too many datasets missing from the listing")

// Listing caps (Options.MaxDatasets, Options.MaxOrganizations) and the
// share of missing datasets checked before they are marked.
const (
	DefaultMaxMissing = 0.10
	missingSample     = 20

	DefaultMaxDatasets      = 2_000_000
	DefaultMaxOrganizations = 10_000
)

// Harvest brings the store up to date with the portal: it probes
// status_show, records organizations, then runs a full or incremental pass
// and, after a complete full pass, marks datasets no longer listed as
// missing (then deleted). Each page is written in its own transaction as it
// arrives; missing/deleted marks and the run's completion are written last,
// so a failed or interrupted harvest leaves the previous state intact and
// records its run as failed or interrupted.
func Harvest(ctx context.Context, c *Client, db *store.DB, portal *store.Portal, o Options) (*Result, error) {
	o.defaults()
	start := time.Now()
	h := &harvest{c: c, db: db, portal: portal, o: o, scope: store.HarvestOptions{Orgs: o.Orgs, IncludePrivate: o.IncludePrivate}}
	var err error
	h.res.Mode, h.res.Reason, h.since, err = h.chooseMode(ctx)
	if err != nil {
		return nil, err
	}
	h.scope.Mode = h.res.Mode
	if h.res.RunID, err = db.BeginHarvestRun(ctx, portal.ID, h.scope); err != nil {
		return nil, err
	}
	err = h.probe(ctx)
	if err == nil {
		err = h.run(ctx)
	}
	if err != nil && ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	h.res.Requests = c.Requests()
	h.res.Elapsed = time.Since(start)
	if ferr := h.finish(ctx, err); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return &h.res, err
	}
	return &h.res, nil
}

// probe records what status_show says about the portal.
func (h *harvest) probe(ctx context.Context) error {
	info, err := h.c.Probe(ctx)
	if err != nil {
		return err
	}
	p := h.portal
	p.Title, p.CKANVersion, p.Extensions, p.Locale, p.ProbedAt = info.Title, info.CKANVersion, info.Extensions, info.Locale, h.o.Now()
	return h.db.UpdatePortalInfo(ctx, p)
}

type harvest struct {
	c      *Client
	db     *store.DB
	portal *store.Portal
	o      Options
	scope  store.HarvestOptions
	since  time.Time
	res    Result
	orgs   chan orgList // organizations being fetched beside the listing
}

func (h *harvest) chooseMode(ctx context.Context) (mode, reason string, since time.Time, err error) {
	if h.o.Full {
		return store.ModeFull, "--full", since, nil
	}
	full, err := h.db.LastCompleteFullRun(ctx, h.portal.ID, h.scope)
	if errors.Is(err, store.ErrNotFound) {
		return store.ModeFull, "no complete full pass yet", since, nil
	}
	if err != nil {
		return "", "", since, err
	}
	if age := h.o.Now().Sub(full.StartedAt); age > h.o.FullEvery {
		return store.ModeFull, fmt.Sprintf("last full pass is %s old", age.Truncate(time.Hour)), since, nil
	}
	last, err := h.db.LastCompleteRun(ctx, h.portal.ID, h.scope)
	if err != nil {
		return "", "", since, err
	}
	return store.ModeIncremental, "changes since run " + strconv.FormatInt(last.ID, 10), last.StartedAt.Add(-h.o.Margin), nil
}

func (h *harvest) finish(ctx context.Context, runErr error) error {
	r := store.HarvestResult{Mode: h.res.Mode, Status: store.RunComplete, ListingComplete: h.res.ListingComplete,
		Expected: h.res.Expected, Fetched: h.res.Fetched, Counts: h.res.Counts, Missing: h.res.Missing,
		Deleted: h.res.Deleted, Organizations: h.res.Organizations, Requests: h.res.Requests}
	if runErr != nil {
		r.Status = store.RunFailed
		if errors.Is(runErr, context.Canceled) || errors.Is(runErr, context.DeadlineExceeded) {
			r.Status = store.RunInterrupted
		}
		r.ListingComplete = false
		r.Error = h.c.scrub(runErr).Error()
	}
	return h.db.FinishHarvestRun(ctx, h.res.RunID, r)
}

// run lists the portal's datasets while its licence register and
// organizations are fetched on the side (they are written once the listing is done, before any missing mark),
// and in incremental mode asks for the count at the same time as the changes.
func (h *harvest) run(ctx context.Context) error {
	octx, cancelOrgs := context.WithCancel(ctx)
	defer cancelOrgs()
	h.orgs = make(chan orgList, 1)
	go func() {
		ls, err := h.fetchLicences(octx)
		if err != nil {
			h.orgs <- orgList{err: err}
			return
		}
		o := h.fetchOrganizations(octx)
		o.licences = ls
		h.orgs <- o
	}()
	err := h.list(ctx)
	if err == nil {
		err = h.saveOrganizations(ctx)
	} else if h.orgs != nil {
		// an organization_list failure already known came first in a
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
			n, err := h.count(ctx, h.scopeFilter())
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
		h.res.Mode, h.res.Reason = store.ModeFull, fmt.Sprintf("counts drift (portal %d, store %d)", count, stored)
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

// scopeFilter is the fq for the --org scope, "" for the whole portal.
func (h *harvest) scopeFilter() string {
	switch len(h.o.Orgs) {
	case 0:
		return ""
	case 1:
		return "organization:" + solrTerm(h.o.Orgs[0])
	}
	terms := make([]string, len(h.o.Orgs))
	for i, org := range h.o.Orgs {
		terms[i] = solrTerm(org)
	}
	return "organization:(" + strings.Join(terms, " OR ") + ")"
}

// solrTerm quotes a value unless it is a plain slug.
func solrTerm(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return strconv.Quote(s)
		}
	}
	return s
}

func (h *harvest) searchParams(fq, sort, fl string, rows, start int) url.Values {
	v := url.Values{}
	v.Set("q", "*:*")
	if fq != "" {
		v.Set("fq", fq)
	}
	if fl != "" {
		v.Set("fl", fl)
	}
	if sort != "" {
		v.Set("sort", sort)
	}
	v.Set("rows", strconv.Itoa(rows))
	if start > 0 {
		v.Set("start", strconv.Itoa(start))
	}
	if h.o.IncludePrivate {
		v.Set("include_private", "true")
	}
	return v
}

type searchResult struct {
	Count   int               `json:"count"`
	Results []json.RawMessage `json:"results"`
}

func (h *harvest) search(ctx context.Context, v url.Values) (*searchResult, error) {
	raw, err := h.c.Call(ctx, "package_search", v)
	if err != nil {
		return nil, fmt.Errorf("package_search (start %s): %w", orZero(v.Get("start")), err)
	}
	// raw was validated with its envelope: split it without decoding again
	var sr searchResult
	var countRaw json.RawMessage
	err = eachField(raw, func(k string, v json.RawMessage) {
		switch k {
		case "count":
			countRaw = v
		case "results":
			if isArray(v) {
				_ = eachElem(v, func(_ int, e json.RawMessage) error {
					sr.Results = append(sr.Results, e)
					return nil
				})
			}
		}
	})
	if err == nil {
		err = json.Unmarshal(countRaw, &sr.Count)
	}
	if err != nil {
		return nil, fmt.Errorf("package_search: result is not a search result (no count)")
	}
	return &sr, nil
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func (h *harvest) count(ctx context.Context, fq string) (int, error) {
	sr, err := h.search(ctx, h.searchParams(fq, "", "", 0, 0))
	if err != nil {
		return 0, err
	}
	return sr.Count, nil
}

// page is one package_search page, decoded when asked.
type page struct {
	sr  *searchResult
	ds  []vigie.Dataset // decoded results (when decoding)
	err error
}

// pageDepth is how many package_search pages are fetched (and decoded) ahead
// of the one being stored: with the page being written, at most three pages
// are held at a time.
const pageDepth = 2

// fetched is one package_search page, decoded when asked.
type fetched struct {
	sr  *searchResult
	ds  []vigie.Dataset
	err error
}

// pages walks package_search with a stable sort, advancing start by the
// number of results actually returned (portals clamp rows silently), and
// hands each page to fn. It fails when a page repeats the previous one.
// Once the first page has told the count and the page length, the next
// pages (up to the first one past the count, which ends the listing) are
// fetched and decoded while fn stores the current one, so at most three
// pages are held at a time. It returns the count the portal last reported.
func (h *harvest) pages(ctx context.Context, fq, sort, fl string, decode bool, fn func(p *page) error) (int, error) {
	pf := newPrefetcher(ctx, pageDepth, func(ctx context.Context, start int) (fetched, error) {
		sr, err := h.search(ctx, h.searchParams(fq, sort, fl, h.o.Rows, start))
		if err != nil {
			return fetched{}, err
		}
		f := fetched{sr: sr}
		if decode {
			f.ds = make([]vigie.Dataset, 0, len(sr.Results))
			for _, r := range sr.Results {
				d, err := decodeValid(r)
				if err != nil {
					// reported only if the listing gets this far
					f.err = fmt.Errorf("decode a package_search result (start %d): %w", start, err)
					break
				}
				f.ds = append(f.ds, d)
			}
		}
		return f, nil
	})
	defer pf.close()
	start, count, step := 0, 0, 0
	var prev string
	// What the listing has actually learned: the distinct ids seen and
	// the results received. A page that brings no new id, or far more
	// results than distinct ids, means the pages cycle, whatever the
	// count says.
	distinct := map[string]struct{}{}
	received := 0
	for {
		if err := ctx.Err(); err != nil {
			return count, err
		}
		f, err := pf.get(start)
		if err != nil {
			return count, err
		}
		sr := f.sr
		count = sr.Count
		if len(sr.Results) == 0 {
			return count, nil
		}
		key := pageKey(sr.Results)
		if start > 0 && key == prev {
			return count, fmt.Errorf("package_search at start %d: %w; vigie cannot list this portal", start, ErrPagingIgnored)
		}
		// A portal may grow during a pass, but not to twice its count: one
		// that keeps paging past that would be harvested for ever.
		if start >= 2*sr.Count+h.o.Rows {
			return count, fmt.Errorf("package_search at start %d: the portal keeps returning datasets past its count of %d; vigie cannot list this portal", start, sr.Count)
		}
		if f.err != nil {
			return count, f.err
		}
		prev = key
		fresh := 0
		for i := range sr.Results {
			var id string
			if decode {
				id = f.ds[i].ID
			} else {
				id = resultID(sr.Results[i])
			}
			if _, ok := distinct[id]; !ok {
				distinct[id] = struct{}{}
				fresh++
			}
		}
		received += len(sr.Results)
		if fresh == 0 || received > 2*len(distinct)+2*h.o.Rows {
			return count, fmt.Errorf("package_search at start %d: %w: its pages bring back datasets already listed (%d distinct in %d results, the portal counts %d); vigie cannot list this portal, retry later or tell its administrators",
				start, ErrListingCycles, len(distinct), received, sr.Count)
		}
		if len(distinct) > h.o.MaxDatasets {
			return count, fmt.Errorf("package_search at start %d: %w: more than %d datasets listed (the portal counts %d); vigie stops there", start, ErrListingCycles, h.o.MaxDatasets, sr.Count)
		}
		start += len(sr.Results)
		if step == 0 {
			step = len(sr.Results)
		}
		// the next pages, up to the first one at or past the count
		pf.ahead(start, step, sr.Count+step)
		if err := fn(&page{sr: sr, ds: f.ds}); err != nil {
			return count, err
		}
	}
}

// resultID is a search result's id, "" when it has none.
func resultID(r json.RawMessage) string {
	var x struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(r, &x)
	return x.ID
}

// pageKey identifies a page by its first and last ids and its length.
func pageKey(res []json.RawMessage) string {
	id := func(r json.RawMessage) string {
		var x struct {
			ID string `json:"id"`
		}
		_ = json.Unmarshal(r, &x)
		return x.ID
	}
	return fmt.Sprintf("%d|%s|%s", len(res), id(res[0]), id(res[len(res)-1]))
}

// savePage drops the datasets already seen in this run and stores the rest
// in one transaction.
func (h *harvest) savePage(ctx context.Context, seen map[string]struct{}, all []vigie.Dataset) error {
	ds := all[:0]
	for _, d := range all {
		if _, dup := seen[d.ID]; dup {
			continue
		}
		seen[d.ID] = struct{}{}
		ds = append(ds, d)
	}
	c, err := h.db.SaveDatasets(ctx, h.portal.ID, h.res.RunID, ds)
	if err != nil {
		return err
	}
	h.res.Counts.Add(c)
	h.res.Fetched += len(ds)
	return nil
}

func (h *harvest) incremental(ctx context.Context) error {
	fq := "metadata_modified:[" + h.since.UTC().Format("2006-01-02T15:04:05Z") + " TO *]"
	if s := h.scopeFilter(); s != "" {
		fq = s + " AND " + fq
	}
	seen := map[string]struct{}{}
	total := 0
	_, err := h.pages(ctx, fq, "metadata_modified asc, id asc", "", true, func(p *page) error {
		total = p.sr.Count
		if err := h.savePage(ctx, seen, p.ds); err != nil {
			return err
		}
		h.o.Progress("incremental", h.res.Fetched, total)
		return nil
	})
	return err
}

// full lists every dataset in scope sorted by id, fills gaps found by a
// slim id-only listing with package_show, and marks deletions when the
// listing was complete.
func (h *harvest) full(ctx context.Context, count int) error {
	seen := map[string]struct{}{}
	fq := h.scopeFilter()
	listed, err := h.pages(ctx, fq, "id asc", "", true, func(p *page) error {
		if p.sr.Count > count {
			count = p.sr.Count
		}
		if err := h.savePage(ctx, seen, p.ds); err != nil {
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
		if err := h.fillGaps(ctx, fq, seen); err != nil {
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
	h.res.Missing, h.res.Deleted, err = h.db.MarkMissing(ctx, h.portal.ID, h.res.RunID, h.scope)
	return err
}

// guardMissing stands between a complete listing and a mass marking: a
// search index being rebuilt serves a fraction of the catalogue with a
// count that matches it. When the pass would mark more than MaxMissing of
// the active datasets missing, a random sample of them is asked for with
// package_show (which reads the database, not the index); if any is still
// there, the run fails and nothing is marked.
func (h *harvest) guardMissing(ctx context.Context) error {
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
		raw, err := h.c.Call(ctx, "package_show", h.showParams(id))
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusForbidden) {
			continue // purged, deleted or no longer public: gone
		}
		if err != nil {
			return fmt.Errorf("the listing lacks %d of %d active datasets (%s), and package_show %s to check them failed: %w; nothing was marked missing",
				unseen, active, percent(share), id, err)
		}
		var st struct {
			State   string `json:"state"`
			Private bool   `json:"private"`
		}
		_ = json.Unmarshal(raw, &st)
		if (st.State == "" || st.State == "active") && (!st.Private || h.o.IncludePrivate) {
			stillThere++
		}
	}
	if stillThere > 0 {
		return fmt.Errorf("%w: the listing lacks %d of %d active datasets (%s, above --max-missing %s) but package_show finds %d of %d sampled still there: the search index is probably incomplete; nothing was marked missing: retry later, or raise --max-missing if they are really gone",
			ErrMassMissing, unseen, active, percent(share), percent(max(h.o.MaxMissing, 0)), stillThere, len(sample))
	}
	h.res.MissingChecked = len(sample)
	return nil
}

// percent prints a share as "12.5%" (or "10%").
func percent(f float64) string {
	return strings.TrimSuffix(strconv.FormatFloat(f*100, 'f', 1, 64), ".0") + "%"
}

// fillGaps lists ids only and fetches the ones the main listing missed.
func (h *harvest) fillGaps(ctx context.Context, fq string, seen map[string]struct{}) error {
	var gaps []string
	_, err := h.pages(ctx, fq, "id asc", "id", false, func(p *page) error {
		for _, r := range p.sr.Results {
			var x struct {
				ID string `json:"id"`
			}
			if json.Unmarshal(r, &x) == nil && x.ID != "" {
				if _, ok := seen[x.ID]; !ok {
					gaps = append(gaps, x.ID)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range gaps {
		raw, err := h.c.Call(ctx, "package_show", h.showParams(id))
		var ae *APIError
		if errors.As(err, &ae) && (ae.Status == http.StatusNotFound || ae.Status == http.StatusForbidden) {
			continue // deleted or made private since it was listed
		}
		if err != nil {
			return fmt.Errorf("package_show %s: %w", id, err)
		}
		d, err := decodeValid(raw)
		if err != nil {
			return fmt.Errorf("package_show %s: %w", id, err)
		}
		if err := h.savePage(ctx, seen, []vigie.Dataset{d}); err != nil {
			return err
		}
		h.o.Progress("full", len(seen), h.res.Expected)
	}
	return nil
}

func (h *harvest) showParams(id string) url.Values {
	v := url.Values{}
	v.Set("id", id)
	return v
}

// orgList is the outcome of fetching the organizations.
type orgList struct {
	all      []vigie.Organization
	licences []vigie.Licence // the portal's licence register, when it has one
	err      error
}

// fetchOrganizations pages organization_list with all_fields (capped at 25
// per call by CKAN) until a page is empty or brings no organization not seen
// yet. It runs beside the dataset listing, which takes longer, so its pages
// are asked for one at a time.
func (h *harvest) fetchOrganizations(ctx context.Context) orgList {
	const limit = 25
	var all []vigie.Organization
	seen := map[string]bool{}
	for offset := 0; ; {
		v := url.Values{}
		v.Set("all_fields", "true")
		v.Set("limit", strconv.Itoa(limit))
		v.Set("offset", strconv.Itoa(offset))
		raw, err := h.c.Call(ctx, "organization_list", v)
		if err != nil {
			return orgList{err: fmt.Errorf("organization_list (offset %d): %w", offset, err)}
		}
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return orgList{err: fmt.Errorf("organization_list: result is not a list")}
		}
		added := 0
		for _, r := range list {
			org, err := DecodeOrganization(r)
			if err != nil || seen[org.ID] {
				continue
			}
			seen[org.ID] = true
			all = append(all, org)
			added++
		}
		if len(list) == 0 || added == 0 {
			break
		}
		if len(all) > h.o.MaxOrganizations {
			return orgList{err: fmt.Errorf("organization_list (offset %d): %w: more than %d organizations listed, new ones on every page; vigie stops there, retry later or tell the portal's administrators",
				offset, ErrListingCycles, h.o.MaxOrganizations)}
		}
		offset += len(list)
	}
	return orgList{all: all}
}

// saveOrganizations waits for the organizations fetched beside the listing
// and stores them; it does nothing the second time.
func (h *harvest) saveOrganizations(ctx context.Context) error {
	if h.orgs == nil {
		return nil
	}
	o := <-h.orgs
	h.orgs = nil
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

// ErrUnknownOrganization is wrapped when --org names an organization that
// organization_list does not have.
var ErrUnknownOrganization = errors.New("no such organization on this portal")

// checkOrgs fails when one of want (the --org scope) is neither the name nor
// the id of a listed organization, suggesting the nearest names.
func checkOrgs(want []string, orgs []vigie.Organization) error {
	if len(want) == 0 {
		return nil
	}
	known := make(map[string]bool, 2*len(orgs))
	names := make([]string, 0, len(orgs))
	for _, o := range orgs {
		known[o.Name], known[o.ID] = true, true
		names = append(names, o.Name)
	}
	for _, w := range want {
		if known[w] {
			continue
		}
		msg := fmt.Sprintf("--org %q: %v (organization_list has %d)", w, ErrUnknownOrganization, len(orgs))
		if near := NearNames(w, names, 3); len(near) > 0 {
			return fmt.Errorf("%s: did you mean %s?", msg, strings.Join(near, ", "))
		}
		return fmt.Errorf("%s: pass an organization's name, as in its URL (/organization/NAME); 'vigie orgs' lists them after a harvest without --org", msg)
	}
	return nil
}

// NearNames returns up to n of names closest to want: the ones that contain
// it or are contained in it, then those within a few edits, nearest first.
func NearNames(want string, names []string, n int) []string {
	w := strings.ToLower(strings.TrimSpace(want))
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	limit := max(2, len([]rune(w))/3)
	for _, name := range names {
		l := strings.ToLower(name)
		d := editDistance(w, l)
		if w != "" && (strings.Contains(l, w) || strings.Contains(w, l)) {
			d = min(d, 1)
		}
		if d <= limit {
			cs = append(cs, cand{name, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		if cs[i].d != cs[j].d {
			return cs[i].d < cs[j].d
		}
		return cs[i].name < cs[j].name
	})
	var out []string
	for _, c := range cs[:min(n, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
