package store

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// ExportFilter narrows the Each*Export streams. Empty fields do not filter.
type ExportFilter struct {
	PortalIDs []int64
	// Since keeps the runs started at or after it (and the scores and
	// findings of those runs); portals, datasets and links are current state
	// and are not narrowed by it.
	Since time.Time
}

// portalClause returns " AND col IN (…)" for the filter's portals.
func (f ExportFilter) portalClause(col string) (string, []any) {
	if len(f.PortalIDs) == 0 {
		return "", nil
	}
	args := make([]any, len(f.PortalIDs))
	for i, id := range f.PortalIDs {
		args[i] = id
	}
	return " AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ") + ")", args
}

// sinceClause returns " AND col >= ?" for the filter's Since. Stored times
// are RFC 3339 in UTC; the bound has no zone suffix so that a fractional
// second at the boundary still compares after it.
func (f ExportFilter) sinceClause(col string) (string, []any) {
	if f.Since.IsZero() {
		return "", nil
	}
	return " AND " + col + " >= ?", []any{f.Since.UTC().Format("2006-01-02T15:04:05")}
}

// ExportRun is one harvest, link, score or audit run.
type ExportRun struct {
	Kind         string // harvest, link, score, audit
	ID           int64
	PortalID     int64
	PortalURL    string
	StartedAt    time.Time
	FinishedAt   *time.Time
	Status       string
	Error        string
	VigieVersion string
	AsOf         *time.Time // the "now" judged by (harvest, score)
	Datasets     *int64     // harvest: fetched; score: scored
	URLs         *int64     // link: URLs checked
	Broken       *int64     // link: broken URLs
	Profile      string     // score
	ScoreRunID   *int64     // audit: the score run it produced
	Gate         string     // audit
}

// ExportDataset is a dataset's current harvested state.
type ExportDataset struct {
	PortalID          int64
	PortalURL         string
	ID                string
	Name              string
	Title             string
	Organization      string
	OrganizationTitle string
	LicenseID         string
	IsOpen            *bool
	Private           bool
	CKANState         string
	State             string
	Type              string
	UpdateFrequency   string
	NumResources      int64
	MetadataCreated   *time.Time
	MetadataModified  *time.Time
	FirstSeenRun      *int64
	LastSeenRun       *int64
}

// ExportScore is one dataset's scores in one score run; a nil score is
// unknown (the dimension could not be judged), never 0.
type ExportScore struct {
	PortalID     int64
	PortalURL    string
	ScoreRunID   int64
	AsOf         time.Time
	DatasetID    string
	Overall      *float64
	Completeness *float64
	Freshness    *float64
	Openness     *float64
	Availability *float64
	MQAPoints    int64
	MQARating    string
	Stars        int64
}

// ExportFinding is one finding of a score run.
type ExportFinding struct {
	PortalID   int64
	PortalURL  string
	ScoreRunID int64
	DatasetID  string
	Seq        int64
	Rule       string
	Dimension  string
	Severity   string
	ResourceID string
	Points     float64
	MessageFR  string
	MessageEN  string
	HintFR     string
	HintEN     string
}

// ExportLink is a resource URL's latest check, one row per resource.
type ExportLink struct {
	PortalID      int64
	PortalURL     string
	DatasetID     string
	ResourceID    string
	URL           string
	Class         string
	Status        int64
	FinalURL      string
	Redirects     int64
	ContentType   string
	ContentLength *int64 // nil when the server did not say
	LastModified  *time.Time
	ElapsedMS     int64
	Reason        string
	Failures      int64
	FirstFailure  *time.Time
	LastSuccess   *time.Time
	CheckedAt     time.Time
	LinkRunID     *int64
}

func intPtr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	v := n.Int64
	return &v
}

// eachRow runs query and calls scan on each row, so that a caller streams
// a table without holding it in memory.
func (db *DB) eachRow(ctx context.Context, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := db.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	return ctx.Err()
}

// EachPortalExport streams the portals the filter keeps, by id.
func (db *DB) EachPortalExport(ctx context.Context, f ExportFilter, fn func(*Portal) error) error {
	where, args := f.portalClause("id")
	return db.eachRow(ctx, `SELECT id, url, title, ckan_version, locale, probed_at FROM portals WHERE 1=1`+where+` ORDER BY id`, args,
		func(rows *sql.Rows) error {
			var p Portal
			var probed sql.NullString
			if err := rows.Scan(&p.ID, &p.URL, &p.Title, &p.CKANVersion, &p.Locale, &probed); err != nil {
				return db.explain(err)
			}
			p.ProbedAt = parseTS(probed)
			return fn(&p)
		})
}

