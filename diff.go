package vigie

import "time"

// The comparison of two score runs and the record of an audit, as values.
// pipeline builds them (its comparison rules and its audit), the gate and
// the commands read them, and reports writes them: diff.json and run.json
// are reports' shapes of these values (reports/shapes.go), with their
// schemas in docs/.

// DiffRun describes one side of a comparison, or a score run on its own
// (the audit's summary, which the quality gate reads).
type DiffRun struct {
	ScoreRunID   int64
	HarvestRunID int64
	LinkRunID    int64
	Profile      string
	FinishedAt   time.Time
	Datasets     int      // scored datasets in scope
	MeanOverall  *float64 // mean overall score of the scope; nil when none is known
	BrokenLinks  int      // distinct broken URLs used in scope as of this run
	FailingLinks int      // distinct failing (not yet confirmed broken) URLs likewise
	Delinquent   int      // datasets delinquent in this run
	Overdue      int      // datasets overdue in this run
	Errors       int      // findings of severity error
	Warnings     int      // findings of severity warning
}

// DiffDataset names a dataset in a comparison.
type DiffDataset struct {
	ID           string
	Name         string
	Title        string
	Organization string
	Visibility   string // private, draft or deleted; "" when public
}

// ScoreChange is a dataset whose overall score moved by more than the threshold.
type ScoreChange struct {
	DiffDataset
	From, To, Delta float64
}

// FindingChange is a finding that appeared or went away.
type FindingChange struct {
	DiffDataset
	Rule       string
	Dimension  Dimension
	Severity   Severity
	ResourceID string
	Message    Text
	// ReplacedBy, in ReplacedFindings, is the new finding that took this
	// one's place (same dataset, dimension and resource); Worse says it is
	// more severe.
	ReplacedBy *FindingChange
	Worse      bool
}

// LinkChange is a URL that became broken, or became ok again.
type LinkChange struct {
	URL           string
	From          LinkClass // class before ("" when never checked)
	To            LinkClass
	Status        int
	Reason        string   // in the comparison's language
	ReasonCode    string   // stable codes, ";"-separated
	Datasets      []string // names of the datasets using it
	Organizations []string // their organizations
}

// FreshnessChange is a dataset whose freshness status changed.
type FreshnessChange struct {
	DiffDataset
	From, To Freshness
	Worse    bool
}

// OrgDiff aggregates a comparison for one organization.
type OrgDiff struct {
	Name, Title                     string
	MeanFrom, MeanTo                *float64
	New, Missing, Deleted, Restored int
	Dropped, Rose                   int
	NewFindings, ResolvedFindings   int
	NewlyBroken, Repaired           int
	FreshnessWorse, FreshnessBetter int
}

// DiffResult is everything that changed between two score runs of a portal,
// for the organizations in Orgs (all when empty).
type DiffResult struct {
	PortalID         int64
	From, To         DiffRun
	Threshold        float64 // score change in points that counted as a drop or a rise
	Orgs             []string
	New              []DiffDataset
	Missing          []DiffDataset
	Deleted          []DiffDataset
	Restored         []DiffDataset
	Dropped          []ScoreChange
	Rose             []ScoreChange
	NewFindings      []FindingChange
	ResolvedFindings []FindingChange
	// ReplacedFindings went away but another finding of the same dimension
	// and resource came in their place (a failing link now broken, a due
	// dataset now overdue): not resolved. The new ones stay in NewFindings.
	ReplacedFindings []FindingChange
	NewlyBroken      []LinkChange
	Repaired         []LinkChange
	Freshness        []FreshnessChange
	Organizations    []OrgDiff // most changes first
}

// Empty reports whether nothing changed.
func (d *DiffResult) Empty() bool {
	return len(d.New)+len(d.Missing)+len(d.Deleted)+len(d.Restored)+len(d.Dropped)+len(d.Rose)+
		len(d.NewFindings)+len(d.ResolvedFindings)+len(d.ReplacedFindings)+len(d.NewlyBroken)+len(d.Repaired)+len(d.Freshness) == 0
}

// StageTiming is one stage of an audit: its name, how long it took and how
// it ended.
type StageTiming struct {
	Name    string
	Seconds float64
	Status  string // ok
	Error   string
}

// GateResult is what an audit's quality gate said.
type GateResult struct {
	FailUnder *float64 // the --fail-under asked, nil when none
	FailOn    []string // the --fail-on conditions asked
	Passed    bool
	Reasons   []string // why it failed, in English (run.json keeps them)
	Skipped   []string // conditions that need a previous audit
	// Said are the reasons as sentences, for the reader's language.
	Said []*Error
}

// AuditRecord is what an audit did and what its gate said (an audit
// folder's run.json).
type AuditRecord struct {
	Portal     string
	Vigie      Build
	StartedAt  time.Time
	FinishedAt time.Time
	Orgs       []string
	Stages     []StageTiming
	ScoreRun   int64
	HarvestRun int64
	LinkRun    int64
	Compared   int64    // previous score run, 0 on the first audit
	Summary    *DiffRun // the score run in scope; nil when the audit stopped before it
	Gate       GateResult
	// AsOf is the "now" the audit judged by; Clock says whether it was the
	// system clock or fixed with --now / VIGIE_NOW (to reproduce a past audit).
	AsOf  time.Time
	Clock string
}
