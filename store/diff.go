package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/vigie-audit/vigie"
)

// The comparison of two score runs (pipeline.Diff) reads the store through
// the methods below, each one query streamed to a callback; its rules (what
// is new, worse, replaced...) are the pipeline's.

// DiffDatasetRow is a dataset of the portal as a comparison reads it.
type DiffDatasetRow struct {
	ID, Name, Title string
	Organization    string // the organization's name
	OrgTitle        string // the organization's title
	Active          bool   // vigie's state is active (not missing or deleted)
	Private         bool
	CKANState       string
}

// DiffDatasets reads every dataset of the portal, titled in lang ("en": its
// English title when the portal gave one).
func (db *DB) DiffDatasets(ctx context.Context, portalID int64, lang string, fn func(*DiffDatasetRow) error) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, name, CASE WHEN ? = 'en' AND title_en <> '' THEN title_en ELSE title END,
		organization, organization_title, state, private, ckan_state FROM datasets WHERE portal_id = ?`, lang, portalID)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var x DiffDatasetRow
		var state string
		if err := rows.Scan(&x.ID, &x.Name, &x.Title, &x.Organization, &x.OrgTitle, &state, &x.Private, &x.CKANState); err != nil {
			return db.explain(err)
		}
		x.Active = state == vigie.StateActive
		if err := fn(&x); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	return nil
}

// DatasetEvents reads what the portal's harvest runs numbered after
// afterRun, up to uptoRun, did to datasets (new, missing, deleted,
// restored), oldest run first.
func (db *DB) DatasetEvents(ctx context.Context, portalID, afterRun, uptoRun int64, fn func(datasetID, kind string) error) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT e.dataset_id, e.kind FROM dataset_events e JOIN harvest_runs h ON h.id = e.run_id
		WHERE e.portal_id = ? AND h.portal_id = ? AND e.run_id > ? AND e.run_id <= ? AND e.kind IN ('new', 'missing', 'deleted', 'restored')
		ORDER BY e.run_id`, portalID, portalID, afterRun, uptoRun)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, kind string
		if err := rows.Scan(&id, &kind); err != nil {
			return db.explain(err)
		}
		if err := fn(id, kind); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	return nil
}

// ScoreRow is one dataset's stored score in a run, as a comparison reads it.
type ScoreRow struct {
	Overall  *float64 // nil when unknown
	Fresh    vigie.Freshness
	Errors   int
	Warnings int
}

// RunScores reads every dataset's score in a score run.
func (db *DB) RunScores(ctx context.Context, runID int64, fn func(datasetID string, s ScoreRow) error) error {
	rows, err := db.sql.QueryContext(ctx, `SELECT dataset_id, overall, freshness_status, errors, warnings FROM scores WHERE score_run_id = ?`, runID)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var s ScoreRow
		var overall sql.NullFloat64
		if err := rows.Scan(&id, &overall, &s.Fresh, &s.Errors, &s.Warnings); err != nil {
			return db.explain(err)
		}
		if overall.Valid {
			v := overall.Float64
			s.Overall = &v
		}
		if err := fn(id, s); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	return nil
}

// FindingRow is a stored finding as a comparison reads it.
type FindingRow struct {
	Rule       string
	Dimension  vigie.Dimension
	Severity   vigie.Severity
	ResourceID string
	Message    vigie.Text
}

// FindingsOnlyIn reads the findings of score run in that run notIn does not
// have (same rule and resource), for the datasets scored in both that want
// accepts, in dataset id order.
func (db *DB) FindingsOnlyIn(ctx context.Context, in, notIn int64, want func(datasetID string) bool, fn func(datasetID string, f *FindingRow) error) error {
	// Both runs' findings in dataset id order, merged here: a dataset of run
	// in that run notIn scored too (with or without findings) is compared by
	// rule and resource.
	rows, err := db.sql.QueryContext(ctx, `SELECT dataset_id, findings FROM dataset_findings WHERE score_run_id = ? ORDER BY dataset_id`, in)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	other, err := db.sql.QueryContext(ctx, `SELECT s.dataset_id, COALESCE(f.findings, '[]') FROM scores s
		LEFT JOIN dataset_findings f ON f.score_run_id = s.score_run_id AND f.dataset_id = s.dataset_id
		WHERE s.score_run_id = ? ORDER BY s.dataset_id`, notIn)
	if err != nil {
		return db.explain(err)
	}
	defer other.Close()
	texts, err := newTextResolver(ctx, db.sql, "")
	if err != nil {
		return db.explain(err)
	}
	defer texts.close()
	var otherID, otherRaw string
	haveOther := true
	var id, raw string
	var mine, theirs []storedFinding
	for rows.Next() {
		if err := rows.Scan(&id, &raw); err != nil {
			return db.explain(err)
		}
		for haveOther && otherID < id {
			if haveOther = other.Next(); haveOther {
				if err := other.Scan(&otherID, &otherRaw); err != nil {
					return db.explain(err)
				}
			}
		}
		if !haveOther {
			break
		}
		if otherID != id || !want(id) {
			continue
		}
		if mine, err = parseFindingsJSON(raw, mine[:0]); err != nil {
			return damagedFindings(in, id)
		}
		if theirs, err = parseFindingsJSON(otherRaw, theirs[:0]); err != nil {
			return damagedFindings(notIn, id)
		}
		if err := db.sendFindingsOnlyIn(texts, id, mine, theirs, fn); err != nil {
			return err
		}
	}
	if err := errors.Join(rows.Err(), other.Err()); err != nil {
		return db.explain(err)
	}
	return nil
}

