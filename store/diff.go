package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

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
	FailingLinks int       `json:"failing_links"`      // distinct failing (not yet confirmed broken) URLs likewise
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
	Visibility   string `json:"visibility,omitempty"` // private, draft or deleted; "" when public
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
	Rule       string          `json:"rule"`
	Dimension  vigie.Dimension `json:"dimension"`
	Severity   vigie.Severity  `json:"severity"`
	ResourceID string          `json:"resource_id,omitempty"`
	Message    vigie.Text      `json:"message"`
	// ReplacedBy, in ReplacedFindings, is the new finding that took this
	// one's place (same dataset, dimension and resource); Worse says it is
	// more severe.
	ReplacedBy *FindingChange `json:"replaced_by,omitempty"`
	Worse      bool           `json:"worse,omitempty"`
}

// LinkChange is a URL that became broken, or became ok again.
type LinkChange struct {
	URL           string          `json:"url"`
	From          vigie.LinkClass `json:"from"` // class before ("" when never checked)
	To            vigie.LinkClass `json:"to"`
	Status        int             `json:"status,omitempty"`
	Reason        string          `json:"reason,omitempty"`      // in the diff's language
	ReasonCode    string          `json:"reason_code,omitempty"` // stable codes, ";"-separated
	Datasets      []string        `json:"datasets"`              // names of the datasets using it
	Organizations []string        `json:"organizations"`         // their organizations
}

// FreshnessChange is a dataset whose freshness status changed.
type FreshnessChange struct {
	DiffDataset
	From  vigie.Freshness `json:"from"`
	To    vigie.Freshness `json:"to"`
	Worse bool            `json:"worse"`
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
	PortalID         int64           `json:"portal_id"`
	From             DiffRun         `json:"from"`
	To               DiffRun         `json:"to"`
	Threshold        float64         `json:"threshold"`
	Orgs             []string        `json:"orgs"`
	New              []DiffDataset   `json:"new"`
	Missing          []DiffDataset   `json:"missing"`
	Deleted          []DiffDataset   `json:"deleted"`
	Restored         []DiffDataset   `json:"restored"`
	Dropped          []ScoreChange   `json:"dropped"`
	Rose             []ScoreChange   `json:"rose"`
	NewFindings      []FindingChange `json:"new_findings"`
	ResolvedFindings []FindingChange `json:"resolved_findings"`
	// ReplacedFindings went away but another finding of the same dimension
	// and resource came in their place (a failing link now broken, a due
	// dataset now overdue): not resolved. The new ones stay in NewFindings.
	ReplacedFindings []FindingChange   `json:"replaced_findings"`
	NewlyBroken      []LinkChange      `json:"newly_broken"`
	Repaired         []LinkChange      `json:"repaired"`
	Freshness        []FreshnessChange `json:"freshness"`
	Organizations    []OrgDiff         `json:"organizations"`
}

// Empty reports whether nothing changed.
func (d *DiffResult) Empty() bool {
	return len(d.New)+len(d.Missing)+len(d.Deleted)+len(d.Restored)+len(d.Dropped)+len(d.Rose)+
		len(d.NewFindings)+len(d.ResolvedFindings)+len(d.ReplacedFindings)+len(d.NewlyBroken)+len(d.Repaired)+len(d.Freshness) == 0
}

