package reports

import (
	"time"

	"github.com/vigie-audit/vigie"
)

// The JSON shapes of an audit folder: diff.json (and `vigie diff --format
// json`, docs/diff.schema.json) and run.json (docs/run.schema.json). The
// values they show are the root package's (vigie.DiffResult,
// vigie.AuditRecord), built by pipeline; the field names, their order and
// what is null or [] are decided here.

// DiffDocument is the JSON form of a comparison, with the portal it is about.
type DiffDocument struct {
	Portal           string                `json:"portal"`
	PortalID         int64                 `json:"portal_id"`
	From             DiffRunJSON           `json:"from"`
	To               DiffRunJSON           `json:"to"`
	Threshold        float64               `json:"threshold"`
	Orgs             []string              `json:"orgs"`
	New              []DiffDatasetJSON     `json:"new"`
	Missing          []DiffDatasetJSON     `json:"missing"`
	Deleted          []DiffDatasetJSON     `json:"deleted"`
	Restored         []DiffDatasetJSON     `json:"restored"`
	Dropped          []ScoreChangeJSON     `json:"dropped"`
	Rose             []ScoreChangeJSON     `json:"rose"`
	NewFindings      []FindingChangeJSON   `json:"new_findings"`
	ResolvedFindings []FindingChangeJSON   `json:"resolved_findings"`
	ReplacedFindings []FindingChangeJSON   `json:"replaced_findings"`
	NewlyBroken      []LinkChangeJSON      `json:"newly_broken"`
	Repaired         []LinkChangeJSON      `json:"repaired"`
	Freshness        []FreshnessChangeJSON `json:"freshness"`
	Organizations    []OrgDiffJSON         `json:"organizations"`
}

// DiffRunJSON is one side of a comparison, and run.json's summary.
type DiffRunJSON struct {
	ScoreRunID   int64     `json:"score_run_id"`
	HarvestRunID int64     `json:"harvest_run_id"`
	LinkRunID    int64     `json:"link_run_id"`
	Profile      string    `json:"profile"`
	FinishedAt   time.Time `json:"finished_at"`
	Datasets     int       `json:"datasets"`
	MeanOverall  *float64  `json:"mean_overall"`
	BrokenLinks  int       `json:"broken_links"`
	FailingLinks int       `json:"failing_links"`
	Delinquent   int       `json:"delinquent"`
	Overdue      int       `json:"overdue"`
	Errors       int       `json:"errors"`
	Warnings     int       `json:"warnings,omitempty"`
}

// DiffDatasetJSON names a dataset in a comparison.
type DiffDatasetJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Title        string `json:"title"`
	Organization string `json:"organization"`
	Visibility   string `json:"visibility,omitempty"` // private, draft or deleted; absent when public
}

// ScoreChangeJSON is a dataset whose overall score moved.
type ScoreChangeJSON struct {
	DiffDatasetJSON
	From  float64 `json:"from"`
	To    float64 `json:"to"`
	Delta float64 `json:"delta"`
}

// FindingChangeJSON is a finding that appeared, went away or was replaced.
type FindingChangeJSON struct {
	DiffDatasetJSON
	Rule       string             `json:"rule"`
	Dimension  vigie.Dimension    `json:"dimension"`
	Severity   vigie.Severity     `json:"severity"`
	ResourceID string             `json:"resource_id,omitempty"`
	Message    vigie.Text         `json:"message"`
	ReplacedBy *FindingChangeJSON `json:"replaced_by,omitempty"`
	Worse      bool               `json:"worse,omitempty"`
}

