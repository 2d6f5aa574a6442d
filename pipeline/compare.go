package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/store"
)

// The comparison of two score runs: what counts as new, missing, deleted or
// restored, as a drop or a rise, as a new, resolved or replaced finding, as a
// newly broken or repaired link, and as a worse or better freshness. The
// store only reads the rows (DiffStore); the rules are here.

// DiffStore is what a comparison reads.
type DiffStore interface {
	ResolveScoreRuns(ctx context.Context, portalID int64, from, to store.RunRef) (fromRun, toRun *store.ScoreRun, err error)
	DiffDatasets(ctx context.Context, portalID int64, lang string, fn func(*store.DiffDatasetRow) error) error
	DatasetEvents(ctx context.Context, portalID, afterRun, uptoRun int64, fn func(datasetID, kind string) error) error
	RunScores(ctx context.Context, runID int64, fn func(datasetID string, s store.ScoreRow) error) error
	FindingChanges(ctx context.Context, fromRun, toRun int64, want func(datasetID string) bool, added, gone func(datasetID string, f *store.FindingRow) error) error
	LinkStates(ctx context.Context, portalID, fromRun, toRun int64, fn func(*store.LinkStateRow) error) error
}

// DefaultDiffThreshold is the score change, in points, above which a dataset
// counts as dropped or risen.
const DefaultDiffThreshold = 5.0

// DiffOptions narrow and tune a comparison.
type DiffOptions struct {
	Threshold float64  // score change in points that counts (strictly more than); 0 = any change
	Orgs      []string // organization names; empty = the whole portal
	// IncludePrivate also compares private, draft and deleted datasets
	// (marked by their Visibility); without it only published ones count.
	IncludePrivate bool
	// Lang "en" names datasets by their English title when the portal gave one.
	Lang string
}

// freshRank orders freshness statuses from best to worst; 0 = not ranked.
var freshRank = map[vigie.Freshness]int{vigie.FreshFresh: 1, vigie.FreshDue: 2, vigie.FreshOverdue: 3, vigie.FreshDelinquent: 4}

// Diff compares two score runs of a portal: dataset events of the harvest
// runs between them, overall score moves, findings that appeared or went
// away (for datasets scored in both), links that broke or were repaired
// between their link runs, freshness status changes, and the same per
// organization. Organizations are the datasets' current ones.
func Diff(ctx context.Context, db DiffStore, portalID int64, from, to store.RunRef, opts DiffOptions) (*vigie.DiffResult, error) {
	fr, tr, err := db.ResolveScoreRuns(ctx, portalID, from, to)
	if err != nil {
		return nil, err
	}
	return DiffRuns(ctx, db, portalID, fr, tr, opts)
}

// DiffRuns compares two resolved score runs (see Diff).
func DiffRuns(ctx context.Context, db DiffStore, portalID int64, fr, tr *store.ScoreRun, opts DiffOptions) (*vigie.DiffResult, error) {
	if opts.Threshold < 0 || math.IsNaN(opts.Threshold) {
		return nil, fmt.Errorf("threshold %v must be zero or more points", opts.Threshold)
	}
	d := &diffBuilder{db: db, portal: portalID, opts: opts, orgs: map[string]*vigie.OrgDiff{}}
	if err := d.loadDatasets(ctx); err != nil {
		return nil, err
	}
	res := &vigie.DiffResult{PortalID: portalID, Threshold: opts.Threshold, Orgs: opts.Orgs}
	d.res = res
	steps := []func(context.Context, *store.ScoreRun, *store.ScoreRun) error{d.events, d.scores, d.findings}
	if pg, ok := db.(interface{ Postgres() bool }); ok && pg.Postgres() {
		// On PostgreSQL the portals of one audit share a pool of eight
		// connections, and the findings step holds two of them while it
		// looks texts up through a third: with a fourth for the link
		// states, three portals compared at once could each hold what the
		// others wait for. There the link states are read in turn.
		for _, step := range append(steps, d.links) {
			if err := step(ctx, fr, tr); err != nil {
				return nil, err
			}
		}
		d.finish()
		return res, nil
	}
	// The link states (a third of a million URLs, the longest read) are
	// read on another core meanwhile: they only read the datasets in
	// scope, and what they found is added once the other steps are done,
	// in the order the steps ran one after the other.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var lt linkTally
	linksDone := make(chan error, 1)
	go func() { linksDone <- d.readLinks(ctx, fr, tr, &lt) }()
	for _, step := range steps {
		if err := step(ctx, fr, tr); err != nil {
			cancel()
			<-linksDone
			return nil, err
		}
	}
	if err := <-linksDone; err != nil {
		return nil, err
	}
	d.addLinks(&lt)
	d.finish()
	return res, nil
}

