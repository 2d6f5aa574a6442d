// Package reports builds a report from the store alone (no network) and
// writes it as Excel, an offline HTML dashboard, CSV, JSON or Markdown.
//
// Build reads the small tables (indicators, organizations, links, history)
// into a Report; the big ones (datasets, findings) stay in the store and are
// streamed to the writers through Report.EachDataset and Report.EachFinding,
// so a 100k-dataset catalogue never sits in memory as a whole.
package reports

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// Writer writes a report in one format.
type Writer interface {
	Write(ctx context.Context, w io.Writer, r *Report) error
}

// Run identifies a harvest or score run.
type Run struct {
	ID         int64     `json:"id"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Profile    string    `json:"profile,omitempty"`
	Mode       string    `json:"mode,omitempty"`
	// VigieVersion is the vigie that made the run; ProfileHash (score runs)
	// the sha256 of the profile's rules. Empty for runs made before they
	// were recorded.
	VigieVersion string `json:"vigie_version,omitempty"`
	ProfileHash  string `json:"profile_hash,omitempty"`
	// AsOf is the "now" the run judged by when its clock was fixed with
	// --now / VIGIE_NOW; nil for the system clock.
	AsOf *time.Time `json:"as_of,omitempty"`
}

// Report is everything a report shows. Datasets and findings are streamed:
// use EachDataset and EachFinding.
type Report struct {
	// commitmentPortal: the portal is the one whose open-government
	// commitment the indicators measure (its profile declares a baseline
	// for it); other portals get plain "Indicators".
	commitmentPortal bool
	Portal           string    `json:"portal"`
	GeneratedAt      time.Time `json:"generated_at"`
	VigieVersion     string    `json:"vigie_version"` // the vigie that wrote the report
	HarvestRun       *Run      `json:"harvest_run"`
	// Warnings say when the report may mix data of different moments: the
	// metadata was harvested after the scores were computed, or a harvest is
	// still writing. Every format shows them.
	Warnings []string `json:"warnings"`
	// Stale says that the metadata is newer than the scores (one of the
	// Warnings): the command line says what to do about it.
	Stale      bool     `json:"-"`
	ScoreRun   Run      `json:"score_run"`
	CompareRun *Run     `json:"compare_run"`
	Profile    string   `json:"profile"`
	Lang       string   `json:"lang"`
	Orgs       []string `json:"orgs,omitempty"` // the organizations the report is narrowed to
	// IncludePrivate: private, draft and deleted datasets are listed,
	// marked; the indicators count published datasets only either way.
	IncludePrivate bool           `json:"include_private"`
	Commitment     []Indicator    `json:"commitment"`
	Summary        Summary        `json:"summary"`
	Organizations  []Organization `json:"organizations"`
	TopFindings    []RuleCount    `json:"top_findings"`
	Links          []Link         `json:"links"`
	History        []HistoryPoint `json:"history"`

	// Datasets holds the rows of a report built in memory; a report built
	// from the store leaves it nil and streams them from rows.
	Datasets []Dataset `json:"-"`
	rows     rowSource
	end      func() // ends the read snapshot (Close)
}

// rowSource streams the big tables.
type rowSource interface {
	datasets(ctx context.Context, withFindings bool, fn func(*Dataset) error) error
	findings(ctx context.Context, fn func(*FindingRow) error) error
}

// EachDataset calls fn for every dataset row. With findings, each row carries
// its findings (the order is then by dataset id); without, Findings is nil
// and the order is organization then name.
func (r *Report) EachDataset(ctx context.Context, withFindings bool, fn func(*Dataset) error) error {
	if r.rows != nil {
		return r.rows.datasets(ctx, withFindings, fn)
	}
	for i := range r.Datasets {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := r.Datasets[i]
		if !withFindings {
			d.Findings = nil
		} else if d.Findings == nil {
			d.Findings = []Finding{}
		}
		if err := fn(&d); err != nil {
			return err
		}
	}
	return nil
}

// EachFinding calls fn for every finding with its dataset.
func (r *Report) EachFinding(ctx context.Context, fn func(*FindingRow) error) error {
	if r.rows != nil {
		return r.rows.findings(ctx, fn)
	}
	for i := range r.Datasets {
		d := &r.Datasets[i]
		for _, f := range d.Findings {
			if err := ctx.Err(); err != nil {
				return err
			}
			row := FindingRow{DatasetID: d.ID, DatasetName: d.Name, DatasetTitle: d.Title, Organization: d.Organization, Finding: f}
			if err := fn(&row); err != nil {
				return err
			}
		}
	}
	return nil
}

// Indicator is one commitment indicator, now and at the compared run.
type Indicator struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Unit     string   `json:"unit"` // count, percent (0–100) or score (0–100)
	Value    *float64 `json:"value"`
	Previous *float64 `json:"previous"`
	Change   *float64 `json:"change"`
	Baseline *float64 `json:"baseline,omitempty"`
	Note     string   `json:"note,omitempty"`
	// Coverage is how much of what the indicator is about was observed:
	// for links_working, the URLs checked out of the scope's URLs.
	Coverage *Coverage `json:"coverage,omitempty"`
}

// Coverage says over how much an indicator was computed.
type Coverage struct {
	Checked int      `json:"checked"`
	Total   int      `json:"total"`
	Percent *float64 `json:"percent"` // checked / total, null when total is 0
}

// Summary holds the distributions the charts draw.
type Summary struct {
	Datasets      int                     `json:"datasets"`
	Organizations int                     `json:"organizations"`
	Scores        vigie.Scores            `json:"scores"` // means
	MQAPoints     *float64                `json:"mqa_points"`
	Findings      Severities              `json:"findings"`
	Ratings       map[vigie.Rating]int    `json:"ratings"`
	Freshness     map[vigie.Freshness]int `json:"freshness"`
	Stars         [6]int                  `json:"stars"`
	Links         map[vigie.LinkClass]int `json:"links"`     // checked URLs by class
	LinkURLs      int                     `json:"link_urls"` // every distinct URL of the scope, checked or not
	// Visibility counts the scored datasets by visibility (public, private,
	// draft, deleted); Datasets is the public ones.
	Visibility map[string]int `json:"visibility,omitempty"`
}

// Severities counts findings by severity.
type Severities struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Info    int `json:"info"`
}

// Organization is one publisher's row.
type Organization struct {
	Rank         int          `json:"rank"`
	Name         string       `json:"name"`
	Title        string       `json:"title"`
	Datasets     int          `json:"datasets"`
	Scores       vigie.Scores `json:"scores"` // means
	MQAPoints    *float64     `json:"mqa_points"`
	OpenLicence  *float64     `json:"open_licence"` // percent
	Tau          *float64     `json:"tau"`          // percent of scheduled datasets that are fresh, nil when none is scheduled
	BrokenLinks  *int         `json:"broken_links"` // nil when none of the organization's URLs was checked
	Findings     Severities   `json:"findings"`
	TauScheduled int          `json:"scheduled"`
}

// Dataset is one dataset's row.
type Dataset struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	Title           string          `json:"title"`
	Organization    string          `json:"organization"`
	URL             string          `json:"url"`
	Scores          vigie.Scores    `json:"scores"`
	MQA             vigie.MQA       `json:"mqa"`
	FreshnessStatus vigie.Freshness `json:"freshness_status"`
	Frequency       string          `json:"frequency,omitempty"`
	Stars           int             `json:"stars"`
	OpenLicence     bool            `json:"open_licence"`
	LicenceStatus   string          `json:"licence_status,omitempty"` // open, not_open, unknown (no register decides), missing
	Visibility      string          `json:"visibility,omitempty"`     // public, private, draft or deleted
	Counts          Severities      `json:"findings_count"`
	Findings        []Finding       `json:"findings"`
}

// Finding is one finding in the report language.
type Finding struct {
	Rule       string          `json:"rule"`
	Dimension  vigie.Dimension `json:"dimension"`
	Severity   vigie.Severity  `json:"severity"`
	ResourceID string          `json:"resource_id"`
	Points     float64         `json:"points"`
	Message    string          `json:"message"`
	Hint       string          `json:"hint"`
}

// FindingRow is a finding with the dataset (and resource) it concerns.
type FindingRow struct {
	DatasetID         string
	DatasetName       string
	DatasetTitle      string
	Organization      string
	DatasetVisibility string
	Finding
}

// RuleCount is how often a rule fired.
type RuleCount struct {
	Rule      string          `json:"rule"`
	Dimension vigie.Dimension `json:"dimension"`
	Severity  vigie.Severity  `json:"severity"`
	Datasets  int             `json:"datasets"`
	Findings  int             `json:"findings"`
	Points    float64         `json:"points"`
	Hint      string          `json:"hint"`
}

// Link is a link that does not work and the datasets that use it.
type Link struct {
	URL         string          `json:"url"`
	Class       vigie.LinkClass `json:"class"`
	Status      int             `json:"status"`
	Reason      string          `json:"reason"`       // in the report language
	ReasonCode  string          `json:"reason_code"`  // stable codes, ";"-separated; empty when none or from an older vigie
	LandingPage bool            `json:"landing_page"` // an HTML page where data was declared
	Redirects   int             `json:"redirects"`
	FinalURL    string          `json:"final_url,omitempty"` // where the redirects end
	Since       *time.Time      `json:"since"`               // first failure
	LastSuccess *time.Time      `json:"last_success"`
	CheckedAt   time.Time       `json:"checked_at"`
	Datasets    []LinkUse       `json:"datasets"`
}

// LinkUse is a dataset that uses a link.
type LinkUse struct {
	Name         string `json:"name"`
	Title        string `json:"title"`
	Organization string `json:"organization"`
	URL          string `json:"url"`
	Visibility   string `json:"visibility,omitempty"` // public, private, draft or deleted
}

// MarkTitle prefixes the title of a dataset that is not published with its
// visibility in brackets ("[privé] …"), so that no format shows a private
// title without saying so; a public title is returned as is.
func MarkTitle(lang, visibility, title string) string {
	if visibility == "" || visibility == vigie.VisPublic {
		return title
	}
	return "[" + T(lang, visibility) + "] " + title
}

// HistoryPoint is the indicators of one past score run.
type HistoryPoint struct {
	Run        Run         `json:"run"`
	Indicators []Indicator `json:"indicators"`
}

// NotPublished says, in the report's language, how many scored datasets are
// not published (private, draft, deleted) and whether this report lists
// them; ok is false when there are none and none are listed.
func (r *Report) NotPublished() (label, text string, ok bool) {
	v := r.Summary.Visibility
	priv, draft, del := v[vigie.VisPrivate], v[vigie.VisDraft], v[vigie.VisDeleted]
	if priv+draft+del == 0 && !r.IncludePrivate {
		return "", "", false
	}
	note := T(r.Lang, "private_excluded")
	if r.IncludePrivate {
		note = T(r.Lang, "private_included")
	}
	return T(r.Lang, "not_published"), fmt.Sprintf(T(r.Lang, "not_published_n"), priv, draft, del) + ". " + note, true
}

// Scope says what the report covers, in its language: every organization,
// or the titles of those it is narrowed to. It is portal text: escape it.
func (r *Report) Scope() string {
	if len(r.Orgs) == 0 {
		return T(r.Lang, "all_orgs")
	}
	titles := map[string]string{}
	for _, o := range r.Organizations {
		titles[o.Name] = o.Title
	}
	out := make([]string, len(r.Orgs))
	for i, name := range r.Orgs {
		out[i] = name
		if t := titles[name]; t != "" {
			out[i] = t + " (" + name + ")"
		}
	}
	return strings.Join(out, ", ")
}

// scoreRunText describes the score run in one line: id, profile, date, and
// the vigie and rules (profile hash, first 12 digits) that made it.
func (r *Report) scoreRunText(dateLayout string) string {
	s := fmt.Sprintf("%d — %s — %s", r.ScoreRun.ID, r.Profile, r.ScoreRun.StartedAt.UTC().Format(dateLayout))
	if v := r.ScoreRun.VigieVersion; v != "" {
		s += " — vigie " + v
	}
	if h := r.ScoreRun.ProfileHash; len(h) >= 12 {
		s += " — " + T(r.Lang, "rules_hash") + " " + h[:12]
	}
	return s
}

// heading is label k in the report's language, but for the indicators'
// heading, which names Québec's commitment only on the commitment's portal.
func (r *Report) heading(k string) string {
	if k == "commitment" && !r.commitmentPortal {
		k = "indicators"
	}
	return T(r.Lang, k)
}