// LinkChangeJSON is a URL that became broken, or ok again.
type LinkChangeJSON struct {
	URL           string          `json:"url"`
	From          vigie.LinkClass `json:"from"`
	To            vigie.LinkClass `json:"to"`
	Status        int             `json:"status,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	ReasonCode    string          `json:"reason_code,omitempty"`
	Datasets      []string        `json:"datasets"`
	Organizations []string        `json:"organizations"`
}

// FreshnessChangeJSON is a dataset whose freshness status changed.
type FreshnessChangeJSON struct {
	DiffDatasetJSON
	From  vigie.Freshness `json:"from"`
	To    vigie.Freshness `json:"to"`
	Worse bool            `json:"worse"`
}

// OrgDiffJSON is a comparison for one organization.
type OrgDiffJSON struct {
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

// each maps a list to its JSON shape; an empty list is [] (never null):
// every list of a comparison is always there.
func each[T, J any](in []T, f func(*T) J) []J {
	out := make([]J, len(in))
	for i := range in {
		out[i] = f(&in[i])
	}
	return out
}

// NewDiffDocument is d's JSON form, about portal.
func NewDiffDocument(portal string, d *vigie.DiffResult) DiffDocument {
	orgs := d.Orgs
	if orgs == nil {
		orgs = []string{}
	}
	return DiffDocument{
		Portal: portal, PortalID: d.PortalID, From: NewDiffRunJSON(&d.From), To: NewDiffRunJSON(&d.To),
		Threshold: d.Threshold, Orgs: orgs,
		New: each(d.New, newDiffDatasetJSON), Missing: each(d.Missing, newDiffDatasetJSON),
		Deleted: each(d.Deleted, newDiffDatasetJSON), Restored: each(d.Restored, newDiffDatasetJSON),
		Dropped: each(d.Dropped, newScoreChangeJSON), Rose: each(d.Rose, newScoreChangeJSON),
		NewFindings: each(d.NewFindings, newFindingChangeJSON), ResolvedFindings: each(d.ResolvedFindings, newFindingChangeJSON),
		ReplacedFindings: each(d.ReplacedFindings, newFindingChangeJSON),
		NewlyBroken:      each(d.NewlyBroken, newLinkChangeJSON), Repaired: each(d.Repaired, newLinkChangeJSON),
		Freshness:     each(d.Freshness, newFreshnessChangeJSON),
		Organizations: each(d.Organizations, newOrgDiffJSON),
	}
}

// NewDiffRunJSON is r's JSON form.
func NewDiffRunJSON(r *vigie.DiffRun) DiffRunJSON {
	return DiffRunJSON{ScoreRunID: r.ScoreRunID, HarvestRunID: r.HarvestRunID, LinkRunID: r.LinkRunID, Profile: r.Profile,
		FinishedAt: r.FinishedAt, Datasets: r.Datasets, MeanOverall: r.MeanOverall, BrokenLinks: r.BrokenLinks,
		FailingLinks: r.FailingLinks, Delinquent: r.Delinquent, Overdue: r.Overdue, Errors: r.Errors, Warnings: r.Warnings}
}

func newDiffDatasetJSON(d *vigie.DiffDataset) DiffDatasetJSON {
	return DiffDatasetJSON{ID: d.ID, Name: d.Name, Title: d.Title, Organization: d.Organization, Visibility: d.Visibility}
}

func newScoreChangeJSON(c *vigie.ScoreChange) ScoreChangeJSON {
	return ScoreChangeJSON{DiffDatasetJSON: newDiffDatasetJSON(&c.DiffDataset), From: c.From, To: c.To, Delta: c.Delta}
}

func newFindingChangeJSON(f *vigie.FindingChange) FindingChangeJSON {
	out := FindingChangeJSON{DiffDatasetJSON: newDiffDatasetJSON(&f.DiffDataset), Rule: f.Rule, Dimension: f.Dimension,
		Severity: f.Severity, ResourceID: f.ResourceID, Message: f.Message, Worse: f.Worse}
	if f.ReplacedBy != nil {
		by := newFindingChangeJSON(f.ReplacedBy)
		out.ReplacedBy = &by
	}
	return out
}

func newLinkChangeJSON(l *vigie.LinkChange) LinkChangeJSON {
	return LinkChangeJSON{URL: l.URL, From: l.From, To: l.To, Status: l.Status, Reason: l.Reason, ReasonCode: l.ReasonCode,
		Datasets: l.Datasets, Organizations: l.Organizations}
}

func newFreshnessChangeJSON(f *vigie.FreshnessChange) FreshnessChangeJSON {
	return FreshnessChangeJSON{DiffDatasetJSON: newDiffDatasetJSON(&f.DiffDataset), From: f.From, To: f.To, Worse: f.Worse}
}

func newOrgDiffJSON(o *vigie.OrgDiff) OrgDiffJSON {
	return OrgDiffJSON{Name: o.Name, Title: o.Title, MeanFrom: o.MeanFrom, MeanTo: o.MeanTo, New: o.New, Missing: o.Missing,
		Deleted: o.Deleted, Restored: o.Restored, Dropped: o.Dropped, Rose: o.Rose, NewFindings: o.NewFindings,
		ResolvedFindings: o.ResolvedFindings, NewlyBroken: o.NewlyBroken, Repaired: o.Repaired,
		FreshnessWorse: o.FreshnessWorse, FreshnessBetter: o.FreshnessBetter}
}

// RunDocument is run.json: what an audit did and what its gate said.
type RunDocument struct {
	Portal     string       `json:"portal"`
	Vigie      vigie.Build  `json:"vigie"`
	StartedAt  time.Time    `json:"started_at"`
	FinishedAt time.Time    `json:"finished_at"`
	Orgs       []string     `json:"orgs"`
	Stages     []StageJSON  `json:"stages"`
	ScoreRun   int64        `json:"score_run"`
	HarvestRun int64        `json:"harvest_run"`
	LinkRun    int64        `json:"link_run"`
	Compared   int64        `json:"compared_with,omitempty"` // previous score run, absent on the first audit
	Summary    *DiffRunJSON `json:"summary"`
	Gate       GateJSON     `json:"gate"`
	AsOf       time.Time    `json:"as_of"`
	Clock      string       `json:"clock"` // system, or fixed (--now, VIGIE_NOW)
}

// StageJSON is one stage of run.json.
type StageJSON struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
	Status  string  `json:"status"`
	Error   string  `json:"error,omitempty"`
}

// GateJSON is what the quality gate said, in run.json.
type GateJSON struct {
	FailUnder *float64 `json:"fail_under,omitempty"`
	FailOn    []string `json:"fail_on"`
	Passed    bool     `json:"passed"`
	Reasons   []string `json:"reasons"`
	Skipped   []string `json:"skipped,omitempty"`
}

// NewRunDocument is rec's JSON form.
func NewRunDocument(rec *vigie.AuditRecord) RunDocument {
	out := RunDocument{Portal: rec.Portal, Vigie: rec.Vigie, StartedAt: rec.StartedAt, FinishedAt: rec.FinishedAt,
		Orgs: rec.Orgs, ScoreRun: rec.ScoreRun, HarvestRun: rec.HarvestRun, LinkRun: rec.LinkRun, Compared: rec.Compared,
		Gate: GateJSON{FailUnder: rec.Gate.FailUnder, FailOn: rec.Gate.FailOn, Passed: rec.Gate.Passed,
			Reasons: rec.Gate.Reasons, Skipped: rec.Gate.Skipped},
		AsOf: rec.AsOf, Clock: rec.Clock}
	if out.Orgs == nil {
		out.Orgs = []string{}
	}
	if rec.Stages != nil {
		out.Stages = each(rec.Stages, func(s *vigie.StageTiming) StageJSON {
			return StageJSON{Name: s.Name, Seconds: s.Seconds, Status: s.Status, Error: s.Error}
		})
	}
	if rec.Summary != nil {
		s := NewDiffRunJSON(rec.Summary)
		out.Summary = &s
	}
	return out
}