// RunSummary describes one score run for the organizations in orgs (all when
// empty): datasets scored, mean overall score, broken links in use,
// delinquent and overdue datasets, error and warning findings. Quality gates
// read it.
func RunSummary(ctx context.Context, db DiffStore, portalID int64, run *store.ScoreRun, orgs []string) (*vigie.DiffRun, error) {
	d := &diffBuilder{db: db, portal: portalID, opts: DiffOptions{Orgs: orgs}, orgs: map[string]*vigie.OrgDiff{}}
	if err := d.loadDatasets(ctx); err != nil {
		return nil, err
	}
	s, err := d.loadScores(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	sum := d.summary(run, s)
	// Compared with itself, links only counts the broken URLs in scope.
	d.res = &vigie.DiffResult{}
	if err := d.links(ctx, run, run); err != nil {
		return nil, err
	}
	sum.BrokenLinks, sum.FailingLinks = d.res.To.BrokenLinks, d.res.To.FailingLinks
	return &sum, nil
}

// RunSummaryFrom is RunSummary, taken from diff when diff compared run, as
// its later side, over the same organizations and only published datasets
// (the scope, scores and link states a summary counts): the audit then walks
// the datasets, scores and 340,000 link states of 100,000 datasets once
// instead of twice. Otherwise (no comparison, private datasets listed) it
// is RunSummary.
func RunSummaryFrom(ctx context.Context, db DiffStore, portalID int64, run *store.ScoreRun, orgs []string, diff *vigie.DiffResult, diffOpts DiffOptions) (*vigie.DiffRun, error) {
	if diff == nil || diffOpts.IncludePrivate || diff.To.ScoreRunID != run.ID || !slices.Equal(diffOpts.Orgs, orgs) {
		return RunSummary(ctx, db, portalID, run, orgs)
	}
	sum := diff.To
	// The run as the caller holds it, as RunSummary reports it.
	sum.ScoreRunID, sum.HarvestRunID, sum.LinkRunID, sum.Profile, sum.FinishedAt = run.ID, run.HarvestRunID, run.LinkRunID, run.Profile, run.FinishedAt
	if sum.MeanOverall != nil {
		m := *sum.MeanOverall
		sum.MeanOverall = &m
	}
	return &sum, nil
}

type dsInfo struct {
	vigie.DiffDataset
	orgTitle string
	active   bool
}

type diffBuilder struct {
	db     DiffStore
	portal int64
	opts   DiffOptions
	ds     map[string]*dsInfo // datasets in scope
	orgs   map[string]*vigie.OrgDiff
	res    *vigie.DiffResult
}

// loadDatasets keeps the datasets in scope: of the organizations asked,
// published unless private ones are asked too.
func (d *diffBuilder) loadDatasets(ctx context.Context) error {
	want := map[string]bool{}
	for _, o := range d.opts.Orgs {
		want[o] = true
	}
	d.ds = map[string]*dsInfo{}
	seen := map[string]bool{}
	err := d.db.DiffDatasets(ctx, d.portal, d.opts.Lang, func(r *store.DiffDatasetRow) error {
		x := dsInfo{DiffDataset: vigie.DiffDataset{ID: r.ID, Name: r.Name, Title: r.Title, Organization: r.Organization}, orgTitle: r.OrgTitle, active: r.Active}
		seen[x.Organization] = true
		if len(want) > 0 && !want[x.Organization] {
			return nil
		}
		if v := vigie.Visibility(r.Private, r.CKANState); v != vigie.VisPublic {
			if !d.opts.IncludePrivate {
				return nil
			}
			x.Visibility = v
		}
		d.ds[x.ID] = &x
		return nil
	})
	if err != nil {
		return err
	}
	for _, o := range d.opts.Orgs {
		if !seen[o] {
			return &vigie.Error{Kind: vigie.KindUnknownOrg, ID: "store.org_no_dataset", Args: []any{o}, Org: o}
		}
	}
	return nil
}

func (d *diffBuilder) org(ds *dsInfo) *vigie.OrgDiff {
	o := d.orgs[ds.Organization]
	if o == nil {
		o = &vigie.OrgDiff{Name: ds.Organization, Title: ds.orgTitle}
		d.orgs[ds.Organization] = o
	}
	return o
}

// events reads what harvests between the two runs did to datasets; the last
// event of a dataset decides where it is listed.
func (d *diffBuilder) events(ctx context.Context, fr, tr *store.ScoreRun) error {
	if tr.HarvestRunID == 0 || tr.HarvestRunID <= fr.HarvestRunID {
		return nil
	}
	last := map[string]string{}
	var order []string
	err := d.db.DatasetEvents(ctx, d.portal, fr.HarvestRunID, tr.HarvestRunID, func(id, kind string) error {
		if d.ds[id] == nil {
			return nil
		}
		if _, ok := last[id]; !ok {
			order = append(order, id)
		}
		last[id] = kind
		return nil
	})
	if err != nil {
		return err
	}
	for _, id := range order {
		ds := d.ds[id]
		o := d.org(ds)
		switch last[id] {
		case "new":
			d.res.New = append(d.res.New, ds.DiffDataset)
			o.New++
		case "missing":
			d.res.Missing = append(d.res.Missing, ds.DiffDataset)
			o.Missing++
		case "deleted":
			d.res.Deleted = append(d.res.Deleted, ds.DiffDataset)
			o.Deleted++
		case "restored":
			d.res.Restored = append(d.res.Restored, ds.DiffDataset)
			o.Restored++
		}
	}
	return nil
}

// loadScores reads a run's scores of the datasets in scope.
func (d *diffBuilder) loadScores(ctx context.Context, runID int64) (map[string]store.ScoreRow, error) {
	out := map[string]store.ScoreRow{}
	err := d.db.RunScores(ctx, runID, func(id string, s store.ScoreRow) error {
		if d.ds[id] != nil {
			out[id] = s
		}
		return nil
	})
	return out, err
}

// scores fills the run summaries, score moves and freshness changes.
func (d *diffBuilder) scores(ctx context.Context, fr, tr *store.ScoreRun) error {
	before, err := d.loadScores(ctx, fr.ID)
	if err != nil {
		return err
	}
	after, err := d.loadScores(ctx, tr.ID)
	if err != nil {
		return err
	}
	d.res.From = d.summary(fr, before)
	d.res.To = d.summary(tr, after)
	meanFrom, meanTo := d.orgMeans(before), d.orgMeans(after)
	for name, m := range meanFrom {
		ds := &dsInfo{DiffDataset: vigie.DiffDataset{Organization: name}, orgTitle: m.title}
		d.org(ds).MeanFrom = m.mean()
	}
	for name, m := range meanTo {
		ds := &dsInfo{DiffDataset: vigie.DiffDataset{Organization: name}, orgTitle: m.title}
		d.org(ds).MeanTo = m.mean()
	}
	for id, a := range after {
		b, ok := before[id]
		if !ok {
			continue
		}
		ds := d.ds[id]
		if a.Overall != nil && b.Overall != nil {
			delta := *a.Overall - *b.Overall
			if math.Abs(delta) > d.opts.Threshold && delta != 0 {
				c := vigie.ScoreChange{DiffDataset: ds.DiffDataset, From: *b.Overall, To: *a.Overall, Delta: round2(delta)}
				if delta < 0 {
					d.res.Dropped = append(d.res.Dropped, c)
					d.org(ds).Dropped++
				} else {
					d.res.Rose = append(d.res.Rose, c)
					d.org(ds).Rose++
				}
			}
		}
		if a.Fresh != b.Fresh {
			worse := freshRank[a.Fresh] > freshRank[b.Fresh] && freshRank[b.Fresh] > 0 ||
				freshRank[b.Fresh] == 0 && freshRank[a.Fresh] >= freshRank[vigie.FreshOverdue]
			d.res.Freshness = append(d.res.Freshness, vigie.FreshnessChange{DiffDataset: ds.DiffDataset, From: b.Fresh, To: a.Fresh, Worse: worse})
			switch {
			case worse:
				d.org(ds).FreshnessWorse++
			case freshRank[a.Fresh] > 0 && freshRank[a.Fresh] < freshRank[b.Fresh]:
				d.org(ds).FreshnessBetter++
			}
		}
	}
	sort.Slice(d.res.Dropped, func(i, j int) bool { return lessDelta(d.res.Dropped[i], d.res.Dropped[j], true) })
	sort.Slice(d.res.Rose, func(i, j int) bool { return lessDelta(d.res.Rose[i], d.res.Rose[j], false) })
	sort.Slice(d.res.Freshness, func(i, j int) bool {
		a, b := d.res.Freshness[i], d.res.Freshness[j]
		if a.Worse != b.Worse {
			return a.Worse
		}
		return a.Name < b.Name
	})
	return nil
}

func lessDelta(a, b vigie.ScoreChange, drop bool) bool {
	if a.Delta != b.Delta {
		if drop {
			return a.Delta < b.Delta
		}
		return a.Delta > b.Delta
	}
	return a.Name < b.Name
}

type meanAcc struct {
	title string
	sum   float64
	n     int
}

func (m *meanAcc) mean() *float64 {
	if m.n == 0 {
		return nil
	}
	v := round2(m.sum / float64(m.n))
	return &v
}

func (d *diffBuilder) orgMeans(s map[string]store.ScoreRow) map[string]*meanAcc {
	out := map[string]*meanAcc{}
	for id, r := range s {
		ds := d.ds[id]
		m := out[ds.Organization]
		if m == nil {
			m = &meanAcc{title: ds.orgTitle}
			out[ds.Organization] = m
		}
		if r.Overall != nil {
			m.sum += *r.Overall
			m.n++
		}
	}
	return out
}

func (d *diffBuilder) summary(r *store.ScoreRun, s map[string]store.ScoreRow) vigie.DiffRun {
	out := vigie.DiffRun{ScoreRunID: r.ID, HarvestRunID: r.HarvestRunID, LinkRunID: r.LinkRunID, Profile: r.Profile, FinishedAt: r.FinishedAt, Datasets: len(s)}
	var m meanAcc
	for _, x := range s {
		if x.Overall != nil {
			m.sum += *x.Overall
			m.n++
		}
		switch x.Fresh {
		case vigie.FreshDelinquent:
			out.Delinquent++
		case vigie.FreshOverdue:
			out.Overdue++
		}
		out.Errors += x.Errors
		out.Warnings += x.Warnings
	}
	out.MeanOverall = m.mean()
	return out
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// findings lists findings that appeared or went away, by (dataset, rule,
// resource), for datasets scored in both runs.
func (d *diffBuilder) findings(ctx context.Context, fr, tr *store.ScoreRun) error {
	var err error
	d.res.NewFindings, d.res.ResolvedFindings, err = d.findingChanges(ctx, fr.ID, tr.ID)
	if err != nil {
		return err
	}
	// A finding gone while another of the same dataset, dimension and
	// resource appeared was replaced, not resolved.
	type slot struct {
		id  string
		dim vigie.Dimension
		res string
	}
	came := map[slot]*vigie.FindingChange{}
	for i := range d.res.NewFindings {
		f := &d.res.NewFindings[i]
		k := slot{f.ID, f.Dimension, f.ResourceID}
		if o := came[k]; o == nil || sevRank(f.Severity) < sevRank(o.Severity) {
			came[k] = f
		}
	}
	resolved := d.res.ResolvedFindings[:0:0]
	d.res.ReplacedFindings = nil
	for _, f := range d.res.ResolvedFindings {
		// Only where one finding at a time describes the state: the
		// freshness status of a dataset, the link of a resource.
		single := f.Dimension == vigie.DimFreshness || f.Dimension == vigie.DimAvailability
		if n := came[slot{f.ID, f.Dimension, f.ResourceID}]; single && n != nil {
			by := *n
			f.ReplacedBy, f.Worse = &by, sevRank(n.Severity) < sevRank(f.Severity)
			d.res.ReplacedFindings = append(d.res.ReplacedFindings, f)
			continue
		}
		resolved = append(resolved, f)
	}
	d.res.ResolvedFindings = resolved
	for _, f := range d.res.NewFindings {
		d.org(d.ds[f.ID]).NewFindings++
	}
	for _, f := range d.res.ResolvedFindings {
		d.org(d.ds[f.ID]).ResolvedFindings++
	}
	return nil
}

// findingChanges lists the findings of run to that run from lacks (new)
// and those of from that to lacks (gone), each one per (dataset, rule,
// resource), errors first, then by dataset name and rule.
func (d *diffBuilder) findingChanges(ctx context.Context, from, to int64) (added, gone []vigie.FindingChange, err error) {
	seenAdded, seenGone := map[[3]string]bool{}, map[[3]string]bool{}
	keep := func(seen map[[3]string]bool, out *[]vigie.FindingChange) func(string, *store.FindingRow) error {
		return func(id string, f *store.FindingRow) error {
			key := [3]string{id, f.Rule, f.ResourceID}
			if seen[key] {
				return nil
			}
			seen[key] = true
			*out = append(*out, vigie.FindingChange{DiffDataset: d.ds[id].DiffDataset, Rule: f.Rule, Dimension: f.Dimension,
				Severity: f.Severity, ResourceID: f.ResourceID, Message: f.Message})
			return nil
		}
	}
	inScope := func(id string) bool { return d.ds[id] != nil }
	if err := d.db.FindingChanges(ctx, from, to, inScope, keep(seenAdded, &added), keep(seenGone, &gone)); err != nil {
		return nil, nil, err
	}
	sortFindingChanges(added)
	sortFindingChanges(gone)
	return added, gone, nil
}

func sortFindingChanges(out []vigie.FindingChange) {
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if sevRank(a.Severity) != sevRank(b.Severity) {
			return sevRank(a.Severity) < sevRank(b.Severity)
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.Rule < b.Rule
	})
}

func sevRank(s vigie.Severity) int {
	switch s {
	case vigie.SevError:
		return 0
	case vigie.SevWarning:
		return 1
	}
	return 2
}

// linkTally is what the link states of two runs hold for a comparison:
// broken and failing URLs in scope at each side, the URLs that broke or were
// repaired, and for each of those the datasets whose organizations count it.
type linkTally struct {
	fromBroken, toBroken, fromFailing, toFailing int
	changes                                      []vigie.LinkChange
	broke                                        []bool      // per change: newly broken, else repaired
	counted                                      [][]*dsInfo // per change: one dataset per organization
}

// links finds URLs whose class became broken, or became ok after being broken
// or failing, between the two score runs' link runs; and counts the broken
// and failing URLs in scope at each side. A URL is in scope when an active
// dataset of the scope uses it.
func (d *diffBuilder) links(ctx context.Context, fr, tr *store.ScoreRun) error {
	var lt linkTally
	if err := d.readLinks(ctx, fr, tr, &lt); err != nil {
		return err
	}
	d.addLinks(&lt)
	return nil
}

// addLinks adds what readLinks found to the result and its organizations.
func (d *diffBuilder) addLinks(lt *linkTally) {
	d.res.From.BrokenLinks += lt.fromBroken
	d.res.To.BrokenLinks += lt.toBroken
	d.res.From.FailingLinks += lt.fromFailing
	d.res.To.FailingLinks += lt.toFailing
	for i, c := range lt.changes {
		for _, ds := range lt.counted[i] {
			if lt.broke[i] {
				d.org(ds).NewlyBroken++
			} else {
				d.org(ds).Repaired++
			}
		}
		if lt.broke[i] {
			d.res.NewlyBroken = append(d.res.NewlyBroken, c)
		} else {
			d.res.Repaired = append(d.res.Repaired, c)
		}
	}
}

// readLinks reads the link states into lt, touching nothing else of d but
// the datasets in scope (read only): it may run beside the other steps.
// Rows come grouped by URL: only the changes are held, not every URL.
func (d *diffBuilder) readLinks(ctx context.Context, fr, tr *store.ScoreRun, lt *linkTally) error {
	compare := tr.LinkRunID != fr.LinkRunID
	var (
		cur   store.LinkStateRow
		users []*dsInfo
	)
	flush := func() {
		if len(users) == 0 {
			return
		}
		b, a := cur.Before, cur.After
		if b == vigie.LinkBroken {
			lt.fromBroken++
		}
		if a == vigie.LinkBroken {
			lt.toBroken++
		}
		if b == vigie.LinkFailing {
			lt.fromFailing++
		}
		if a == vigie.LinkFailing {
			lt.toFailing++
		}
		if !compare {
			return
		}
		var broke bool
		switch {
		case a == vigie.LinkBroken && b != vigie.LinkBroken:
			broke = true
		case a == vigie.LinkOK && (b == vigie.LinkBroken || b == vigie.LinkFailing):
		default:
			return
		}
		c := vigie.LinkChange{URL: cur.URL, From: b, To: a, Status: cur.Status,
			Reason: l10n.LinkReason(d.opts.Lang, cur.Reason), ReasonCode: vigie.LinkReasonCode(cur.Reason)}
		orgSeen := map[string]bool{}
		var counted []*dsInfo
		for _, ds := range users {
			c.Datasets = append(c.Datasets, ds.Name)
			if !orgSeen[ds.Organization] {
				orgSeen[ds.Organization] = true
				c.Organizations = append(c.Organizations, ds.Organization)
				counted = append(counted, ds)
			}
		}
		sort.Strings(c.Datasets)
		sort.Strings(c.Organizations)
		lt.changes = append(lt.changes, c)
		lt.broke = append(lt.broke, broke)
		lt.counted = append(lt.counted, counted)
	}
	first := true
	err := d.db.LinkStates(ctx, d.portal, fr.LinkRunID, tr.LinkRunID, func(r *store.LinkStateRow) error {
		if first || r.URL != cur.URL {
			flush()
			cur, users, first = *r, users[:0], false
		}
		if ds := d.ds[r.DatasetID]; ds != nil && ds.active && !slices.Contains(users, ds) {
			users = append(users, ds)
		}
		return nil
	})
	if err != nil {
		return err
	}
	flush()
	return nil
}

// finish sorts the dataset lists by name and the organizations, most
// changes first.
func (d *diffBuilder) finish() {
	r := d.res
	for _, p := range []*[]vigie.DiffDataset{&r.New, &r.Missing, &r.Deleted, &r.Restored} {
		sort.Slice(*p, func(i, j int) bool { return (*p)[i].Name < (*p)[j].Name })
	}
	r.Organizations = nil
	for _, o := range d.orgs {
		r.Organizations = append(r.Organizations, *o)
	}
	sort.Slice(r.Organizations, func(i, j int) bool {
		a, b := r.Organizations[i], r.Organizations[j]
		if ca, cb := orgChanges(a), orgChanges(b); ca != cb {
			return ca > cb
		}
		return a.Name < b.Name
	})
}

func orgChanges(o vigie.OrgDiff) int {
	return o.New + o.Missing + o.Deleted + o.Restored + o.Dropped + o.Rose + o.NewFindings + o.ResolvedFindings +
		o.NewlyBroken + o.Repaired + o.FreshnessWorse + o.FreshnessBetter
}
