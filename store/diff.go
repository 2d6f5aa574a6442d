package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/vigie-audit/vigie"
)

// DefaultDiffThreshold is the score change, in points, above which a dataset
// counts as dropped or risen.
const DefaultDiffThreshold = 5.0

// DiffOptions narrow and tune a comparison.
type DiffOptions struct {
	Threshold float64  // score change in points that counts (strictly more than); 0 = any change
	Orgs      []string // organization names; empty = the whole portal
}

// DiffRun describes one side of a comparison.
type DiffRun struct {
	ScoreRunID   int64     `json:"score_run_id"`
	HarvestRunID int64     `json:"harvest_run_id"`
	LinkRunID    int64     `json:"link_run_id"`
	Profile      string    `json:"profile"`
	FinishedAt   time.Time `json:"finished_at"`
	Datasets     int       `json:"datasets"`           // scored datasets in scope
	MeanOverall  *float64  `json:"mean_overall"`       // mean overall score of the scope
	BrokenLinks  int       `json:"broken_links"`       // distinct broken URLs used in scope as of this run
	Delinquent   int       `json:"delinquent"`         // datasets delinquent in this run
	Overdue      int       `json:"overdue"`            // datasets overdue in this run
	Errors       int       `json:"errors"`             // findings of severity error
	Warnings     int       `json:"warnings,omitempty"` // findings of severity warning
}

// DiffDataset names a dataset in a comparison.
type DiffDataset struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Title        string `json:"title"`
	Organization string `json:"organization"`
}

// ScoreChange is a dataset whose overall score moved by more than the threshold.
type ScoreChange struct {
	DiffDataset
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Delta float64 `json:"delta"`
}

// FindingChange is a finding that appeared or went away.
type FindingChange struct {
	DiffDataset
	Rule       string     `json:"rule"`
	Dimension  string     `json:"dimension"`
	Severity   string     `json:"severity"`
	ResourceID string     `json:"resource_id,omitempty"`
	Message    vigie.Text `json:"message"`
}

// LinkChange is a URL that became broken, or became ok again.
type LinkChange struct {
	URL           string   `json:"url"`
	From          string   `json:"from"` // class before ("" when never checked)
	To            string   `json:"to"`
	Status        int      `json:"status,omitempty"`
	Reason        string   `json:"reason,omitempty"`
	Datasets      []string `json:"datasets"`      // names of the datasets using it
	Organizations []string `json:"organizations"` // their organizations
}

// FreshnessChange is a dataset whose freshness status changed.
type FreshnessChange struct {
	DiffDataset
	From  string `json:"from"`
	To    string `json:"to"`
	Worse bool   `json:"worse"`
}

// OrgDiff aggregates a comparison for one organization.
type OrgDiff struct {
	Name             string   `json:"name"`
	Title            string   `json:"title"`
	MeanFrom         *float64 `json:"mean_from"`
	MeanTo           *float64 `json:"mean_to"`
	New              int      `json:"new"`
	Missing          int      `json:"missing"`
	Deleted          int      `json:"deleted"`
	Restored         int      `json:"restored"`
	Dropped          int      `json:"dropped"`
	Rose             int      `json:"rose"`
	NewFindings      int      `json:"new_findings"`
	ResolvedFindings int      `json:"resolved_findings"`
	NewlyBroken      int      `json:"newly_broken"`
	Repaired         int      `json:"repaired"`
	FreshnessWorse   int      `json:"freshness_worse"`
	FreshnessBetter  int      `json:"freshness_better"`
}

// DiffResult is everything that changed between two score runs.
type DiffResult struct {
	PortalID         int64             `json:"portal_id"`
	From             DiffRun           `json:"from"`
	To               DiffRun           `json:"to"`
	Threshold        float64           `json:"threshold"`
	Orgs             []string          `json:"orgs"`
	New              []DiffDataset     `json:"new"`
	Missing          []DiffDataset     `json:"missing"`
	Deleted          []DiffDataset     `json:"deleted"`
	Restored         []DiffDataset     `json:"restored"`
	Dropped          []ScoreChange     `json:"dropped"`
	Rose             []ScoreChange     `json:"rose"`
	NewFindings      []FindingChange   `json:"new_findings"`
	ResolvedFindings []FindingChange   `json:"resolved_findings"`
	NewlyBroken      []LinkChange      `json:"newly_broken"`
	Repaired         []LinkChange      `json:"repaired"`
	Freshness        []FreshnessChange `json:"freshness"`
	Organizations    []OrgDiff         `json:"organizations"`
}

