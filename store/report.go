package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/vigie-audit/vigie"
)

// ReportScope selects what a report reads: one score run of the scope's
// portal, narrowed to the scope's organizations (by name) when it names
// some.
type ReportScope struct {
	vigie.Scope
	ScoreRunID int64
	// Lang, when "fr" or "en", reads finding messages and hints in that
	// language only (French when the English text is empty) and puts the
	// same text in both fields of vigie.Text: half the text to read.
	Lang string
	// IncludePrivate lists private, draft and deleted datasets too (in
	// datasets, findings, top findings and links, each marked by its
	// visibility). Indicators, summaries and the organization table always
	// count published datasets only.
	IncludePrivate bool

	portalID int64 // the scope's portal, filled by resolve
}

// resolve fills the id of the scope's portal; the error is Portal's when
// the database does not hold it.
func (db *DB) resolve(ctx context.Context, s ReportScope) (ReportScope, error) {
	id, err := db.scopePortal(ctx, s.Scope)
	s.portalID = id
	return s, err
}

// publishedCond keeps the published datasets of alias d: not private, and
// active (or without a state) on the portal. It is vigie.Visibility's
// VisPublic in SQL.
const publishedCond = ` AND d.private = 0 AND lower(trim(d.ckan_state)) IN ('', 'active')`

// rowCond is the filter of the listed rows: published datasets unless the
// scope includes private ones.
func (s ReportScope) rowCond() string {
	if s.IncludePrivate {
		return ""
	}
	return publishedCond
}

// unpublishedQuery is answered from the partial index datasets_unpublished
// (migration 0201), whose condition is this one, not from the datasets rows.
const unpublishedQuery = `SELECT EXISTS (SELECT 1 FROM datasets d WHERE d.portal_id = ? AND NOT (1 = 1` + publishedCond + `))`

// anyUnpublished reports whether the portal holds a dataset that is not
// published, so that reports of catalogues without any keep their faster
// queries that do not read the datasets table.
func (db *DB) anyUnpublished(ctx context.Context, conn querier, portalID int64) (bool, error) {
	var has bool
	err := conn.QueryRowContext(ctx, unpublishedQuery, portalID).Scan(&has)
	if err != nil {
		return false, db.explain(err)
	}
	return has, nil
}

// orgFilter returns " AND <col> IN (?, …)" and its arguments, or nothing when
// the scope covers every organization.
func (s ReportScope) orgFilter(col string) (string, []any) {
	if len(s.Orgs) == 0 {
		return "", nil
	}
	args := make([]any, len(s.Orgs))
	for i, o := range s.Orgs {
		args[i] = o
	}
	return " AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(s.Orgs)), ", ") + ")", args
}

// querier is what a report query runs on: a pooled connection, or the one
// connection of a read snapshot.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// reportCloser is a querier to close after use.
type reportCloser interface {
	querier
	Close() error
}

// snapConn is the snapshot's connection handed to a report query: closing
// it leaves the snapshot open.
type snapConn struct{ *sql.Conn }

func (snapConn) Close() error { return nil }

// rd is where reads go: the snapshot when there is one, else the pool.
func (db *DB) rd() querier {
	if db.snap != nil {
		return db.snap
	}
	if db.pgSnap != nil {
		return db.pgSnap
	}
	return db.sql
}

// reportConn returns a connection tuned for the long read-only scans of
// reports: a 32 MiB page cache (the default is 2 MiB), so a large catalogue
// is not read again page by page. Close it after. Within a read snapshot it
// is the snapshot's connection.
func (db *DB) reportConn(ctx context.Context) (reportCloser, error) {
	if db.snap != nil {
		return snapConn{db.snap}, nil
	}
	if db.pgSnap != nil {
		return db.pgSnap, nil
	}
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, db.explain(err)
	}
	if err := db.pragma(ctx, c, "PRAGMA cache_size = -32768"); err != nil {
		c.Close()
		return nil, db.explain(err)
	}
	if db.dialect == postgres {
		return c, nil
	}
	return reportSQLiteConn{c}, nil
}

// reportSQLiteConn gives its connection back to the pool with the default
// page cache and its pages freed: a report's formats and the audit's
// comparison read at the same time, each on its own connections, and an
// idle connection kept 32 MiB of pages nobody would read again.
type reportSQLiteConn struct{ *sql.Conn }

func (c reportSQLiteConn) Close() error {
	ctx := context.Background()
	c.Conn.ExecContext(ctx, "PRAGMA cache_size = -2000")
	c.Conn.ExecContext(ctx, "PRAGMA shrink_memory")
	return c.Conn.Close()
}

// ReadSnapshot returns a view of db whose reads all run in one read
// transaction on one connection, so they see one state of the file whatever
// a writer commits meanwhile (WAL keeps that state for the reader). A report
// reads through it: metadata, scores and links of the same moment. End it
// with EndSnapshot; it never closes db. On PostgreSQL the reads share one
// exported REPEATABLE READ snapshot over a few connections (pgSnapshot).
func (db *DB) ReadSnapshot(ctx context.Context) (*DB, error) {
	if db.dialect == postgres {
		return db.pgReadSnapshot(ctx)
	}
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, db.explain(err)
	}
	for _, q := range []string{"PRAGMA cache_size = -32768", "BEGIN"} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			c.Close()
			return nil, db.explain(err)
		}
	}
	// The read transaction starts with the first read, which says which
	// deferred indexes the snapshot lacks (a first harvest under way).
	missing, err := db.missingIndexes(ctx, c)
	if err != nil {
		c.ExecContext(context.Background(), "ROLLBACK")
		c.Close()
		return nil, db.explain(err)
	}
	s := &DB{sql: db.sql, path: db.path, dsn: db.dsn, dialect: db.dialect, Now: db.Now, asOf: db.asOf, snap: c, readOnly: db.readOnly}
	s.missingIdx.Store(missing)
	return s, nil
}

