package export

import (
	"time"

	"github.com/vigie-audit/vigie/store"
)

// The row types are the tables' schemas: the parquet tag names each column
// (also the CSV header). Pointers are nullable columns: NULL means unknown,
// never 0. Times are UTC timestamps in milliseconds. docs/export.md
// describes every column.

// PortalRow is a row of portals.parquet.
type PortalRow struct {
	PortalID    int64      `parquet:"portal_id"`
	URL         string     `parquet:"url,dict"`
	Title       string     `parquet:"title"`
	CKANVersion string     `parquet:"ckan_version,dict"`
	Locale      string     `parquet:"locale,dict"`
	ProbedAt    *time.Time `parquet:"probed_at,optional,timestamp(millisecond)"`
}

func portalRow(p *store.Portal) PortalRow {
	return PortalRow{PortalID: p.ID, URL: p.URL, Title: p.Title, CKANVersion: p.CKANVersion, Locale: p.Locale, ProbedAt: tsp(p.ProbedAt)}
}

// RunRow is a row of runs.parquet: one harvest, link, score or audit run.
type RunRow struct {
	PortalID     int64      `parquet:"portal_id"`
	PortalURL    string     `parquet:"portal_url,dict"`
	Kind         string     `parquet:"kind,dict"`
	RunID        int64      `parquet:"run_id"`
	StartedAt    time.Time  `parquet:"started_at,timestamp(millisecond)"`
	FinishedAt   *time.Time `parquet:"finished_at,optional,timestamp(millisecond)"`
	Status       string     `parquet:"status,dict"`
	Error        string     `parquet:"error"`
	VigieVersion string     `parquet:"vigie_version,dict"`
	AsOf         *time.Time `parquet:"as_of,optional,timestamp(millisecond)"`
	Datasets     *int64     `parquet:"datasets,optional"`
	URLs         *int64     `parquet:"urls,optional"`
	Broken       *int64     `parquet:"broken,optional"`
	Profile      string     `parquet:"profile,dict"`
	ScoreRunID   *int64     `parquet:"score_run_id,optional"`
	Gate         string     `parquet:"gate,dict"`
}

func runRow(r *store.ExportRun) RunRow {
	return RunRow{PortalID: r.PortalID, PortalURL: r.PortalURL, Kind: r.Kind, RunID: r.ID, StartedAt: r.StartedAt.UTC(),
		FinishedAt: utc(r.FinishedAt), Status: r.Status, Error: r.Error, VigieVersion: r.VigieVersion, AsOf: utc(r.AsOf),
		Datasets: r.Datasets, URLs: r.URLs, Broken: r.Broken, Profile: r.Profile, ScoreRunID: r.ScoreRunID, Gate: r.Gate}
}

// DatasetRow is a row of datasets.parquet: a dataset's current state.
type DatasetRow struct {
	PortalID          int64      `parquet:"portal_id"`
	PortalURL         string     `parquet:"portal_url,dict"`
	DatasetID         string     `parquet:"dataset_id"`
	Name              string     `parquet:"name"`
	Title             string     `parquet:"title"`
	Organization      string     `parquet:"organization,dict"`
	OrganizationTitle string     `parquet:"organization_title,dict"`
	LicenseID         string     `parquet:"license_id,dict"`
	IsOpen            *bool      `parquet:"isopen,optional"`
	Private           bool       `parquet:"private"`
	CKANState         string     `parquet:"ckan_state,dict"`
	State             string     `parquet:"state,dict"`
	Type              string     `parquet:"type,dict"`
	UpdateFrequency   string     `parquet:"update_frequency,dict"`
	NumResources      int64      `parquet:"num_resources"`
	MetadataCreated   *time.Time `parquet:"metadata_created,optional,timestamp(millisecond)"`
	MetadataModified  *time.Time `parquet:"metadata_modified,optional,timestamp(millisecond)"`
	FirstSeenRun      *int64     `parquet:"first_seen_run,optional"`
	LastSeenRun       *int64     `parquet:"last_seen_run,optional"`
}

func datasetRow(d *store.ExportDataset) DatasetRow {
	return DatasetRow{PortalID: d.PortalID, PortalURL: d.PortalURL, DatasetID: d.ID, Name: d.Name, Title: d.Title,
		Organization: d.Organization, OrganizationTitle: d.OrganizationTitle, LicenseID: d.LicenseID, IsOpen: d.IsOpen,
		Private: d.Private, CKANState: d.CKANState, State: d.State, Type: d.Type, UpdateFrequency: d.UpdateFrequency,
		NumResources: d.NumResources, MetadataCreated: utc(d.MetadataCreated), MetadataModified: utc(d.MetadataModified),
		FirstSeenRun: d.FirstSeenRun, LastSeenRun: d.LastSeenRun}
}