// Empty reports whether nothing changed.
func (d *DiffResult) Empty() bool {
	return len(d.New)+len(d.Missing)+len(d.Deleted)+len(d.Restored)+len(d.Dropped)+len(d.Rose)+
		len(d.NewFindings)+len(d.ResolvedFindings)+len(d.NewlyBroken)+len(d.Repaired)+len(d.Freshness) == 0
}

// freshRank orders freshness statuses from best to worst; 0 = not ranked.
var freshRank = map[string]int{vigie.FreshFresh: 1, vigie.FreshDue: 2, vigie.FreshOverdue: 3, vigie.FreshDelinquent: 4}

// Diff compares two score runs of a portal: dataset events of the harvest
// runs between them, overall score moves, findings that appeared or went
// away (for datasets scored in both), links that broke or were repaired
// between their link runs, freshness status changes, and the same per
// organization. Organizations are the datasets' current ones.
func (db *DB) Diff(ctx context.Context, portalID int64, from, to RunRef, opts DiffOptions) (*DiffResult, error) {
	fr, tr, err := db.ResolveScoreRuns(ctx, portalID, from, to)
	if err != nil {
		return nil, err
	}
	return db.DiffRuns(ctx, portalID, fr, tr, opts)
}

// DiffRuns compares two resolved score runs (see Diff).
func (db *DB) DiffRuns(ctx context.Context, portalID int64, fr, tr *ScoreRun, opts DiffOptions) (*DiffResult, error) {
	if opts.Threshold < 0 || math.IsNaN(opts.Threshold) {
		return nil, fmt.Errorf("threshold %v must be zero or more points", opts.Threshold)
	}
	d := &diffBuilder{db: db, portal: portalID, opts: opts, orgs: map[string]*OrgDiff{}}
	if err := d.loadDatasets(ctx); err != nil {
		return nil, err
	}
	res := &DiffResult{PortalID: portalID, Threshold: opts.Threshold, Orgs: opts.Orgs}
	if res.Orgs == nil {
		res.Orgs = []string{}
	}
	d.res = res
	steps := []func(context.Context, *ScoreRun, *ScoreRun) error{d.events, d.scores, d.findings, d.links}
	for _, step := range steps {
		if err := step(ctx, fr, tr); err != nil {
			return nil, err
		}
	}
	d.finish()
	return res, nil
}

type dsInfo struct {
	DiffDataset
	orgTitle string
	active   bool
}

type diffBuilder struct {
	db     *DB
	portal int64
	opts   DiffOptions
	ds     map[string]*dsInfo // datasets in scope
	orgs   map[string]*OrgDiff
	res    *DiffResult
}

func (d *diffBuilder) loadDatasets(ctx context.Context) error {
	want := map[string]bool{}
	for _, o := range d.opts.Orgs {
		want[o] = true
	}
	rows, err := d.db.sql.QueryContext(ctx, `SELECT id, name, title, organization, organization_title, state FROM datasets WHERE portal_id = ?`, d.portal)
	if err != nil {
		return d.db.explain(err)
	}
	defer rows.Close()
	d.ds = map[string]*dsInfo{}
	seen := map[string]bool{}
	for rows.Next() {
		var x dsInfo
		var state string
		if err := rows.Scan(&x.ID, &x.Name, &x.Title, &x.Organization, &x.orgTitle, &state); err != nil {
			return d.db.explain(err)
		}
		x.active = state == vigie.StateActive
		seen[x.Organization] = true
		if len(want) > 0 && !want[x.Organization] {
			continue
		}
		d.ds[x.ID] = &x
	}
	if err := rows.Err(); err != nil {
		return d.db.explain(err)
	}
	for _, o := range d.opts.Orgs {
		if !seen[o] {
			return fmt.Errorf("organization %q has no dataset in this portal: check the name with 'vigie datasets --format json'", o)
		}
	}
	return nil
}