// EndSnapshot ends a ReadSnapshot's transaction and gives its connection back.
func (db *DB) EndSnapshot() {
	if db.pgSnap != nil {
		db.pgSnap.end()
		db.pgSnap = nil
		return
	}
	if db.snap == nil {
		return
	}
	db.snap.ExecContext(context.Background(), "ROLLBACK")
	db.snap.Close()
	db.snap = nil
}

// ReportHarvestRun is what a report says about the harvest it was built on.
type ReportHarvestRun struct {
	ID           int64
	Mode         string
	Status       string
	StartedAt    time.Time
	FinishedAt   time.Time
	Fetched      int
	VigieVersion string
}

// NewestHarvestRunAfter returns the portal's newest harvest run with an id
// above afterID, whatever its status (one still running included), or nil.
func (db *DB) NewestHarvestRunAfter(ctx context.Context, portalID, afterID int64) (*ReportHarvestRun, error) {
	var id int64
	err := db.rd().QueryRowContext(ctx, `SELECT id FROM harvest_runs WHERE portal_id = ? AND id > ? ORDER BY id DESC LIMIT 1`, portalID, afterID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, db.explain(err)
	}
	return db.ReportHarvestRunByID(ctx, id)
}

// ReportHarvestRunByID returns one harvest run. The error wraps ErrNotFound
// when it does not exist.
func (db *DB) ReportHarvestRunByID(ctx context.Context, id int64) (*ReportHarvestRun, error) {
	var r ReportHarvestRun
	var started, finished sql.NullString
	err := db.rd().QueryRowContext(ctx, `SELECT id, mode, status, started_at, finished_at, fetched, vigie_version FROM harvest_runs WHERE id = ?`, id).
		Scan(&r.ID, &r.Mode, &r.Status, &started, &finished, &r.Fetched, &r.VigieVersion)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("harvest run %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, db.explain(err)
	}
	r.StartedAt, r.FinishedAt = parseTS(started), parseTS(finished)
	return &r, nil
}

// CompleteScoreRuns lists the portal's complete score runs, oldest first.
func (db *DB) CompleteScoreRuns(ctx context.Context, portalID int64) ([]ScoreRun, error) {
	return db.completeScoreRuns(ctx, portalID)
}

// CompareScoreRun finds the complete score run a report compares current
// with. ref reads like diff's --from: a score run id, a date YYYY-MM-DD (the
// last run finished on or before that day), "previous" or "latest"; ""
// means the complete run before current with the same profile, and nil
// without error when there is none. A ref that matches nothing gives an
// error that says which runs exist.
func (db *DB) CompareScoreRun(ctx context.Context, portalID int64, current *ScoreRun, ref string) (*ScoreRun, error) {
	rr, err := ParseRunRef(ref)
	if err != nil {
		return nil, vigie.NewError(vigie.KindOf(err), "store.flag_ref", "--compare", err) // wraps err: still a bad reference
	}
	if strings.TrimSpace(ref) == "" {
		rr = RefPrevious
	}
	runs, err := db.completeScoreRuns(ctx, portalID)
	if err != nil {
		return nil, err
	}
	r, err := resolveRef(runs, rr, current, "--compare")
	if err != nil && strings.TrimSpace(ref) == "" {
		return nil, nil
	}
	return r, err
}

// ReportIndicators are the counts a report's indicators are computed from,
// for one score run and scope. Freshness counts are by stored status.
type ReportIndicators struct {
	Datasets, Organizations                  int
	OpenLicence, MachineReadable, OpenFormat int
	LicenceUnknown                           int                     // datasets whose licence no register decides
	Freshness                                map[vigie.Freshness]int // status → datasets
	Ratings                                  map[vigie.Rating]int    // MQA rating → datasets
	Stars                                    [6]int                  // stars → datasets
	Errors, Warnings, Infos                  int
	// Means over the datasets where the dimension is known; nil when none is.
	Overall, Completeness, FreshnessScore, Openness, Availability *float64
	MQAPoints                                                     *float64
	// Links: distinct URLs of the scope's resources by class as of the
	// score run (URLs never checked by then are left out), and LinkURLs all
	// the distinct URLs of the scope, checked or not.
	LinkClasses map[vigie.LinkClass]int
	// Visibility counts the scope's scored datasets by visibility (public,
	// private, draft, deleted); Datasets and every other count above are
	// the public ones only.
	Visibility map[string]int
	LinkURLs   int
}

// ReportIndicators returns the indicator counts of a scope. Those of a
// complete score run never change, so they are computed once per scope and
// kept (report_indicators, migration 0210): later calls read them back. A
// run still being written, failed or interrupted is always computed.
func (db *DB) ReportIndicators(ctx context.Context, s ReportScope) (*ReportIndicators, error) {
	s, err := db.resolve(ctx, s)
	if err != nil {
		return nil, err
	}
	complete, err := db.scoreRunComplete(ctx, s.ScoreRunID)
	if err != nil {
		return nil, err
	}
	if !complete {
		return db.computeIndicators(ctx, s)
	}
	key := s.indicatorsKey()
	if r, ok := db.storedIndicators(ctx, s.ScoreRunID, key); ok {
		return r, nil
	}
	r, err := db.computeIndicators(ctx, s)
	if err != nil {
		return nil, err
	}
	db.storeIndicators(ctx, s.ScoreRunID, key, r)
	return r, nil
}

// indicatorComputations counts the indicators computed in SQL rather than
// read back stored, in this process.
var indicatorComputations atomic.Int64

// IndicatorComputations is how many times this process computed a scope's
// indicators in SQL instead of reading them stored.
func IndicatorComputations() int64 { return indicatorComputations.Load() }