// ScoreRow is a row of scores.parquet: one dimension of one dataset in one
// score run (long format: five rows per dataset and run).
type ScoreRow struct {
	PortalID   int64     `parquet:"portal_id"`
	PortalURL  string    `parquet:"portal_url,dict"`
	ScoreRunID int64     `parquet:"score_run_id"`
	AsOf       time.Time `parquet:"as_of,timestamp(millisecond)"`
	DatasetID  string    `parquet:"dataset_id"`
	Dimension  string    `parquet:"dimension,dict"`
	Score      *float64  `parquet:"score,optional"`
}

// scoreRows turns one dataset's scores into its five long rows.
func scoreRows(s *store.ExportScore) [5]ScoreRow {
	vals := [5]*float64{s.Overall, s.Completeness, s.Freshness, s.Openness, s.Availability}
	var out [5]ScoreRow
	for i, v := range vals {
		out[i] = ScoreRow{PortalID: s.PortalID, PortalURL: s.PortalURL, ScoreRunID: s.ScoreRunID, AsOf: s.AsOf.UTC(),
			DatasetID: s.DatasetID, Dimension: Dimensions[i], Score: v}
	}
	return out
}

// FindingRow is a row of findings.parquet.
type FindingRow struct {
	PortalID   int64   `parquet:"portal_id"`
	PortalURL  string  `parquet:"portal_url,dict"`
	ScoreRunID int64   `parquet:"score_run_id"`
	DatasetID  string  `parquet:"dataset_id"`
	Seq        int64   `parquet:"seq"`
	Rule       string  `parquet:"rule,dict"`
	Dimension  string  `parquet:"dimension,dict"`
	Severity   string  `parquet:"severity,dict"`
	ResourceID string  `parquet:"resource_id"`
	Points     float64 `parquet:"points"`
	MessageEN  string  `parquet:"message_en,dict"`
	MessageFR  string  `parquet:"message_fr,dict"`
	HintEN     string  `parquet:"hint_en,dict"`
	HintFR     string  `parquet:"hint_fr,dict"`
}

func findingRow(f *store.ExportFinding) FindingRow {
	return FindingRow{PortalID: f.PortalID, PortalURL: f.PortalURL, ScoreRunID: f.ScoreRunID, DatasetID: f.DatasetID, Seq: f.Seq,
		Rule: f.Rule, Dimension: f.Dimension, Severity: f.Severity, ResourceID: f.ResourceID, Points: f.Points,
		MessageEN: f.MessageEN, MessageFR: f.MessageFR, HintEN: f.HintEN, HintFR: f.HintFR}
}

// LinkRow is a row of links.parquet: a resource and its URL's latest check.
type LinkRow struct {
	PortalID      int64      `parquet:"portal_id"`
	PortalURL     string     `parquet:"portal_url,dict"`
	DatasetID     string     `parquet:"dataset_id"`
	ResourceID    string     `parquet:"resource_id"`
	URL           string     `parquet:"url"`
	Class         string     `parquet:"class,dict"`
	Status        int64      `parquet:"status"`
	FinalURL      string     `parquet:"final_url"`
	Redirects     int64      `parquet:"redirects"`
	ContentType   string     `parquet:"content_type,dict"`
	ContentLength *int64     `parquet:"content_length,optional"`
	LastModified  *time.Time `parquet:"last_modified,optional,timestamp(millisecond)"`
	ElapsedMS     int64      `parquet:"elapsed_ms"`
	Reason        string     `parquet:"reason,dict"`
	Failures      int64      `parquet:"failures"`
	FirstFailure  *time.Time `parquet:"first_failure,optional,timestamp(millisecond)"`
	LastSuccess   *time.Time `parquet:"last_success,optional,timestamp(millisecond)"`
	CheckedAt     time.Time  `parquet:"checked_at,timestamp(millisecond)"`
	LinkRunID     *int64     `parquet:"link_run_id,optional"`
}

func linkRow(l *store.ExportLink) LinkRow {
	return LinkRow{PortalID: l.PortalID, PortalURL: l.PortalURL, DatasetID: l.DatasetID, ResourceID: l.ResourceID, URL: l.URL,
		Class: l.Class, Status: l.Status, FinalURL: l.FinalURL, Redirects: l.Redirects, ContentType: l.ContentType,
		ContentLength: l.ContentLength, LastModified: utc(l.LastModified), ElapsedMS: l.ElapsedMS, Reason: l.Reason,
		Failures: l.Failures, FirstFailure: utc(l.FirstFailure), LastSuccess: utc(l.LastSuccess), CheckedAt: l.CheckedAt.UTC(),
		LinkRunID: l.LinkRunID}
}
