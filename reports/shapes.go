package reports

import (
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

// The JSON shapes of the listings (datasets, links, orgs, portals) and of
// explain, next to the report writers; each has its schema in docs/.

// DatasetRow is one element of `vigie datasets --format json`
// (docs/datasets.schema.json).
type DatasetRow struct {
	ID                string           `json:"id"`
	Name              string           `json:"name"`
	Title             string           `json:"title"`
	Organization      string           `json:"organization"`
	OrganizationTitle string           `json:"organization_title"`
	MetadataModified  *time.Time       `json:"metadata_modified"`
	NumResources      int              `json:"num_resources"`
	State             string           `json:"state"`
	Visibility        string           `json:"visibility"` // public (published), private, draft or deleted
	Private           bool             `json:"private"`    // CKAN's private flag
	CKANState         string           `json:"ckan_state"` // CKAN's state: active, draft, deleted ("" when not sent)
	LicenseID         string           `json:"license_id"`
	UpdateFrequency   string           `json:"update_frequency"`         // as declared, in whichever field
	Frequency         string           `json:"frequency,omitempty"`      // what vigie understood (annual, monthly…)
	LicenceStatus     *string          `json:"licence_status,omitempty"` // open, not_open, unknown, missing
	Scores            vigie.Scores     `json:"scores"`
	MQA               *vigie.MQA       `json:"mqa"`
	FreshnessStatus   *vigie.Freshness `json:"freshness_status"`
	Stars             *int             `json:"stars"`
}

// NewDatasetRow is d as the datasets listing shows it, with its
// assessment in the latest score run (nil when not scored there).
func NewDatasetRow(d *vigie.Dataset, state string, a *vigie.Assessment, lang string) DatasetRow {
	r := DatasetRow{ID: d.ID, Name: d.Name, Title: d.TitleIn(lang), Organization: d.Organization, OrganizationTitle: d.OrganizationTitle,
		NumResources: len(d.Resources), State: state, Visibility: d.Visibility(), Private: d.Private, CKANState: d.CKANState,
		LicenseID: d.LicenseID}
	df := quality.ReadFrequency(d, nil)
	r.UpdateFrequency, r.Frequency = df.Raw, df.Norm
	if !d.MetadataModified.IsZero() {
		t := d.MetadataModified
		r.MetadataModified = &t
	}
	if a != nil {
		r.Scores = a.Scores
		m := a.MQA
		r.MQA = &m
		fs := a.FreshnessStatus
		r.FreshnessStatus = &fs
		st := a.Stars
		r.Stars = &st
		if a.LicenceStatus != "" {
			ls := a.LicenceStatus
			r.LicenceStatus = &ls
		}
	}
	return r
}

// LinkJSON is one element of `vigie links --format json`
// (docs/links.schema.json).
type LinkJSON struct {
	URL           string          `json:"url"`
	Class         vigie.LinkClass `json:"class"`
	Status        *int            `json:"status"`      // null when no HTTP answer
	Reason        string          `json:"reason"`      // in the --lang language
	ReasonCode    string          `json:"reason_code"` // stable codes, ";"-separated; empty when none or stored by an older vigie
	Failures      int             `json:"failures"`
	CheckedAt     time.Time       `json:"checked_at"`
	Datasets      []string        `json:"datasets"`
	FinalURL      string          `json:"final_url,omitempty"`
	Redirects     int             `json:"redirects"`
	ContentType   string          `json:"content_type,omitempty"`
	ContentLength *int64          `json:"content_length"` // null when unknown
	LastModified  *time.Time      `json:"last_modified,omitempty"`
	ETag          string          `json:"etag,omitempty"`
	ElapsedMS     int64           `json:"elapsed_ms"`
	LandingPage   bool            `json:"landing_page"`
	Skipped       bool            `json:"skipped"` // not checked: host unreachable during the run
	FirstFailure  *time.Time      `json:"first_failure"`
	LastSuccess   *time.Time      `json:"last_success"`
}

// LinksJSON is the link rows as `vigie links --format json` prints them,
// reasons in lang.
func LinksJSON(lang string, rows []store.LinkRow) []LinkJSON {
	out := make([]LinkJSON, 0, len(rows))
	for _, r := range rows {
		j := LinkJSON{URL: r.URL, Class: r.Class, Reason: l10n.LinkReason(lang, r.Reason), ReasonCode: vigie.LinkReasonCode(r.Reason), Failures: r.Failures, CheckedAt: r.CheckedAt,
			Datasets: r.Datasets, FinalURL: r.FinalURL, Redirects: r.Redirects, ContentType: r.ContentType,
			LastModified: r.LastModified, ETag: r.ETag, ElapsedMS: r.ElapsedMS, LandingPage: r.LandingPage, Skipped: r.Skipped,
			FirstFailure: r.FirstFailure, LastSuccess: r.LastSuccess}
		if r.Status != 0 {
			s := r.Status
			j.Status = &s
		}
		if r.ContentLength >= 0 {
			n := r.ContentLength
			j.ContentLength = &n
		}
		if j.Datasets == nil {
			j.Datasets = []string{}
		}
		out = append(out, j)
	}
	return out
}

// Explanation is `vigie explain --format json` (docs/explain.schema.json).
type Explanation struct {
	ID                string               `json:"id"`
	Name              string               `json:"name"`
	Title             string               `json:"title"`
	Organization      string               `json:"organization"`
	Visibility        string               `json:"visibility"` // public, private, draft or deleted
	Private           bool                 `json:"private"`
	CKANState         string               `json:"ckan_state"`
	ScoreRun          int64                `json:"score_run"`
	Profile           string               `json:"profile"`
	Scores            vigie.Scores         `json:"scores"`
	MQA               vigie.MQA            `json:"mqa"`
	FreshnessStatus   vigie.Freshness      `json:"freshness_status"`
	FreshnessEvidence string               `json:"freshness_evidence,omitempty"`
	Frequency         string               `json:"frequency,omitempty"`
	Stars             int                  `json:"stars"`
	OpenLicence       bool                 `json:"open_licence"`
	LicenceStatus     string               `json:"licence_status,omitempty"`
	LicenceBy         string               `json:"licence_by,omitempty"`
	OpenFormat        bool                 `json:"open_format"`
	MachineReadable   bool                 `json:"machine_readable"`
	Findings          []ExplanationFinding `json:"findings"`
}

// ExplanationFinding is one finding of an Explanation, in one language.
type ExplanationFinding struct {
	Rule       string          `json:"rule"`
	Dimension  vigie.Dimension `json:"dimension"`
	Severity   vigie.Severity  `json:"severity"`
	ResourceID string          `json:"resource_id,omitempty"`
	Points     float64         `json:"points"`
	Message    string          `json:"message"`
	Hint       string          `json:"hint"`
}

// NewExplanation is dataset d's assessment as in score run run, in lang.
func NewExplanation(d *vigie.Dataset, run *store.ScoreRun, as *vigie.Assessment, lang string) Explanation {
	out := Explanation{ID: d.ID, Name: d.Name, Title: d.TitleIn(lang), Organization: d.Organization, ScoreRun: run.ID, Profile: run.Profile,
		Visibility: d.Visibility(), Private: d.Private, CKANState: d.CKANState,
		Scores: as.Scores, MQA: as.MQA, FreshnessStatus: as.FreshnessStatus, FreshnessEvidence: as.FreshnessEvidence,
		Frequency: as.Frequency, Stars: as.Stars, OpenLicence: as.OpenLicence, LicenceStatus: as.LicenceStatus, LicenceBy: as.LicenceBy, OpenFormat: as.OpenFormat,
		MachineReadable: as.MachineReadable, Findings: []ExplanationFinding{}}
	for _, f := range as.Findings {
		out.Findings = append(out.Findings, ExplanationFinding{Rule: f.Rule, Dimension: f.Dimension, Severity: f.Severity,
			ResourceID: f.ResourceID, Points: f.Points, Message: f.Message.In(lang), Hint: f.Hint.In(lang)})
	}
	return out
}

// OrgRow is one element of `vigie orgs --format json`
// (docs/orgs.schema.json).
type OrgRow struct {
	Portal      string       `json:"portal"`
	ScoreRun    int64        `json:"score_run"`
	Rank        int          `json:"rank"`
	Name        string       `json:"name"`
	Title       string       `json:"title"`
	Datasets    int          `json:"datasets"`
	Scores      vigie.Scores `json:"scores"`
	MQAPoints   *float64     `json:"mqa_points"`
	BrokenLinks *int         `json:"broken_links"` // null when none of the organization's URLs was checked
	Errors      int          `json:"errors"`
}

// NewOrgRow is organization o of score run run, on the portal named portal.
func NewOrgRow(portal string, run int64, o *Organization) OrgRow {
	return OrgRow{Portal: portal, ScoreRun: run, Rank: o.Rank, Name: o.Name, Title: o.Title, Datasets: o.Datasets,
		Scores: o.Scores, MQAPoints: o.MQAPoints, BrokenLinks: o.BrokenLinks, Errors: o.Findings.Error}
}

// PortalRow is one element of `vigie portals --format json`
// (docs/portals.schema.json).
type PortalRow struct {
	Name        string      `json:"name"`
	URL         string      `json:"url"`
	Title       string      `json:"title"`
	CKANVersion string      `json:"ckan_version"`
	Published   int         `json:"published"`
	Private     int         `json:"private"`
	Missing     int         `json:"missing"`
	LastHarvest *RunBrief   `json:"last_harvest"`
	LastScore   *RunBrief   `json:"last_score_run"`
	LastAudit   *AuditBrief `json:"last_audit"`
}

// RunBrief is a harvest or score run in PortalRow.
type RunBrief struct {
	ID         int64      `json:"id"`
	Status     string     `json:"status"`
	Mode       string     `json:"mode,omitempty"`
	Profile    string     `json:"profile,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	FinishedAt *time.Time `json:"finished_at"` // null while running
}

// AuditBrief is the last audit in PortalRow.
type AuditBrief struct {
	ID          int64     `json:"id"`
	StartedAt   time.Time `json:"started_at"`
	FinishedAt  time.Time `json:"finished_at"`
	Status      string    `json:"status"` // complete, failed, interrupted
	ScoreRunID  int64     `json:"score_run"`
	OutDir      string    `json:"out_dir"`
	Gate        string    `json:"gate"` // passed, failed, none; "" when the audit stopped before it
	GateReasons []string  `json:"gate_reasons"`
	Error       string    `json:"error,omitempty"`
}

// NewPortalRow is portal o, named name.
func NewPortalRow(name string, o *store.PortalOverview) PortalRow {
	r := PortalRow{Name: name, URL: o.URL, Title: o.Title, CKANVersion: o.CKANVersion,
		Published: o.Published, Private: o.Private, Missing: o.Missing}
	if h := o.LastHarvest; h != nil {
		r.LastHarvest = runBrief(h.ID, h.Status, h.Mode, "", h.StartedAt, h.FinishedAt)
	}
	if s := o.LastScore; s != nil {
		r.LastScore = runBrief(s.ID, s.Status, "", s.Profile, s.StartedAt, s.FinishedAt)
	}
	if a := o.LastAudit; a != nil {
		r.LastAudit = &AuditBrief{ID: a.ID, StartedAt: a.StartedAt, FinishedAt: a.FinishedAt, Status: a.Status,
			ScoreRunID: a.ScoreRunID, OutDir: a.OutDir, Gate: a.Gate, GateReasons: a.GateReasons, Error: a.Error}
	}
	return r
}

func runBrief(id int64, status, mode, profile string, started, finished time.Time) *RunBrief {
	b := &RunBrief{ID: id, Status: status, Mode: mode, Profile: profile, StartedAt: started.UTC()}
	if !finished.IsZero() {
		f := finished.UTC()
		b.FinishedAt = &f
	}
	return b
}

// The JSON shapes of the operational commands (prune, runs, the worker
// queue, export), each with its schema in docs/.

// PruneResult is `vigie prune --format json` (docs/prune.schema.json):
// what prune removed and how much space it gave back.
type PruneResult struct {
	Keep            int    `json:"keep"`
	Portal          string `json:"portal,omitempty"` // the one portal pruned; absent for all
	HarvestRuns     int64  `json:"harvest_runs"`
	LinkRuns        int64  `json:"link_runs"`
	ScoreRuns       int64  `json:"score_runs"`
	Scores          int64  `json:"scores"`
	Findings        int64  `json:"findings"`
	LinkChecks      int64  `json:"link_checks"`
	DatasetEvents   int64  `json:"dataset_events"`
	DatasetVersions int64  `json:"dataset_versions"`
	Links           int64  `json:"links"` // latest states of URLs no dataset uses any more
	SizeBefore      int64  `json:"size_before"`
	SizeAfter       int64  `json:"size_after"`
	InSteps         bool   `json:"in_steps"`            // the disk was too full for one transaction
	Reclaim         string `json:"reclaim"`             // incremental, vacuum, none or (PostgreSQL) server
	FreeInFile      int64  `json:"free_in_file"`        // bytes left free inside the file
	NeedFree        int64  `json:"need_free,omitempty"` // with reclaim none: the free disk a rewrite needs
}

// NewPruneResult is st as prune prints it.
func NewPruneResult(st store.PruneStats) PruneResult {
	return PruneResult{Keep: st.Keep, Portal: st.Portal, HarvestRuns: st.HarvestRuns, LinkRuns: st.LinkRuns, ScoreRuns: st.ScoreRuns,
		Scores: st.Scores, Findings: st.Findings, LinkChecks: st.LinkChecks, DatasetEvents: st.DatasetEvents,
		DatasetVersions: st.DatasetVersions, Links: st.Links, SizeBefore: st.SizeBefore, SizeAfter: st.SizeAfter,
		InSteps: st.InSteps, Reclaim: st.Reclaim, FreeInFile: st.FreeInFile, NeedFree: st.NeedFree}
}

// HarvestRunRow is one element of `vigie runs --format json`
// (docs/runs.schema.json).
type HarvestRunRow struct {
	ID              int64      `json:"id"`
	StartedAt       time.Time  `json:"started_at"`
	FinishedAt      *time.Time `json:"finished_at"` // null while running
	Mode            string     `json:"mode"`
	Status          string     `json:"status"`
	ListingComplete bool       `json:"listing_complete"`
	Orgs            []string   `json:"orgs"`
	IncludePrivate  bool       `json:"include_private"`
	Expected        int        `json:"expected"`
	Fetched         int        `json:"fetched"`
	New             int        `json:"new"`
	Changed         int        `json:"changed"`
	Unchanged       int        `json:"unchanged"`
	Missing         int        `json:"missing"`
	Deleted         int        `json:"deleted"`
	Organizations   int        `json:"organizations"`
	Requests        int        `json:"requests"`
	Error           string     `json:"error"`
	VigieVersion    string     `json:"vigie_version"` // "" for runs made before it was recorded
	AsOf            time.Time  `json:"as_of"`         // the "now" of the run (started_at for runs older than this field)
	Clock           string     `json:"clock"`         // system, or fixed by --now / VIGIE_NOW
}

// HarvestRunRows are runs as `vigie runs --format json` prints them ([]
// when none).
func HarvestRunRows(runs []store.HarvestRun) []HarvestRunRow {
	out := make([]HarvestRunRow, 0, len(runs))
	for _, r := range runs {
		orgs := r.Orgs
		if orgs == nil {
			orgs = []string{}
		}
		var finished *time.Time
		if !r.FinishedAt.IsZero() {
			finished = &r.FinishedAt
		}
		out = append(out, HarvestRunRow{ID: r.ID, StartedAt: r.StartedAt, FinishedAt: finished, Mode: r.Mode, Status: r.Status,
			ListingComplete: r.ListingComplete, Orgs: orgs, IncludePrivate: r.IncludePrivate, Expected: r.Expected, Fetched: r.Fetched,
			New: r.New, Changed: r.Changed, Unchanged: r.Unchanged, Missing: r.Missing, Deleted: r.Deleted,
			Organizations: r.Organizations, Requests: r.Requests, Error: r.Error, VigieVersion: r.VigieVersion,
			AsOf: r.AsOf, Clock: r.Clock})
	}
	return out
}

// QueueRow is one element of `vigie worker --list --format json`
// (docs/queue.schema.json).
type QueueRow struct {
	URL          string    `json:"url"`
	Name         string    `json:"name"`
	Source       string    `json:"source"` // config or queue
	Added        time.Time `json:"added"`
	NextDue      time.Time `json:"next_due"`
	LeaseOwner   string    `json:"lease_owner,omitempty"`  // the worker auditing it now
	LeaseUntil   time.Time `json:"lease_until,omitzero"`   // with lease_owner
	LastStatus   string    `json:"last_status,omitempty"`  // how its last claim ended
	LastFinished time.Time `json:"last_finished,omitzero"` // with last_status
	LastError    string    `json:"last_error,omitempty"`
}

// QueueRows are the queue's portals as `vigie worker --list --format json`
// prints them ([] when none).
func QueueRows(q []store.QueuedPortal) []QueueRow {
	out := make([]QueueRow, 0, len(q))
	for _, p := range q {
		out = append(out, QueueRow{URL: p.URL, Name: p.Name, Source: p.Source, Added: p.Added, NextDue: p.NextDue,
			LeaseOwner: p.LeaseOwner, LeaseUntil: p.LeaseUntil, LastStatus: p.LastStatus, LastFinished: p.LastFinished,
			LastError: p.LastError})
	}
	return out
}

// ExportFile is one element of `vigie export --json`
// (docs/export.schema.json): a table written. The export package cannot be
// imported here (its CSV writer uses Neutralise): cmd/vigie copies its
// export.File rows into this shape.
type ExportFile struct {
	Table string `json:"table"`
	Path  string `json:"path"`
	Rows  int64  `json:"rows"`
}