// IndicatorsFormula is the version of computeIndicators' formula. Bump it
// whenever what ReportIndicators counts changes: the indicators stored by an
// older vigie are then left unread and computed again.
const IndicatorsFormula = 1

// indicatorsFormula is the version keys are written with: IndicatorsFormula,
// which tests replace to see a bumped formula at work.
var indicatorsFormula = IndicatorsFormula

// indicatorsKey names the scope stored indicators were computed for: the
// formula version, the organizations sorted without duplicates, and
// IncludePrivate. Indicators are never read back for another scope.
func (s ReportScope) indicatorsKey() string {
	orgs := append([]string{}, s.Orgs...)
	slices.Sort(orgs)
	orgs = slices.Compact(orgs)
	b, _ := json.Marshal(orgs)
	return fmt.Sprintf("v%d;private=%t;orgs=%s", indicatorsFormula, s.IncludePrivate, b)
}

// scoreRunComplete reports whether the score run is complete, that is, no
// longer written: its scores, findings and link classes are fixed.
func (db *DB) scoreRunComplete(ctx context.Context, id int64) (bool, error) {
	var status string
	err := db.rd().QueryRowContext(ctx, `SELECT status FROM score_runs WHERE id = ?`, id).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, db.explain(err)
	}
	return status == "complete", nil
}

// storedIndicators reads a run's stored indicators for the scope key; ok is
// false when there are none (or they cannot be read: they are computed).
func (db *DB) storedIndicators(ctx context.Context, runID int64, key string) (r *ReportIndicators, ok bool) {
	var body string
	if err := db.rd().QueryRowContext(ctx, `SELECT body FROM report_indicators WHERE score_run_id = ? AND scope = ?`, runID, key).Scan(&body); err != nil {
		return nil, false
	}
	r = new(ReportIndicators)
	if err := json.Unmarshal([]byte(body), r); err != nil {
		return nil, false
	}
	return r, true
}