func (d *diffBuilder) org(ds *dsInfo) *OrgDiff {
	o := d.orgs[ds.Organization]
	if o == nil {
		o = &OrgDiff{Name: ds.Organization, Title: ds.orgTitle}
		d.orgs[ds.Organization] = o
	}
	return o
}

// events reads what harvests between the two runs did to datasets; the last
// event of a dataset decides where it is listed.
func (d *diffBuilder) events(ctx context.Context, fr, tr *ScoreRun) error {
	if tr.HarvestRunID == 0 || tr.HarvestRunID <= fr.HarvestRunID {
		return nil
	}
	rows, err := d.db.sql.QueryContext(ctx, `SELECT e.dataset_id, e.kind FROM dataset_events e JOIN harvest_runs h ON h.id = e.run_id
		WHERE e.portal_id = ? AND h.portal_id = ? AND e.run_id > ? AND e.run_id <= ? AND e.kind IN ('new', 'missing', 'deleted', 'restored')
		ORDER BY e.run_id`, d.portal, d.portal, fr.HarvestRunID, tr.HarvestRunID)
	if err != nil {
		return d.db.explain(err)
	}
	defer rows.Close()
	last := map[string]string{}
	var order []string
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return d.db.explain(err)
		}
		if d.ds[id] == nil {
			continue
		}
		if _, ok := last[id]; !ok {
			order = append(order, id)
		}
		last[id] = kind
	}
	if err := rows.Err(); err != nil {
		return d.db.explain(err)
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

type scoreRow struct {
	overall sql.NullFloat64
	fresh   string
	errors  int
	warns   int
}

func (d *diffBuilder) loadScores(ctx context.Context, runID int64) (map[string]scoreRow, error) {
	rows, err := d.db.sql.QueryContext(ctx, `SELECT dataset_id, overall, freshness_status, errors, warnings FROM scores WHERE score_run_id = ?`, runID)
	if err != nil {
		return nil, d.db.explain(err)
	}
	defer rows.Close()
	out := map[string]scoreRow{}
	for rows.Next() {
		var id string
		var s scoreRow
		if err := rows.Scan(&id, &s.overall, &s.fresh, &s.errors, &s.warns); err != nil {
			return nil, d.db.explain(err)
		}
		if d.ds[id] != nil {
			out[id] = s
		}
	}
	return out, rows.Err()
}

// scores fills the run summaries, score moves and freshness changes.
func (d *diffBuilder) scores(ctx context.Context, fr, tr *ScoreRun) error {
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
		ds := &dsInfo{DiffDataset: DiffDataset{Organization: name}, orgTitle: m.title}
		d.org(ds).MeanFrom = m.mean()
	}
	for name, m := range meanTo {
		ds := &dsInfo{DiffDataset: DiffDataset{Organization: name}, orgTitle: m.title}
		d.org(ds).MeanTo = m.mean()
	}
	for id, a := range after {
		b, ok := before[id]
		if !ok {
			continue
		}
		ds := d.ds[id]
		if a.overall.Valid && b.overall.Valid {
			delta := a.overall.Float64 - b.overall.Float64
			if math.Abs(delta) > d.opts.Threshold && delta != 0 {
				c := ScoreChange{DiffDataset: ds.DiffDataset, From: b.overall.Float64, To: a.overall.Float64, Delta: round2(delta)}
				if delta < 0 {
					d.res.Dropped = append(d.res.Dropped, c)
					d.org(ds).Dropped++
				} else {
					d.res.Rose = append(d.res.Rose, c)
					d.org(ds).Rose++
				}
			}
		}
		if a.fresh != b.fresh {
			worse := freshRank[a.fresh] > freshRank[b.fresh] && freshRank[b.fresh] > 0 ||
				freshRank[b.fresh] == 0 && freshRank[a.fresh] >= freshRank[vigie.FreshOverdue]
			d.res.Freshness = append(d.res.Freshness, FreshnessChange{DiffDataset: ds.DiffDataset, From: b.fresh, To: a.fresh, Worse: worse})
			switch {
			case worse:
				d.org(ds).FreshnessWorse++
			case freshRank[a.fresh] > 0 && freshRank[a.fresh] < freshRank[b.fresh]:
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

func lessDelta(a, b ScoreChange, drop bool) bool {
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

func (d *diffBuilder) orgMeans(s map[string]scoreRow) map[string]*meanAcc {
	out := map[string]*meanAcc{}
	for id, r := range s {
		ds := d.ds[id]
		m := out[ds.Organization]
		if m == nil {
			m = &meanAcc{title: ds.orgTitle}
			out[ds.Organization] = m
		}
		if r.overall.Valid {
			m.sum += r.overall.Float64
			m.n++
		}
	}
	return out
}

func (d *diffBuilder) summary(r *ScoreRun, s map[string]scoreRow) DiffRun {
	out := DiffRun{ScoreRunID: r.ID, HarvestRunID: r.HarvestRunID, LinkRunID: r.LinkRunID, Profile: r.Profile, FinishedAt: r.FinishedAt, Datasets: len(s)}
	var m meanAcc
	for _, x := range s {
		if x.overall.Valid {
			m.sum += x.overall.Float64
			m.n++
		}
		switch x.fresh {
		case vigie.FreshDelinquent:
			out.Delinquent++
		case vigie.FreshOverdue:
			out.Overdue++
		}
		out.Errors += x.errors
		out.Warnings += x.warns
	}
	out.MeanOverall = m.mean()
	return out
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// findings lists findings that appeared or went away, by (dataset, rule,
// resource), for datasets scored in both runs.
func (d *diffBuilder) findings(ctx context.Context, fr, tr *ScoreRun) error {
	var err error
	d.res.NewFindings, err = d.findingsOnlyIn(ctx, tr.ID, fr.ID)
	if err != nil {
		return err
	}
	d.res.ResolvedFindings, err = d.findingsOnlyIn(ctx, fr.ID, tr.ID)
	if err != nil {
		return err
	}
	for _, f := range d.res.NewFindings {
		d.org(d.ds[f.ID]).NewFindings++
	}
	for _, f := range d.res.ResolvedFindings {
		d.org(d.ds[f.ID]).ResolvedFindings++
	}
	return nil
}

func (d *diffBuilder) findingsOnlyIn(ctx context.Context, in, notIn int64) ([]FindingChange, error) {
	// "+g.rule" keeps SQLite on the (run, dataset) key: the rule index would
	// scan every finding of that rule for each row.
	rows, err := d.db.sql.QueryContext(ctx, `SELECT f.dataset_id, f.rule, f.dimension, f.severity, f.resource_id, COALESCE(m.fr, f.message_fr), COALESCE(m.en, f.message_en)
		FROM findings f`+findingTextJoin+`
		WHERE f.score_run_id = ?
		  AND EXISTS (SELECT 1 FROM scores s WHERE s.score_run_id = ? AND s.dataset_id = f.dataset_id)
		  AND NOT EXISTS (SELECT 1 FROM findings g WHERE g.score_run_id = ? AND g.dataset_id = f.dataset_id AND +g.rule = f.rule AND g.resource_id = f.resource_id)
		ORDER BY f.dataset_id, f.seq`, in, notIn, notIn)
	if err != nil {
		return nil, d.db.explain(err)
	}
	defer rows.Close()
	seen := map[[3]string]bool{}
	out := []FindingChange{}
	for rows.Next() {
		var f FindingChange
		var id string
		if err := rows.Scan(&id, &f.Rule, &f.Dimension, &f.Severity, &f.ResourceID, &f.Message.FR, &f.Message.EN); err != nil {
			return nil, d.db.explain(err)
		}
		ds := d.ds[id]
		if ds == nil {
			continue
		}
		key := [3]string{id, f.Rule, f.ResourceID}
		if seen[key] {
			continue
		}
		seen[key] = true
		f.DiffDataset = ds.DiffDataset
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, d.db.explain(err)
	}
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
	return out, nil
}

func sevRank(s string) int {
	switch s {
	case vigie.SevError:
		return 0
	case vigie.SevWarning:
		return 1
	}
	return 2
}

type linkState struct {
	class  string
	status int
	reason string
}

// linkUsers maps each URL used by an active dataset in scope to those
// datasets; links of missing and deleted datasets no longer count.
func (d *diffBuilder) linkUsers(ctx context.Context) (map[string][]*dsInfo, error) {
	rows, err := d.db.sql.QueryContext(ctx, `SELECT DISTINCT url, dataset_id FROM resources WHERE portal_id = ? AND url <> ''`, d.portal)
	if err != nil {
		return nil, d.db.explain(err)
	}
	defer rows.Close()
	out := map[string][]*dsInfo{}
	for rows.Next() {
		var u, id string
		if err := rows.Scan(&u, &id); err != nil {
			return nil, d.db.explain(err)
		}
		if ds := d.ds[id]; ds != nil && ds.active {
			out[u] = append(out[u], ds)
		}
	}
	return out, rows.Err()
}

// linkStates returns the class of each URL the portal's resources use as of
// link run upTo: its latest check in a run of the portal numbered at most
// upTo. URLs never checked by then are absent; only urls are kept when given.
// Each URL is one backward probe of the (url, run_id) index, so the cost does
// not grow with the number of link runs kept.
func (d *diffBuilder) linkStates(ctx context.Context, upTo int64, urls map[string]bool) (map[string]linkState, error) {
	out := map[string]linkState{}
	if upTo == 0 {
		return out, nil
	}
	rows, err := d.db.sql.QueryContext(ctx, `WITH used(url) AS (SELECT DISTINCT url FROM resources WHERE portal_id = ? AND url <> '')
		SELECT c.url, c.class, c.status, c.reason FROM used u JOIN link_checks c ON c.url = u.url AND c.run_id = (
			SELECT c2.run_id FROM link_checks c2 JOIN link_runs r ON r.id = c2.run_id
			WHERE c2.url = u.url AND c2.run_id <= ? AND r.portal_id = ? ORDER BY c2.run_id DESC LIMIT 1)`, d.portal, upTo, d.portal)
	if err != nil {
		return nil, d.db.explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var u string
		var s linkState
		if err := rows.Scan(&u, &s.class, &s.status, &s.reason); err != nil {
			return nil, d.db.explain(err)
		}
		if urls != nil && !urls[u] {
			continue
		}
		out[u] = s
	}
	return out, rows.Err()
}

// links finds URLs whose class became broken, or became ok after being broken
// or failing, between the two score runs' link runs; and counts the broken
// URLs in scope at each side.
func (d *diffBuilder) links(ctx context.Context, fr, tr *ScoreRun) error {
	users, err := d.linkUsers(ctx)
	if err != nil {
		return err
	}
	inScope := make(map[string]bool, len(users))
	for u := range users {
		inScope[u] = true
	}
	before, err := d.linkStates(ctx, fr.LinkRunID, inScope)
	if err != nil {
		return err
	}
	after, err := d.linkStates(ctx, tr.LinkRunID, inScope)
	if err != nil {
		return err
	}
	for _, s := range before {
		if s.class == vigie.LinkBroken {
			d.res.From.BrokenLinks++
		}
	}
	for _, s := range after {
		if s.class == vigie.LinkBroken {
			d.res.To.BrokenLinks++
		}
	}
	if tr.LinkRunID == fr.LinkRunID {
		return nil
	}
	d.res.NewlyBroken, d.res.Repaired = []LinkChange{}, []LinkChange{}
	for u, a := range after {
		b := before[u]
		var broke bool
		switch {
		case a.class == vigie.LinkBroken && b.class != vigie.LinkBroken:
			broke = true
		case a.class == vigie.LinkOK && (b.class == vigie.LinkBroken || b.class == vigie.LinkFailing):
		default:
			continue
		}
		c := LinkChange{URL: u, From: b.class, To: a.class, Status: a.status, Reason: a.reason}
		orgSeen := map[string]bool{}
		for _, ds := range users[u] {
			c.Datasets = append(c.Datasets, ds.Name)
			if !orgSeen[ds.Organization] {
				orgSeen[ds.Organization] = true
				c.Organizations = append(c.Organizations, ds.Organization)
				if broke {
					d.org(ds).NewlyBroken++
				} else {
					d.org(ds).Repaired++
				}
			}
		}
		sort.Strings(c.Datasets)
		sort.Strings(c.Organizations)
		if broke {
			d.res.NewlyBroken = append(d.res.NewlyBroken, c)
		} else {
			d.res.Repaired = append(d.res.Repaired, c)
		}
	}
	sort.Slice(d.res.NewlyBroken, func(i, j int) bool { return d.res.NewlyBroken[i].URL < d.res.NewlyBroken[j].URL })
	sort.Slice(d.res.Repaired, func(i, j int) bool { return d.res.Repaired[i].URL < d.res.Repaired[j].URL })
	return nil
}

// finish sorts organizations (most changes first) and turns nil lists into
// empty ones so JSON shows [] rather than null.
func (d *diffBuilder) finish() {
	r := d.res
	for _, p := range []*[]DiffDataset{&r.New, &r.Missing, &r.Deleted, &r.Restored} {
		if *p == nil {
			*p = []DiffDataset{}
		}
		sort.Slice(*p, func(i, j int) bool { return (*p)[i].Name < (*p)[j].Name })
	}
	for _, p := range []*[]ScoreChange{&r.Dropped, &r.Rose} {
		if *p == nil {
			*p = []ScoreChange{}
		}
	}
	if r.NewlyBroken == nil {
		r.NewlyBroken = []LinkChange{}
	}
	if r.Repaired == nil {
		r.Repaired = []LinkChange{}
	}
	if r.Freshness == nil {
		r.Freshness = []FreshnessChange{}
	}
	r.Organizations = []OrgDiff{}
	for _, o := range d.orgs {
		r.Organizations = append(r.Organizations, *o)
	}
	sort.Slice(r.Organizations, func(i, j int) bool {
		a, b := r.Organizations[i], r.Organizations[j]
		if ca, cb := a.changes(), b.changes(); ca != cb {
			return ca > cb
		}
		return a.Name < b.Name
	})
}

func (o OrgDiff) changes() int {
	return o.New + o.Missing + o.Deleted + o.Restored + o.Dropped + o.Rose + o.NewFindings + o.ResolvedFindings +
		o.NewlyBroken + o.Repaired + o.FreshnessWorse + o.FreshnessBetter
}

// RunSummary describes one score run for the organizations in orgs (all when
// empty): datasets scored, mean overall score, broken links in use,
// delinquent and overdue datasets, error and warning findings. Quality gates
// read it.
func (db *DB) RunSummary(ctx context.Context, portalID int64, run *ScoreRun, orgs []string) (*DiffRun, error) {
	d := &diffBuilder{db: db, portal: portalID, opts: DiffOptions{Orgs: orgs}, orgs: map[string]*OrgDiff{}}
	if err := d.loadDatasets(ctx); err != nil {
		return nil, err
	}
	s, err := d.loadScores(ctx, run.ID)
	if err != nil {
		return nil, err
	}
	sum := d.summary(run, s)
	users, err := d.linkUsers(ctx)
	if err != nil {
		return nil, err
	}
	inScope := make(map[string]bool, len(users))
	for u := range users {
		inScope[u] = true
	}
	states, err := d.linkStates(ctx, run.LinkRunID, inScope)
	if err != nil {
		return nil, err
	}
	for _, st := range states {
		if st.class == vigie.LinkBroken {
			sum.BrokenLinks++
		}
	}
	return &sum, nil
}