// EachRunExport streams the harvest, link, score and audit runs, by portal,
// kind and id.
func (db *DB) EachRunExport(ctx context.Context, f ExportFilter, fn func(*ExportRun) error) error {
	where, args := f.portalClause("r.portal_id")
	since, sargs := f.sinceClause("r.started_at")
	where += since
	args = append(args, sargs...)
	var all []any
	for range 4 {
		all = append(all, args...)
	}
	q := `SELECT * FROM (
		SELECT 'harvest' AS kind, r.id, r.portal_id, p.url, r.started_at, r.finished_at, r.status, r.error, r.vigie_version,
			r.as_of, r.fetched AS datasets, CAST(NULL AS BIGINT) AS urls, CAST(NULL AS BIGINT) AS broken, '' AS profile,
			CAST(NULL AS BIGINT) AS score_run_id, '' AS gate
			FROM harvest_runs r JOIN portals p ON p.id = r.portal_id WHERE 1=1` + where + `
		UNION ALL
		SELECT 'link', r.id, r.portal_id, p.url, r.started_at, r.finished_at, r.status, r.error, r.vigie_version,
			NULL, NULL, r.urls, r.broken, '', NULL, ''
			FROM link_runs r JOIN portals p ON p.id = r.portal_id WHERE 1=1` + where + `
		UNION ALL
		SELECT 'score', r.id, r.portal_id, p.url, r.started_at, r.finished_at, r.status, r.error, r.vigie_version,
			COALESCE(r.as_of, r.started_at), r.datasets, NULL, NULL, r.profile, NULL, ''
			FROM score_runs r JOIN portals p ON p.id = r.portal_id WHERE 1=1` + where + `
		UNION ALL
		SELECT 'audit', r.id, r.portal_id, p.url, r.started_at, r.finished_at, r.status, r.error, '',
			NULL, NULL, NULL, NULL, '', r.score_run_id, r.gate
			FROM audit_runs r JOIN portals p ON p.id = r.portal_id WHERE 1=1` + where + `
	) u ORDER BY portal_id, kind, id`
	return db.eachRow(ctx, q, all, func(rows *sql.Rows) error {
		var r ExportRun
		var started, finished, asOf sql.NullString
		var datasets, urls, broken, scoreRun sql.NullInt64
		if err := rows.Scan(&r.Kind, &r.ID, &r.PortalID, &r.PortalURL, &started, &finished, &r.Status, &r.Error, &r.VigieVersion,
			&asOf, &datasets, &urls, &broken, &r.Profile, &scoreRun, &r.Gate); err != nil {
			return db.explain(err)
		}
		r.StartedAt, r.FinishedAt, r.AsOf = parseTS(started), parseTSPtr(finished), parseTSPtr(asOf)
		r.Datasets, r.URLs, r.Broken, r.ScoreRunID = intPtr(datasets), intPtr(urls), intPtr(broken), intPtr(scoreRun)
		return fn(&r)
	})
}

// EachDatasetExport streams every dataset (active, missing and deleted) of
// the filter's portals, by portal and id.
func (db *DB) EachDatasetExport(ctx context.Context, f ExportFilter, fn func(*ExportDataset) error) error {
	where, args := f.portalClause("d.portal_id")
	return db.eachRow(ctx, `SELECT d.portal_id, p.url, d.id, d.name, d.title, d.organization, d.organization_title, d.license_id,
		d.isopen, d.private, d.ckan_state, d.state, d.type, d.update_frequency, d.num_resources, d.metadata_created,
		d.metadata_modified, d.first_seen_run, d.last_seen_run
		FROM datasets d JOIN portals p ON p.id = d.portal_id WHERE 1=1`+where+` ORDER BY d.portal_id, d.id`, args,
		func(rows *sql.Rows) error {
			var d ExportDataset
			var isOpen, first, last sql.NullInt64
			var created, modified sql.NullString
			if err := rows.Scan(&d.PortalID, &d.PortalURL, &d.ID, &d.Name, &d.Title, &d.Organization, &d.OrganizationTitle,
				&d.LicenseID, &isOpen, &d.Private, &d.CKANState, &d.State, &d.Type, &d.UpdateFrequency, &d.NumResources,
				&created, &modified, &first, &last); err != nil {
				return db.explain(err)
			}
			if isOpen.Valid {
				b := isOpen.Int64 != 0
				d.IsOpen = &b
			}
			d.MetadataCreated, d.MetadataModified = parseTSPtr(created), parseTSPtr(modified)
			d.FirstSeenRun, d.LastSeenRun = intPtr(first), intPtr(last)
			return fn(&d)
		})
}