// storeIndicators keeps a complete run's indicators for the scope key. It
// never fails the read that computed them: on a database opened read-only
// (reports) it writes nothing, and a failed write is dropped; the next
// writer (the audit's score stage) stores them.
func (db *DB) storeIndicators(ctx context.Context, runID int64, key string, r *ReportIndicators) {
	if db.readOnly {
		return
	}
	body, err := json.Marshal(r)
	if err != nil {
		return
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	_, _ = db.sql.ExecContext(ctx, `INSERT INTO report_indicators (score_run_id, scope, body) VALUES (?, ?, ?)
		ON CONFLICT (score_run_id, scope) DO NOTHING`, runID, key, string(body))
}

// indicatorsLinksAlongside counts the link classes at the same time as the
// aggregates when the reads run on the pool; tests and benchmarks turn it
// off to compare.
var indicatorsLinksAlongside = true

// computeIndicators computes the indicator counts of a resolved scope in SQL.
func (db *DB) computeIndicators(ctx context.Context, s ReportScope) (*ReportIndicators, error) {
	indicatorComputations.Add(1)
	conn, err := db.reportConn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	// The link classes read other tables than the aggregates (the URL
	// index and link_checks, no longer the run's scores per resource), so
	// on the pool they are counted on their own connection meanwhile: on
	// two cores the indicators take the longer of the two, not their sum.
	// A snapshot has one connection: one after the other there.
	type linkCount struct {
		classes map[vigie.LinkClass]int
		total   int
		err     error
	}
	var links chan linkCount
	if db.snap == nil && db.pgSnap == nil && indicatorsLinksAlongside {
		links = make(chan linkCount, 1)
		go func() {
			var c linkCount
			c.classes, c.total, c.err = db.reportLinkClasses(ctx, s)
			links <- c
		}()
	}
	linkClasses := func() (map[vigie.LinkClass]int, int, error) {
		if links == nil {
			return db.reportLinkClasses(ctx, s)
		}
		c := <-links
		links = nil
		return c.classes, c.total, c.err
	}
	defer func() {
		if links != nil {
			<-links // an error returned before they were taken: wait for them all the same
		}
	}()
	org, orgArgs := s.orgFilter("d.organization")
	q := `SELECT COUNT(*), COUNT(DISTINCT NULLIF(d.organization, '')),
		COALESCE(SUM(s.open_licence), 0), COALESCE(SUM(s.machine_readable), 0), COALESCE(SUM(s.open_format), 0),
		COUNT(*) FILTER (WHERE s.freshness_status = 'fresh'), COUNT(*) FILTER (WHERE s.freshness_status = 'due'),
		COUNT(*) FILTER (WHERE s.freshness_status = 'overdue'), COUNT(*) FILTER (WHERE s.freshness_status = 'delinquent'),
		COUNT(*) FILTER (WHERE s.freshness_status = 'not_applicable'),
		COUNT(*) FILTER (WHERE s.mqa_rating = 'excellent'), COUNT(*) FILTER (WHERE s.mqa_rating = 'good'),
		COUNT(*) FILTER (WHERE s.mqa_rating = 'sufficient'), COUNT(*) FILTER (WHERE s.mqa_rating = 'bad'),
		COUNT(*) FILTER (WHERE s.stars = 0), COUNT(*) FILTER (WHERE s.stars = 1), COUNT(*) FILTER (WHERE s.stars = 2),
		COUNT(*) FILTER (WHERE s.stars = 3), COUNT(*) FILTER (WHERE s.stars = 4), COUNT(*) FILTER (WHERE s.stars >= 5),
		COALESCE(SUM(s.errors), 0), COALESCE(SUM(s.warnings), 0), COALESCE(SUM(s.infos), 0),
		COUNT(*) FILTER (WHERE s.licence_status = 'unknown'),
		AVG(s.overall), AVG(s.completeness), AVG(s.freshness), AVG(s.openness), AVG(s.availability),
		CASE WHEN COUNT(*) > 0 THEN AVG(s.mqa_points) END
		FROM scores s JOIN datasets d ON d.portal_id = ? AND d.id = s.dataset_id
		WHERE s.score_run_id = ?` + org + publishedCond
	args := append([]any{s.portalID, s.ScoreRunID}, orgArgs...)
	var r ReportIndicators
	var fresh, due, overdue, delinquent, na, exc, good, suff, bad int
	var ov, co, fr, op, av, mqa sql.NullFloat64
	err = conn.QueryRowContext(ctx, q, args...).Scan(&r.Datasets, &r.Organizations,
		&r.OpenLicence, &r.MachineReadable, &r.OpenFormat,
		&fresh, &due, &overdue, &delinquent, &na, &exc, &good, &suff, &bad,
		&r.Stars[0], &r.Stars[1], &r.Stars[2], &r.Stars[3], &r.Stars[4], &r.Stars[5],
		&r.Errors, &r.Warnings, &r.Infos, &r.LicenceUnknown, &ov, &co, &fr, &op, &av, &mqa)
	if err != nil {
		return nil, db.explain(err)
	}
	r.Freshness = map[vigie.Freshness]int{
		vigie.FreshFresh: fresh, vigie.FreshDue: due, vigie.FreshOverdue: overdue, vigie.FreshDelinquent: delinquent,
		vigie.FreshNotApplicable: na, vigie.FreshUnknown: r.Datasets - fresh - due - overdue - delinquent - na,
	}
	r.Ratings = map[vigie.Rating]int{vigie.RatingExcellent: exc, vigie.RatingGood: good, vigie.RatingSufficient: suff, vigie.RatingBad: bad}
	r.Overall, r.Completeness, r.FreshnessScore, r.Openness, r.Availability = scorePtr(ov), scorePtr(co), scorePtr(fr), scorePtr(op), scorePtr(av)
	r.MQAPoints = scorePtr(mqa)
	r.LinkClasses, r.LinkURLs, err = linkClasses()
	if err != nil {
		return nil, err
	}
	r.Visibility = map[string]int{vigie.VisPublic: r.Datasets, vigie.VisPrivate: 0, vigie.VisDraft: 0, vigie.VisDeleted: 0}
	if unpublished, err := db.anyUnpublished(ctx, conn, s.portalID); err != nil || !unpublished {
		return &r, err // most portals: no second pass over the run's scores
	}
	vis, err := conn.QueryContext(ctx, `SELECT d.private, d.ckan_state, COUNT(*) FROM scores s JOIN datasets d ON d.portal_id = ? AND d.id = s.dataset_id
		WHERE s.score_run_id = ?`+org+` AND NOT (1 = 1`+publishedCond+`) GROUP BY d.private, d.ckan_state`, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer vis.Close()
	for vis.Next() {
		var private bool
		var state string
		var n int
		if err := vis.Scan(&private, &state, &n); err != nil {
			return nil, db.explain(err)
		}
		r.Visibility[vigie.Visibility(private, state)] += n
	}
	if err := vis.Err(); err != nil {
		return nil, db.explain(err)
	}
	return &r, nil
}

// reportLinkClasses counts the distinct URLs of the scope's resources by
// the class they had when the score run was made: each URL's latest check in
// a link run of the portal numbered at most the score run's link run (one
// backward probe of the (url, run_id) index per URL), so that an
// interrupted run counts with the states before it and history stays as it
// was. URLs never checked by then are not in the map; total is every
// distinct URL of the scope, checked or not. Without a link run it reads the
// latest state of each URL.
func (db *DB) reportLinkClasses(ctx context.Context, s ReportScope) (classes map[vigie.LinkClass]int, total int, err error) {
	conn, err := db.reportConn(ctx)
	if err != nil {
		return nil, 0, err
	}
	defer conn.Close()
	org, orgArgs := s.orgFilter("d.organization")
	unpublished, err := db.anyUnpublished(ctx, conn, s.portalID)
	if err != nil {
		return nil, 0, err
	}
	if unpublished {
		org += publishedCond
	}
	var linkRun sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT link_run_id FROM score_runs WHERE id = ?`, s.ScoreRunID).Scan(&linkRun); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, 0, db.explain(err)
	}
	if linkRun.Valid && db.dialect != postgres && linkClassesWay != linkClassesProbe {
		merge := linkClassesWay == linkClassesMerge
		if !merge {
			if merge, err = db.linkClassesMergeCheap(ctx, conn, s.portalID); err != nil {
				return nil, 0, err
			}
		}
		if merge {
			return db.linkClassesMerged(ctx, conn, s, org, orgArgs, linkRun.Int64)
		}
	}
	dataset := ""
	if org != "" {
		dataset = ` JOIN datasets d ON d.portal_id = r.portal_id AND d.id = r.dataset_id`
	}
	// The URLs of the scope come grouped in URL order from the covering
	// URL index; no temporary B-tree of every URL is built.
	urls := `SELECT r.url FROM resources r` + db.indexedBy("resources_url") + dataset + `
		WHERE r.url > '' AND r.portal_id = ? AND EXISTS (SELECT 1 FROM scores s WHERE s.score_run_id = ? AND s.dataset_id = r.dataset_id)` + org + `
		GROUP BY r.url`
	class := `(SELECT l.class FROM links l WHERE l.url = u.url)`
	args := []any{}
	if linkRun.Valid {
		class = `(SELECT c.class FROM link_checks c JOIN link_runs lr ON lr.id = c.run_id AND lr.portal_id = ?
			WHERE c.url = u.url AND c.run_id <= ? ORDER BY c.run_id DESC LIMIT 1)`
		args = append(args, s.portalID, linkRun.Int64)
	}
	args = append(append(args, s.portalID, s.ScoreRunID), orgArgs...)
	rows, err := conn.QueryContext(ctx, `SELECT `+class+` AS class, COUNT(*) FROM (`+urls+`) u GROUP BY class`, args...)
	if err != nil {
		return nil, 0, db.explain(err)
	}
	defer rows.Close()
	classes = map[vigie.LinkClass]int{}
	for rows.Next() {
		var c sql.NullString
		var n int
		if err := rows.Scan(&c, &n); err != nil {
			return nil, 0, db.explain(err)
		}
		total += n
		if c.Valid {
			classes[vigie.LinkClass(c.String)] += n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, 0, db.explain(err)
	}
	return classes, total, nil
}

// ReportOrg is one organization's aggregates in a score run.
type ReportOrg struct {
	Name, Title                                                   string
	Datasets                                                      int
	Overall, Completeness, Freshness, Openness, Availability, MQA *float64
	OpenLicence                                                   int
	Fresh, UpToDate, Scheduled                                    int // fresh; fresh or due; fresh, due, overdue or delinquent
	Errors, Warnings, Infos                                       int
	BrokenLinks                                                   int // distinct broken URLs
	LinksChecked                                                  int // distinct URLs checked at least once: 0 leaves BrokenLinks unknown
}

// ReportOrganizations aggregates a scope per organization, in SQL, by name.
// Datasets without an organization are grouped under the name "".
func (db *DB) ReportOrganizations(ctx context.Context, s ReportScope) ([]ReportOrg, error) {
	s, err := db.resolve(ctx, s)
	if err != nil {
		return nil, err
	}
	conn, err := db.reportConn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	org, orgArgs := s.orgFilter("d.organization")
	args := append([]any{s.portalID, s.ScoreRunID}, orgArgs...)
	rows, err := conn.QueryContext(ctx, `SELECT d.organization, COALESCE(MAX(o.title), MAX(d.organization_title), ''), COUNT(*),
		AVG(s.overall), AVG(s.completeness), AVG(s.freshness), AVG(s.openness), AVG(s.availability), AVG(s.mqa_points),
		COALESCE(SUM(s.open_licence), 0), COUNT(*) FILTER (WHERE s.freshness_status = 'fresh'),
		COUNT(*) FILTER (WHERE s.freshness_status IN ('fresh', 'due')),
		COUNT(*) FILTER (WHERE s.freshness_status IN ('fresh', 'due', 'overdue', 'delinquent')),
		COALESCE(SUM(s.errors), 0), COALESCE(SUM(s.warnings), 0), COALESCE(SUM(s.infos), 0)
		FROM scores s JOIN datasets d ON d.portal_id = ? AND d.id = s.dataset_id
		LEFT JOIN organizations o ON o.portal_id = d.portal_id AND o.name = d.organization AND o.name <> ''
		WHERE s.score_run_id = ?`+org+publishedCond+` GROUP BY d.organization ORDER BY d.organization`, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []ReportOrg
	index := map[string]int{}
	for rows.Next() {
		var o ReportOrg
		var ov, co, fr, op, av, mqa sql.NullFloat64
		if err := rows.Scan(&o.Name, &o.Title, &o.Datasets, &ov, &co, &fr, &op, &av, &mqa,
			&o.OpenLicence, &o.Fresh, &o.UpToDate, &o.Scheduled, &o.Errors, &o.Warnings, &o.Infos); err != nil {
			return nil, db.explain(err)
		}
		o.Overall, o.Completeness, o.Freshness, o.Openness, o.Availability, o.MQA = scorePtr(ov), scorePtr(co), scorePtr(fr), scorePtr(op), scorePtr(av), scorePtr(mqa)
		index[o.Name] = len(out)
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	rows.Close()
	if db.dialect == postgres {
		return out, db.orgLinksSQL(ctx, conn, s, out, index)
	}
	return out, db.orgLinksMerged(ctx, conn, s, out, index)
}

// orgLinksSQL fills each organization's broken and checked URLs with one
// grouped query (PostgreSQL's planner joins and counts it well).
func (db *DB) orgLinksSQL(ctx context.Context, conn querier, s ReportScope, out []ReportOrg, index map[string]int) error {
	org, orgArgs := s.orgFilter("d.organization")
	broken, err := conn.QueryContext(ctx, `SELECT d.organization, COUNT(DISTINCT CASE WHEN l.class = 'broken' THEN r.url END),
		COUNT(DISTINCT r.url) FROM resources r
		JOIN datasets d ON d.portal_id = r.portal_id AND d.id = r.dataset_id
		JOIN scores s ON s.score_run_id = ? AND s.dataset_id = r.dataset_id
		JOIN links l ON l.url = r.url
		WHERE r.portal_id = ?`+org+publishedCond+` GROUP BY d.organization`, append([]any{s.ScoreRunID, s.portalID}, orgArgs...)...)
	if err != nil {
		return db.explain(err)
	}
	defer broken.Close()
	for broken.Next() {
		var name string
		var n, checked int
		if err := broken.Scan(&name, &n, &checked); err != nil {
			return db.explain(err)
		}
		if i, ok := index[name]; ok {
			out[i].BrokenLinks, out[i].LinksChecked = n, checked
		}
	}
	if err := broken.Err(); err != nil {
		return db.explain(err)
	}
	return nil
}

// scoredFlag marks, in orgLinksMerged's map, a dataset of the score run.
const scoredFlag = 1 << 30

// orgLinksMerged fills each organization's broken and checked URLs (the
// distinct URLs of its published scored datasets that links holds, and
// those of them broken) as orgLinksSQL does, without its joins: SQLite
// probed links, datasets and scores at random for every resource and
// sorted twice for COUNT(DISTINCT). Here the datasets of the scope come
// from one scan of the datasets table and the scores key into a map
// (dataset id -> organization), and
// one pass reads the portal's resources in URL order from the covering URL
// index, joined with links (keyed by URL, so probed in order); a URL's rows
// are consecutive, so counting it once per organization needs no set.
func (db *DB) orgLinksMerged(ctx context.Context, conn querier, s ReportScope, out []ReportOrg, index map[string]int) error {
	if len(out) == 0 {
		return nil
	}
	org, orgArgs := s.orgFilter("d.organization")
	// Dataset id -> index in out, for the portal's published datasets of
	// the listed organizations. The whole portal's are read in the table's
	// own order: through datasets_org (which holds the rowid, not the id)
	// every row was looked up at random, 5 times the CPU. A few
	// organizations' are looked up through datasets_org.
	scope := map[string]int{}
	how := db.notIndexed()
	if len(s.Orgs) > 0 {
		how = db.indexedBy("datasets_org")
	}
	rows, err := conn.QueryContext(ctx, `SELECT d.id, d.organization FROM datasets d`+how+` WHERE d.portal_id = ?`+org+publishedCond,
		append([]any{s.portalID}, orgArgs...)...)
	if err != nil {
		return db.explain(err)
	}
	var id, name sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&id, &name); err != nil {
			rows.Close()
			return db.explain(err)
		}
		if i, ok := index[string(name)]; ok {
			scope[string(id)] = i
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return db.explain(err)
	}
	rows.Close()
	// Only those scored in the run count.
	if rows, err = conn.QueryContext(ctx, `SELECT dataset_id FROM scores WHERE score_run_id = ?`, s.ScoreRunID); err != nil {
		return db.explain(err)
	}
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return db.explain(err)
		}
		if i, ok := scope[string(id)]; ok {
			scope[string(id)] = i | scoredFlag
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return db.explain(err)
	}
	rows.Close()
	// lastURL[i] is the number of the last URL organization i counted.
	lastURL := make([]int, len(out))
	var url []byte
	seq := 0
	var isBroken bool
	if rows, err = conn.QueryContext(ctx, `SELECT r.url, r.dataset_id, l.class = 'broken' FROM resources r`+db.indexedBy("resources_url")+`
		JOIN links l ON l.url = r.url WHERE r.portal_id = ? ORDER BY r.url`, s.portalID); err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	for n := 0; rows.Next(); n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := rows.Scan(&name, &id, &isBroken); err != nil {
			return db.explain(err)
		}
		if seq == 0 || string(name) != string(url) {
			url = append(url[:0], name...)
			seq++
		}
		i, ok := scope[string(id)]
		if !ok || i&scoredFlag == 0 {
			continue
		}
		if i &^= scoredFlag; lastURL[i] == seq {
			continue
		}
		lastURL[i] = seq
		out[i].LinksChecked++
		if isBroken {
			out[i].BrokenLinks++
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	return nil
}

// ReportDataset is one scored dataset as a report shows it.
type ReportDataset struct {
	ID, Name, Title, Organization, OrganizationTitle string
	Scores                                           vigie.Scores
	MQA                                              vigie.MQA
	FreshnessStatus                                  vigie.Freshness
	Frequency                                        string
	Stars                                            int
	OpenLicence, OpenFormat, MachineReadable         bool
	Errors, Warnings, Infos                          int
	LicenceStatus                                    string          // open, not_open, unknown, missing
	Visibility                                       string          // vigie.VisPublic, VisPrivate, VisDraft or VisDeleted
	Findings                                         []vigie.Finding // only when asked for
}

// titleCol is the dataset title in the scope's language: the English title
// under "en" when the portal gave one, else the main (French-preferred) one.
func (s ReportScope) titleCol() string {
	if s.Lang == "en" {
		return "CASE WHEN d.title_en <> '' THEN d.title_en ELSE d.title END"
	}
	return "d.title"
}

const reportDatasetCols = `s.dataset_id, d.name, d.title, d.organization, d.organization_title, d.private, d.ckan_state,
	s.overall, s.completeness, s.freshness, s.openness, s.availability, s.mqa_points, s.mqa_rating,
	s.freshness_status, s.frequency, s.stars, s.open_licence, s.open_format, s.machine_readable,
	s.errors, s.warnings, s.infos, s.licence_status`

// ReportDatasets calls fn for each dataset of the scope, one row at a time,
// without holding them all. Without findings the order is organization then
// name; with findings it is dataset id, and the findings are read by a
// second cursor in the same order and merged in, so each row is read once.
// fn's error stops the iteration and is returned.
func (db *DB) ReportDatasets(ctx context.Context, s ReportScope, withFindings bool, fn func(*ReportDataset) error) error {
	s, err := db.resolve(ctx, s)
	if err != nil {
		return err
	}
	conn, err := db.reportConn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	org, orgArgs := s.orgFilter("d.organization")
	args := append([]any{s.portalID, s.ScoreRunID}, orgArgs...)
	order := ` ORDER BY d.organization, d.name, s.dataset_id`
	var next func(id string) ([]vigie.Finding, error)
	if withFindings {
		order = ` ORDER BY s.dataset_id`
		fc, err := db.reportConn(ctx)
		if err != nil {
			return err
		}
		defer fc.Close()
		frows, err := s.queryFindings(ctx, fc)
		if err != nil {
			return db.explain(err)
		}
		defer frows.Close()
		texts, err := newTextResolver(ctx, db.textSource(fc), s.Lang)
		if err != nil {
			return db.explain(err)
		}
		defer texts.close()
		next = findingMerger(frows, texts, s.ScoreRunID)
	}
	rows, err := conn.QueryContext(ctx, `SELECT `+strings.Replace(reportDatasetCols, "d.title", s.titleCol(), 1)+` FROM scores s JOIN datasets d ON d.portal_id = ? AND d.id = s.dataset_id
		WHERE s.score_run_id = ?`+org+s.rowCond()+order, args...)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		if n++; n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var d ReportDataset
		var ov, co, fr, op, av sql.NullFloat64
		var ol, of, mr int
		var private bool
		var ckanState string
		if err := rows.Scan(&d.ID, &d.Name, &d.Title, &d.Organization, &d.OrganizationTitle, &private, &ckanState,
			&ov, &co, &fr, &op, &av, &d.MQA.Points, &d.MQA.Rating,
			&d.FreshnessStatus, &d.Frequency, &d.Stars, &ol, &of, &mr, &d.Errors, &d.Warnings, &d.Infos, &d.LicenceStatus); err != nil {
			return db.explain(err)
		}
		d.Scores = vigie.Scores{Overall: scorePtr(ov), Completeness: scorePtr(co), Freshness: scorePtr(fr), Openness: scorePtr(op), Availability: scorePtr(av)}
		d.OpenLicence, d.OpenFormat, d.MachineReadable = ol != 0, of != 0, mr != 0
		d.Visibility = vigie.Visibility(private, ckanState)
		if next != nil {
			if d.Findings, err = next(d.ID); err != nil {
				return err
			}
		}
		if err := fn(&d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	return nil
}

// queryFindings reads the score run's findings in dataset id order, a
// dataset's in one row.
func (s ReportScope) queryFindings(ctx context.Context, conn querier) (*sql.Rows, error) {
	return conn.QueryContext(ctx, `SELECT dataset_id, findings FROM dataset_findings WHERE score_run_id = ? ORDER BY dataset_id`, s.ScoreRunID)
}

// findingMerger reads findings ordered by dataset id and returns, for each
// dataset id asked in ascending order, its findings (skipping those of
// datasets never asked for, such as other organizations'), their texts
// resolved by texts.
func findingMerger(rows *sql.Rows, texts *textResolver, runID int64) func(id string) ([]vigie.Finding, error) {
	var pendingID, raw string
	pending, done, started := false, false, false
	read := func() error {
		pending = false
		if done || !rows.Next() {
			done = true
			return rows.Err()
		}
		if err := rows.Scan(&pendingID, &raw); err != nil {
			return err
		}
		pending = true
		return nil
	}
	var buf []storedFinding
	return func(id string) ([]vigie.Finding, error) {
		if !started {
			started = true
			if err := read(); err != nil {
				return nil, err
			}
		}
		for pending && pendingID < id {
			if err := read(); err != nil {
				return nil, err
			}
		}
		if !pending || pendingID != id {
			return []vigie.Finding{}, nil
		}
		out, b, err := texts.findings(raw, buf)
		buf = b
		if errors.Is(err, errFindingsJSON) {
			return nil, damagedFindings(runID, id)
		}
		return out, err
	}
}

// ReportFinding is one finding with the dataset it concerns.
type ReportFinding struct {
	DatasetID, DatasetName, DatasetTitle, Organization string
	DatasetVisibility                                  string // vigie.VisPublic…
	vigie.Finding
}

// ReportFindings calls fn for each finding of the scope, by dataset id then
// in the order found, one row at a time. Findings and datasets are read by
// two cursors in dataset-id order and merged, rather than joined row by row.
func (db *DB) ReportFindings(ctx context.Context, s ReportScope, fn func(*ReportFinding) error) error {
	s, err := db.resolve(ctx, s)
	if err != nil {
		return err
	}
	dc, err := db.reportConn(ctx)
	if err != nil {
		return err
	}
	defer dc.Close()
	fc, err := db.reportConn(ctx)
	if err != nil {
		return err
	}
	defer fc.Close()
	org, orgArgs := s.orgFilter("d.organization")
	drows, err := dc.QueryContext(ctx, `SELECT s.dataset_id, d.name, `+s.titleCol()+`, d.organization, d.private, d.ckan_state
		FROM scores s JOIN datasets d ON d.portal_id = ? AND d.id = s.dataset_id
		WHERE s.score_run_id = ?`+org+s.rowCond()+` ORDER BY s.dataset_id`, append([]any{s.portalID, s.ScoreRunID}, orgArgs...)...)
	if err != nil {
		return db.explain(err)
	}
	defer drows.Close()
	frows, err := s.queryFindings(ctx, fc)
	if err != nil {
		return db.explain(err)
	}
	defer frows.Close()
	texts, err := newTextResolver(ctx, db.textSource(fc), s.Lang)
	if err != nil {
		return db.explain(err)
	}
	defer texts.close()
	var d ReportFinding // the current dataset; its ID is "" before the first
	haveD := true
	n := 0
	var id, raw, ckanState string
	var private bool
	var buf []storedFinding
	for frows.Next() {
		if n++; n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := frows.Scan(&id, &raw); err != nil {
			return db.explain(err)
		}
		for haveD && d.DatasetID < id {
			if haveD = drows.Next(); haveD {
				if err := drows.Scan(&d.DatasetID, &d.DatasetName, &d.DatasetTitle, &d.Organization, &private, &ckanState); err != nil {
					return db.explain(err)
				}
				d.DatasetVisibility = vigie.Visibility(private, ckanState)
			}
		}
		if !haveD {
			break
		}
		if d.DatasetID != id { // a dataset outside the scope
			continue
		}
		fs, b, err := texts.findings(raw, buf)
		buf = b
		if errors.Is(err, errFindingsJSON) {
			return damagedFindings(s.ScoreRunID, id)
		}
		if err != nil {
			return db.explain(err)
		}
		for _, f := range fs {
			rf := ReportFinding{DatasetID: d.DatasetID, DatasetName: d.DatasetName, DatasetTitle: d.DatasetTitle,
				Organization: d.Organization, DatasetVisibility: d.DatasetVisibility, Finding: f}
			if err := fn(&rf); err != nil {
				return err
			}
		}
	}
	if err := errors.Join(frows.Err(), drows.Err()); err != nil {
		return db.explain(err)
	}
	return nil
}

// ReportRuleCounts summarises a scope's findings per rule, most datasets
// first (at most limit rules when limit > 0), with one fix hint per rule.
// The counting is done while reading the findings once in primary-key
// order: cheaper than GROUP BY with COUNT(DISTINCT) on large runs.
func (db *DB) ReportRuleCounts(ctx context.Context, s ReportScope, limit int) ([]RuleCount, []vigie.Text, error) {
	s, err := db.resolve(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	conn, err := db.reportConn(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer conn.Close()
	org, orgArgs := s.orgFilter("d.organization")
	unpublished := false
	if !s.IncludePrivate {
		if unpublished, err = db.anyUnpublished(ctx, conn, s.portalID); err != nil {
			return nil, nil, err
		}
		if unpublished {
			org += publishedCond
		}
	}
	q := `SELECT f.dataset_id, f.findings FROM dataset_findings f
		JOIN datasets d ON d.portal_id = ? AND d.id = f.dataset_id WHERE f.score_run_id = ?` + org + ` ORDER BY f.dataset_id`
	args := append([]any{s.portalID, s.ScoreRunID}, orgArgs...)
	if len(s.Orgs) == 0 && !unpublished { // every finding of the run counts: no join
		q = `SELECT f.dataset_id, f.findings FROM dataset_findings f WHERE f.score_run_id = ? ORDER BY f.dataset_id`
		args = []any{s.ScoreRunID}
	}
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, db.explain(err)
	}
	defer rows.Close()
	var rc ruleCounter
	var id, raw string
	var buf []storedFinding
	for n := 0; rows.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, nil, db.explain(err)
		}
		if buf, err = parseFindingsJSON(raw, buf[:0]); err != nil {
			return nil, nil, damagedFindings(s.ScoreRunID, id)
		}
		rc.add(id, buf)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, db.explain(err)
	}
	rows.Close()
	out := rc.sorted()
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	texts, err := newTextResolver(ctx, db.textSource(conn), s.Lang)
	if err != nil {
		return nil, nil, db.explain(err)
	}
	defer texts.close()
	hints := make([]vigie.Text, len(out))
	for i, c := range out {
		if hints[i], err = texts.text(rc.first[c.Rule]); err != nil {
			return nil, nil, db.explain(err)
		}
	}
	return out, hints, nil
}

// ReportLinkUse is a dataset that uses a link.
type ReportLinkUse struct {
	DatasetID, Name, Title, Organization string
	Visibility                           string // vigie.VisPublic…
}

// ReportLink is a link that does not work, with the datasets that use it.
type ReportLink struct {
	vigie.LinkResult
	Datasets []ReportLinkUse
}

// ReportLinks returns the scope's links whose class is not ok (broken,
// failing, unsure, blocked, invalid), worst class first, then the working
// ones a publisher should still fix: landing pages (HTML where data was
// declared) and chains of more than maxRedirects redirects; each with the
// datasets of the scope that use it.
func (db *DB) ReportLinks(ctx context.Context, s ReportScope) ([]ReportLink, error) {
	s, err := db.resolve(ctx, s)
	if err != nil {
		return nil, err
	}
	conn, err := db.reportConn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	org, orgArgs := s.orgFilter("d.organization")
	args := append([]any{s.ScoreRunID, s.portalID, maxRedirects}, orgArgs...)
	// SQLite starts from the links to list (a few percent of them), then
	// finds their resources through the covering URL index: left to itself
	// its planner read every resource row of the portal and probed links
	// at random for each. A CROSS JOIN fixes SQLite's join order; the
	// other store plans the join itself.
	join := " JOIN "
	if db.dialect != postgres {
		join = " CROSS JOIN "
	}
	rows, err := conn.QueryContext(ctx, `SELECT `+prefixCols("l.", linkColumns)+`, d.id, d.name, `+s.titleCol()+`, d.organization, d.private, d.ckan_state
		FROM links l`+join+`resources r`+db.indexedBy("resources_url")+` ON r.url = l.url
		`+join+`datasets d ON d.portal_id = r.portal_id AND d.id = r.dataset_id
		`+join+`scores s ON s.score_run_id = ? AND s.dataset_id = d.id
		WHERE r.portal_id = ? AND (l.class <> 'ok' OR l.landing_page <> 0 OR l.redirects > ?)`+org+s.rowCond()+`
		ORDER BY CASE l.class WHEN 'broken' THEN 0 WHEN 'failing' THEN 1 WHEN 'blocked' THEN 2 WHEN 'invalid' THEN 3
			WHEN 'ok' THEN 5 ELSE 4 END, l.url, d.name, d.id`, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []ReportLink
	for rows.Next() {
		var u ReportLinkUse
		var private bool
		var ckanState string
		l, err := scanLink(rows, &u.DatasetID, &u.Name, &u.Title, &u.Organization, &private, &ckanState)
		if err != nil {
			return nil, db.explain(err)
		}
		u.Visibility = vigie.Visibility(private, ckanState)
		if n := len(out); n > 0 && out[n-1].URL == l.URL {
			if last := out[n-1].Datasets; last[len(last)-1].DatasetID != u.DatasetID {
				out[n-1].Datasets = append(out[n-1].Datasets, u)
			}
			continue
		}
		out = append(out, ReportLink{LinkResult: l, Datasets: []ReportLinkUse{u}})
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// prefixCols qualifies a comma-separated column list with a table alias.
func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// maxRedirects is the number of redirects above which a working link is
// listed in reports (linkcheck.ManyRedirects).
const maxRedirects = 2