// freshRank orders freshness statuses from best to worst; 0 = not ranked.
var freshRank = map[vigie.Freshness]int{vigie.FreshFresh: 1, vigie.FreshDue: 2, vigie.FreshOverdue: 3, vigie.FreshDelinquent: 4}

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
	rows, err := d.db.sql.QueryContext(ctx, `SELECT id, name, CASE WHEN ? = 'en' AND title_en <> '' THEN title_en ELSE title END,
		organization, organization_title, state, private, ckan_state FROM datasets WHERE portal_id = ?`, d.opts.Lang, d.portal)
	if err != nil {
		return d.db.explain(err)
	}
	defer rows.Close()
	d.ds = map[string]*dsInfo{}
	seen := map[string]bool{}
	for rows.Next() {
		var x dsInfo
		var state, ckanState string
		var private bool
		if err := rows.Scan(&x.ID, &x.Name, &x.Title, &x.Organization, &x.orgTitle, &state, &private, &ckanState); err != nil {
			return d.db.explain(err)
		}
		x.active = state == vigie.StateActive
		seen[x.Organization] = true
		if len(want) > 0 && !want[x.Organization] {
			continue
		}
		if v := vigie.Visibility(private, ckanState); v != vigie.VisPublic {
			if !d.opts.IncludePrivate {
				continue
			}
			x.Visibility = v
		}
		d.ds[x.ID] = &x
	}
	if err := rows.Err(); err != nil {
		return d.db.explain(err)
	}
	for _, o := range d.opts.Orgs {
		if !seen[o] {
			return &vigie.Error{Kind: vigie.KindUnknownOrg, ID: "store.org_no_dataset", Args: []any{o}, Org: o}
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
	fresh   vigie.Freshness
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
	// A finding gone while another of the same dataset, dimension and
	// resource appeared was replaced, not resolved.
	type slot struct {
		id  string
		dim vigie.Dimension
		res string
	}
	came := map[slot]*FindingChange{}
	for i := range d.res.NewFindings {
		f := &d.res.NewFindings[i]
		k := slot{f.ID, f.Dimension, f.ResourceID}
		if o := came[k]; o == nil || sevRank(f.Severity) < sevRank(o.Severity) {
			came[k] = f
		}
	}
	resolved := d.res.ResolvedFindings[:0:0]
	d.res.ReplacedFindings = []FindingChange{}
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

func (d *diffBuilder) findingsOnlyIn(ctx context.Context, in, notIn int64) ([]FindingChange, error) {
	// Both runs' findings in dataset id order, merged here: a dataset of run
	// in that run notIn scored too (with or without findings) is compared by
	// rule and resource.
	rows, err := d.db.sql.QueryContext(ctx, `SELECT dataset_id, findings FROM dataset_findings WHERE score_run_id = ? ORDER BY dataset_id`, in)
	if err != nil {
		return nil, d.db.explain(err)
	}
	defer rows.Close()
	other, err := d.db.sql.QueryContext(ctx, `SELECT s.dataset_id, COALESCE(f.findings, '[]') FROM scores s
		LEFT JOIN dataset_findings f ON f.score_run_id = s.score_run_id AND f.dataset_id = s.dataset_id
		WHERE s.score_run_id = ? ORDER BY s.dataset_id`, notIn)
	if err != nil {
		return nil, d.db.explain(err)
	}
	defer other.Close()
	texts, err := newTextResolver(ctx, d.db.sql, "")
	if err != nil {
		return nil, d.db.explain(err)
	}
	defer texts.close()
	var otherID, otherRaw string
	haveOther := true
	var id, raw string
	var mine, theirs []storedFinding
	seen := map[[3]string]bool{}
	out := []FindingChange{}
	for rows.Next() {
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, d.db.explain(err)
		}
		for haveOther && otherID < id {
			if haveOther = other.Next(); haveOther {
				if err := other.Scan(&otherID, &otherRaw); err != nil {
					return nil, d.db.explain(err)
				}
			}
		}
		if !haveOther {
			break
		}
		ds := d.ds[id]
		if otherID != id || ds == nil {
			continue
		}
		if mine, err = parseFindingsJSON(raw, mine[:0]); err != nil {
			return nil, damagedFindings(in, id)
		}
		if theirs, err = parseFindingsJSON(otherRaw, theirs[:0]); err != nil {
			return nil, damagedFindings(notIn, id)
		}
	next:
		for _, f := range mine {
			for _, g := range theirs {
				if g.Rule == f.Rule && g.ResourceID == f.ResourceID {
					continue next
				}
			}
			key := [3]string{id, f.Rule, f.ResourceID}
			if seen[key] {
				continue
			}
			seen[key] = true
			c := FindingChange{Rule: f.Rule, Dimension: f.Dimension, Severity: f.Severity, ResourceID: f.ResourceID}
			if c.Message, err = texts.text(f.MessageID); err != nil {
				return nil, d.db.explain(err)
			}
			c.DiffDataset = ds.DiffDataset
			out = append(out, c)
		}
	}
	if err := errors.Join(rows.Err(), other.Err()); err != nil {
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

func sevRank(s vigie.Severity) int {
	switch s {
	case vigie.SevError:
		return 0
	case vigie.SevWarning:
		return 1
	}
	return 2
}

// links finds URLs whose class became broken, or became ok after being broken
// or failing, between the two score runs' link runs; and counts the broken
// URLs in scope at each side. A URL is in scope when an active dataset of
// the scope uses it; its class at a link run is that of its latest check in
// a run of the portal numbered at most that run (one backward probe of the
// (url, run_id) index, so the cost does not grow with the link runs kept).
// Rows come in URL order from the covering URL index and are grouped here:
// only the changes are held, not every URL.
func (d *diffBuilder) links(ctx context.Context, fr, tr *ScoreRun) error {
	rows, err := d.db.sql.QueryContext(ctx, `SELECT r.url, r.dataset_id, b.class, a.class, a.status, a.reason
		FROM resources r
		LEFT JOIN link_checks b ON b.url = r.url AND b.run_id = (SELECT c.run_id FROM link_checks c JOIN link_runs l ON l.id = c.run_id
			WHERE c.url = r.url AND c.run_id <= ? AND l.portal_id = r.portal_id ORDER BY c.run_id DESC LIMIT 1)
		LEFT JOIN link_checks a ON a.url = r.url AND a.run_id = (SELECT c.run_id FROM link_checks c JOIN link_runs l ON l.id = c.run_id
			WHERE c.url = r.url AND c.run_id <= ? AND l.portal_id = r.portal_id ORDER BY c.run_id DESC LIMIT 1)
		WHERE r.portal_id = ? AND r.url <> ''
		ORDER BY r.url`, fr.LinkRunID, tr.LinkRunID, d.portal)
	if err != nil {
		return d.db.explain(err)
	}
	defer rows.Close()
	compare := tr.LinkRunID != fr.LinkRunID
	if compare {
		d.res.NewlyBroken, d.res.Repaired = []LinkChange{}, []LinkChange{}
	}
	var (
		cur            string
		users          []*dsInfo
		before, after  sql.NullString
		status         sql.NullInt64
		reason         sql.NullString
		url, datasetID string
	)
	flush := func() {
		if len(users) == 0 {
			return
		}
		b, a := vigie.LinkClass(before.String), vigie.LinkClass(after.String)
		if b == vigie.LinkBroken {
			d.res.From.BrokenLinks++
		}
		if a == vigie.LinkBroken {
			d.res.To.BrokenLinks++
		}
		if b == vigie.LinkFailing {
			d.res.From.FailingLinks++
		}
		if a == vigie.LinkFailing {
			d.res.To.FailingLinks++
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
		c := LinkChange{URL: cur, From: vigie.LinkClass(before.String), To: vigie.LinkClass(after.String), Status: int(status.Int64),
			Reason: l10n.LinkReason(d.opts.Lang, reason.String), ReasonCode: vigie.LinkReasonCode(reason.String)}
		orgSeen := map[string]bool{}
		for _, ds := range users {
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
	for rows.Next() {
		var b, a, rs sql.NullString
		var st sql.NullInt64
		if err := rows.Scan(&url, &datasetID, &b, &a, &st, &rs); err != nil {
			return d.db.explain(err)
		}
		if url != cur {
			flush()
			cur, users, before, after, status, reason = url, users[:0], b, a, st, rs
		}
		if ds := d.ds[datasetID]; ds != nil && ds.active && !slices.Contains(users, ds) {
			users = append(users, ds)
		}
	}
	if err := rows.Err(); err != nil {
		return d.db.explain(err)
	}
	flush()
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
	// Compared with itself, links only counts the broken URLs in scope.
	d.res = &DiffResult{}
	if err := d.links(ctx, run, run); err != nil {
		return nil, err
	}
	sum.BrokenLinks, sum.FailingLinks = d.res.To.BrokenLinks, d.res.To.FailingLinks
	return &sum, nil
}