// EachScoreExport streams the scores of the filter's score runs, by run and
// dataset.
func (db *DB) EachScoreExport(ctx context.Context, f ExportFilter, fn func(*ExportScore) error) error {
	where, args := f.portalClause("r.portal_id")
	since, sargs := f.sinceClause("r.started_at")
	return db.eachRow(ctx, `SELECT r.portal_id, p.url, s.score_run_id, COALESCE(r.as_of, r.started_at), s.dataset_id,
		s.overall, s.completeness, s.freshness, s.openness, s.availability, s.mqa_points, s.mqa_rating, s.stars
		FROM score_runs r JOIN portals p ON p.id = r.portal_id JOIN scores s ON s.score_run_id = r.id
		WHERE 1=1`+where+since+` ORDER BY s.score_run_id, s.dataset_id`, append(args, sargs...),
		func(rows *sql.Rows) error {
			var s ExportScore
			var asOf sql.NullString
			var o, c, fr, op, av sql.NullFloat64
			if err := rows.Scan(&s.PortalID, &s.PortalURL, &s.ScoreRunID, &asOf, &s.DatasetID, &o, &c, &fr, &op, &av,
				&s.MQAPoints, &s.MQARating, &s.Stars); err != nil {
				return db.explain(err)
			}
			s.AsOf = parseTS(asOf)
			s.Overall, s.Completeness, s.Freshness, s.Openness, s.Availability = scorePtr(o), scorePtr(c), scorePtr(fr), scorePtr(op), scorePtr(av)
			return fn(&s)
		})
}

// EachFindingExport streams the findings of the filter's score runs, by
// run, dataset and order.
func (db *DB) EachFindingExport(ctx context.Context, f ExportFilter, fn func(*ExportFinding) error) error {
	where, args := f.portalClause("r.portal_id")
	since, sargs := f.sinceClause("r.started_at")
	texts, err := newTextResolver(ctx, db.sql, "")
	if err != nil {
		return db.explain(err)
	}
	defer texts.close()
	var buf []storedFinding
	return db.eachRow(ctx, `SELECT r.portal_id, p.url, f.score_run_id, f.dataset_id, f.findings
		FROM score_runs r JOIN portals p ON p.id = r.portal_id JOIN dataset_findings f ON f.score_run_id = r.id
		WHERE 1=1`+where+since+` ORDER BY f.score_run_id, f.dataset_id`, append(args, sargs...),
		func(rows *sql.Rows) error {
			var x ExportFinding
			var raw string
			if err := rows.Scan(&x.PortalID, &x.PortalURL, &x.ScoreRunID, &x.DatasetID, &raw); err != nil {
				return db.explain(err)
			}
			var err error
			if buf, err = parseFindingsJSON(raw, buf[:0]); err != nil {
				return damagedFindings(x.ScoreRunID, x.DatasetID)
			}
			for i, f := range buf {
				y := x
				y.Seq, y.Rule, y.Dimension, y.Severity, y.ResourceID, y.Points = int64(i), f.Rule, string(f.Dimension), string(f.Severity), f.ResourceID, f.Points
				m, err := texts.text(f.MessageID)
				if err != nil {
					return db.explain(err)
				}
				h, err := texts.text(f.HintID)
				if err != nil {
					return db.explain(err)
				}
				y.MessageFR, y.MessageEN, y.HintFR, y.HintEN = m.FR, m.EN, h.FR, h.EN
				if err := fn(&y); err != nil {
					return err
				}
			}
			return nil
		})
}

// EachLinkExport streams, for each resource of the filter's portals whose
// URL was checked, the URL's latest state, by portal, dataset and position.
func (db *DB) EachLinkExport(ctx context.Context, f ExportFilter, fn func(*ExportLink) error) error {
	where, args := f.portalClause("r.portal_id")
	return db.eachRow(ctx, `SELECT r.portal_id, p.url, r.dataset_id, r.id, l.url, l.class, l.status, l.final_url, l.redirects,
		l.content_type, l.content_length, l.last_modified, l.elapsed_ms, l.reason, l.failures, l.first_failure,
		l.last_success, l.checked_at, l.run_id
		FROM resources r JOIN portals p ON p.id = r.portal_id JOIN links l ON l.url = r.url
		WHERE 1=1`+where+` ORDER BY r.portal_id, r.dataset_id, r.position`, args,
		func(rows *sql.Rows) error {
			var x ExportLink
			var length, run sql.NullInt64
			var lastMod, firstFail, lastOK, checked sql.NullString
			if err := rows.Scan(&x.PortalID, &x.PortalURL, &x.DatasetID, &x.ResourceID, &x.URL, &x.Class, &x.Status, &x.FinalURL,
				&x.Redirects, &x.ContentType, &length, &lastMod, &x.ElapsedMS, &x.Reason, &x.Failures, &firstFail,
				&lastOK, &checked, &run); err != nil {
				return db.explain(err)
			}
			if length.Valid && length.Int64 >= 0 {
				x.ContentLength = &length.Int64
			}
			x.LastModified, x.FirstFailure, x.LastSuccess = parseTSPtr(lastMod), parseTSPtr(firstFail), parseTSPtr(lastOK)
			x.CheckedAt, x.LinkRunID = parseTS(checked), intPtr(run)
			return fn(&x)
		})
}