// FindingChanges reads, for the datasets scored in both score runs that
// want accepts, in dataset id order, the findings of toRun that fromRun does
// not have (same rule and resource) to added, and those of fromRun that
// toRun does not have to gone: FindingsOnlyIn both ways, in one pass over
// the two runs. A dataset whose stored findings are the same bytes in both
// runs (most of them, night after night) has neither, and is not decoded.
func (db *DB) FindingChanges(ctx context.Context, fromRun, toRun int64, want func(datasetID string) bool, added, gone func(datasetID string, f *FindingRow) error) error {
	q := `SELECT s.dataset_id, COALESCE(f.findings, '[]') FROM scores s
		LEFT JOIN dataset_findings f ON f.score_run_id = s.score_run_id AND f.dataset_id = s.dataset_id
		WHERE s.score_run_id = ? ORDER BY s.dataset_id`
	before, err := db.sql.QueryContext(ctx, q, fromRun)
	if err != nil {
		return db.explain(err)
	}
	defer before.Close()
	after, err := db.sql.QueryContext(ctx, q, toRun)
	if err != nil {
		return db.explain(err)
	}
	defer after.Close()
	texts, err := newTextResolver(ctx, db.sql, "")
	if err != nil {
		return db.explain(err)
	}
	defer texts.close()
	var fromID, fromRaw, toID, toRaw string
	haveFrom := true
	var was, now []storedFinding
	for after.Next() {
		if err := after.Scan(&toID, &toRaw); err != nil {
			return db.explain(err)
		}
		for haveFrom && fromID < toID {
			if haveFrom = before.Next(); haveFrom {
				if err := before.Scan(&fromID, &fromRaw); err != nil {
					return db.explain(err)
				}
			}
		}
		if !haveFrom {
			break
		}
		if fromID != toID || fromRaw == toRaw || !want(toID) {
			continue
		}
		if now, err = parseFindingsJSON(toRaw, now[:0]); err != nil {
			return damagedFindings(toRun, toID)
		}
		if was, err = parseFindingsJSON(fromRaw, was[:0]); err != nil {
			return damagedFindings(fromRun, toID)
		}
		if err := db.sendFindingsOnlyIn(texts, toID, now, was, added); err != nil {
			return err
		}
		if err := db.sendFindingsOnlyIn(texts, toID, was, now, gone); err != nil {
			return err
		}
	}
	if err := errors.Join(after.Err(), before.Err()); err != nil {
		return db.explain(err)
	}
	return nil
}

// sendFindingsOnlyIn sends fn, as rows with their messages, the findings of
// dataset id in a that b lacks (same rule and resource).
func (db *DB) sendFindingsOnlyIn(texts *textResolver, id string, a, b []storedFinding, fn func(string, *FindingRow) error) error {
next:
	for _, f := range a {
		for _, g := range b {
			if g.Rule == f.Rule && g.ResourceID == f.ResourceID {
				continue next
			}
		}
		c := FindingRow{Rule: f.Rule, Dimension: f.Dimension, Severity: f.Severity, ResourceID: f.ResourceID}
		var err error
		if c.Message, err = texts.text(f.MessageID); err != nil {
			return db.explain(err)
		}
		if err := fn(id, &c); err != nil {
			return err
		}
	}
	return nil
}

// LinkStateRow is one resource's URL with its class at two link runs.
type LinkStateRow struct {
	URL, DatasetID string
	Before, After  vigie.LinkClass // "" when not checked by then
	Status         int             // HTTP status at the later run
	Reason         string          // stored reason codes at the later run
}

// LinkStates reads every resource URL of the portal with its class as of
// link run fromRun and as of toRun: that of its latest check in a run of
// the portal numbered at most that run (one backward probe of the (url,
// run_id) index, so the cost does not grow with the link runs kept). Rows
// come in URL order from the covering URL index, one per resource.
func (db *DB) LinkStates(ctx context.Context, portalID, fromRun, toRun int64, fn func(*LinkStateRow) error) error {
	// A URL's check as of each link run; when both are the same run (a
	// run's own summary), it is looked up once.
	latest := func(col string) string {
		return `(SELECT c.` + col + ` FROM link_checks c JOIN link_runs l ON l.id = c.run_id
			WHERE c.url = r.url AND c.run_id <= ? AND l.portal_id = r.portal_id ORDER BY c.run_id DESC LIMIT 1)`
	}
	asOf := func(alias string) string {
		return ` LEFT JOIN link_checks ` + alias + ` ON ` + alias + `.url = r.url AND ` + alias + `.run_id = ` + latest("run_id")
	}
	// The earlier side needs only the class: the probe that finds the check
	// reads it, instead of finding its run and then looking it up by key.
	q := `SELECT r.url, r.dataset_id, ` + latest("class") + `, a.class, a.status, a.reason FROM resources r` + asOf("a")
	args := []any{fromRun, toRun, portalID}
	if fromRun == toRun {
		q = `SELECT r.url, r.dataset_id, a.class, a.class, a.status, a.reason FROM resources r` + asOf("a")
		args = []any{toRun, portalID}
	}
	// +r.portal_id: not a key to search by, so that the planner walks the
	// covering URL index in order instead of the primary key's portal range
	// (dataset order) followed by a sort of every row; probes in URL order
	// also meet the link_checks pages just read.
	rows, err := db.sql.QueryContext(ctx, q+`
		WHERE +r.portal_id = ? AND r.url > ''
		ORDER BY r.url`, args...)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	var r LinkStateRow
	for rows.Next() {
		var b, a, reason sql.NullString
		var st sql.NullInt64
		if err := rows.Scan(&r.URL, &r.DatasetID, &b, &a, &st, &reason); err != nil {
			return db.explain(err)
		}
		r.Before, r.After, r.Status, r.Reason = vigie.LinkClass(b.String), vigie.LinkClass(a.String), int(st.Int64), reason.String
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	return nil
}
