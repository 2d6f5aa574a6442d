package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// linkColumns are the links columns read into a vigie.LinkResult, in scan order.
const linkColumns = `url, class, status, final_url, redirects, content_type, content_length, last_modified,
	etag, elapsed_ms, reason, landing_page, failures, first_failure, last_success, checked_at, skipped, head_status`

type rowScanner interface{ Scan(dest ...any) error }

// scanLink reads one row selected with linkColumns (plus any extra dest).
func scanLink(r rowScanner, extra ...any) (vigie.LinkResult, error) {
	var s linkScan
	if err := r.Scan(append(s.dest(), extra...)...); err != nil {
		return vigie.LinkResult{}, err
	}
	return s.finish(), nil
}

// linkScan holds one row of linkColumns, possibly all NULL from an outer join.
type linkScan struct {
	url, class, finalURL, ctype, etag, reason           sql.NullString
	lastMod, firstFail, lastOK, checked                 sql.NullString
	status, redirects, clen, elapsed, landing, failures sql.NullInt64
	skipped, headStatus                                 sql.NullInt64
}

func (s *linkScan) dest() []any {
	return []any{&s.url, &s.class, &s.status, &s.finalURL, &s.redirects, &s.ctype, &s.clen, &s.lastMod,
		&s.etag, &s.elapsed, &s.reason, &s.landing, &s.failures, &s.firstFail, &s.lastOK, &s.checked, &s.skipped, &s.headStatus}
}

func (s *linkScan) finish() vigie.LinkResult {
	return vigie.LinkResult{URL: s.url.String, Class: vigie.LinkClass(s.class.String), Status: int(s.status.Int64), FinalURL: s.finalURL.String,
		Redirects: int(s.redirects.Int64), ContentType: s.ctype.String, ContentLength: s.clen.Int64,
		LastModified: parseTSPtr(s.lastMod), ETag: s.etag.String, ElapsedMS: s.elapsed.Int64, Reason: s.reason.String,
		LandingPage: s.landing.Int64 != 0, Failures: int(s.failures.Int64), FirstFailure: parseTSPtr(s.firstFail),
		LastSuccess: parseTSPtr(s.lastOK), CheckedAt: parseTS(s.checked), Skipped: s.skipped.Int64 != 0,
		HeadStatus: int(s.headStatus.Int64)}
}

// LinksChecked reports whether any link was ever checked in the database.
func (db *DB) LinksChecked(ctx context.Context) (bool, error) {
	var has bool
	if err := db.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM links)`).Scan(&has); err != nil {
		return false, db.explain(err)
	}
	return has, nil
}

// LinkResults returns the latest known state of every checked URL, keyed by URL.
func (db *DB) LinkResults(ctx context.Context) (map[string]vigie.LinkResult, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+linkColumns+` FROM links`)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	out := make(map[string]vigie.LinkResult)
	for rows.Next() {
		l, err := scanLink(rows)
		if err != nil {
			return nil, db.explain(err)
		}
		out[l.URL] = l
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// linkCols is linkColumns with each column prefixed by a table alias ("l.").
func linkCols(prefix string) string {
	parts := strings.Split(linkColumns, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// sqlIn returns " AND col IN (?, ?…)" and its arguments, or nothing when
// values is empty.
func sqlIn(col string, values []string) (string, []any) {
	if len(values) == 0 {
		return "", nil
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return " AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(values)), ", ") + ")", args
}

// LinkTarget is one distinct URL to check and the formats declared by the
// resources that use it.
type LinkTarget struct {
	URL     string
	Formats []string
	// Prev is what the URL's last check left for the next (failures, first
	// failure, last success), nil when it was never checked.
	Prev *vigie.LinkHistory
}

// URLsToCheck lists the distinct resource URLs of the scope's active
// datasets. Unless all is set, URLs
// checked less than olderThan ago are left out. Never-checked URLs come
// first (new and changed resources), then the longest unchecked. A URL
// skipped by the last run (its host was unreachable) is always due.
//
// A URL's formats are those of its resources, each once, in the order of
// the resources' key (dataset, position) on SQLite and sorted on
// PostgreSQL (json_agg(DISTINCT) sorts its input): the first format that
// promises data names the landing-page reason.
func (db *DB) URLsToCheck(ctx context.Context, s vigie.Scope, all bool, olderThan time.Duration) ([]LinkTarget, error) {
	portalID, err := db.scopePortal(ctx, s)
	if err != nil {
		return nil, err
	}
	if db.dialect == postgres {
		return db.urlsToCheckGrouped(ctx, portalID, s, all, olderThan)
	}
	return db.urlsToCheckMerged(ctx, portalID, s, all, olderThan)
}

// urlsToCheckGrouped is URLsToCheck in one statement: the engine joins each
// resource to its URL's link row, groups by URL and sorts. PostgreSQL's
// list, and on SQLite the reference urlsToCheckMerged is tested against.
func (db *DB) urlsToCheckGrouped(ctx context.Context, portalID int64, s vigie.Scope, all bool, olderThan time.Duration) ([]LinkTarget, error) {
	orgSQL, orgArgs := sqlIn("d.organization", s.Orgs)
	args := append([]any{portalID}, orgArgs...)
	due := ""
	if !all {
		due = " AND (l.checked_at IS NULL OR l.checked_at < ? OR l.skipped <> 0)"
		args = append(args, ts(db.Now().Add(-olderThan)))
	}
	// links.url is unique: every row of a group carries the same link row.
	rows, err := db.sql.QueryContext(ctx, `SELECT r.url, `+db.jsonArrayAgg("DISTINCT r.format")+`, MIN(l.checked_at),
			MIN(l.failures), MIN(l.first_failure), MIN(l.last_success)
		FROM resources r
		JOIN datasets d ON d.portal_id = r.portal_id AND d.id = r.dataset_id AND d.state = 'active'
		LEFT JOIN links l ON l.url = r.url
		WHERE r.portal_id = ? AND trim(r.url) <> ''`+orgSQL+due+`
		GROUP BY r.url
		ORDER BY MIN(l.checked_at) IS NOT NULL, MIN(l.checked_at), r.url`, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []LinkTarget
	// Most URLs come with one of a few lists of formats: each list is
	// decoded once and its slice shared (nothing writes into a target's
	// formats; the checker's merge of duplicates makes its own array).
	formatLists := map[string][]string{}
	var formats sql.RawBytes
	for rows.Next() {
		var t LinkTarget
		var checked, firstFail, lastOK sql.NullString
		var failures sql.NullInt64
		if err := rows.Scan(&t.URL, &formats, &checked, &failures, &firstFail, &lastOK); err != nil {
			return nil, db.explain(err)
		}
		if checked.Valid {
			t.Prev = &vigie.LinkHistory{Failures: int(failures.Int64), FirstFailure: parseTS(firstFail), LastSuccess: parseTS(lastOK)}
		}
		fs, ok := formatLists[string(formats)]
		if !ok {
			var all []string
			_ = json.Unmarshal(formats, &all)
			for _, f := range all {
				if f = strings.TrimSpace(f); f != "" {
					fs = append(fs, f)
				}
			}
			formatLists[string(formats)] = fs
		}
		t.Formats = fs
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// LinkRun is one `vigie links` pass.
type LinkRun struct {
	ID         int64
	PortalID   int64
	StartedAt  time.Time
	FinishedAt time.Time
	Status     string // running, complete, failed, interrupted
	LinkCounts
	Error string
}

// LinkCounts are a link run's totals.
type LinkCounts struct {
	URLs, Hosts                                   int
	OK, Broken, Failing, Unsure, Invalid, Blocked int
	Skipped                                       int // unsure: host unreachable during the run, not checked
}

// BeginLinkRun opens a link run for the portal.
func (db *DB) BeginLinkRun(ctx context.Context, portalID int64) (int64, error) {
	return db.beginRun(ctx, linkRuns, portalID, nil)
}

// SaveLinkResults records a batch of results of a link run in one
// transaction: the latest state per URL in links, one row per URL in the
// run's history (link_checks). Saving a URL again in the same run replaces it.
func (db *DB) SaveLinkResults(ctx context.Context, runID int64, results []vigie.LinkResult) error {
	if len(results) == 0 {
		return nil
	}
	// Each URL once, its last result in the batch (as one statement per
	// result left it), in URL order: neighbouring keys, and multi-row
	// upserts that never meet the same key twice.
	order := make([]int, 0, len(results))
	for i := range results {
		if results[i].URL == "" {
			return fmt.Errorf("link result without URL")
		}
		order = append(order, i)
	}
	sort.SliceStable(order, func(i, j int) bool { return results[order[i]].URL < results[order[j]].URL })
	uniq := order[:0]
	for k, i := range order {
		if k+1 < len(order) && results[order[k+1]].URL == results[i].URL {
			continue
		}
		uniq = append(uniq, i)
	}
	order = uniq
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var linkN, checkN [linkRowsMax + 1]*sql.Stmt
		defer func() {
			for _, st := range append(linkN[:], checkN[:]...) {
				if st != nil {
					st.Close()
				}
			}
		}()
		largs := make([]any, 0, 19*linkRowsMax)
		cargs := make([]any, 0, 7*linkRowsMax)
		flush := func(n int) error {
			if n == 0 {
				return nil
			}
			if linkN[n] == nil {
				st, err := tx.PrepareContext(ctx, `INSERT INTO links (url, class, status, final_url, redirects, content_type,
					content_length, last_modified, etag, elapsed_ms, reason, landing_page, failures, first_failure, last_success,
					checked_at, run_id, skipped, head_status) VALUES `+rowsOf(19, n)+`
					ON CONFLICT(url) DO UPDATE SET class = excluded.class, status = excluded.status, final_url = excluded.final_url,
					redirects = excluded.redirects, content_type = excluded.content_type, content_length = excluded.content_length,
					last_modified = excluded.last_modified, etag = excluded.etag, elapsed_ms = excluded.elapsed_ms,
					reason = excluded.reason, landing_page = excluded.landing_page, failures = excluded.failures,
					first_failure = excluded.first_failure, last_success = excluded.last_success,
					checked_at = excluded.checked_at, run_id = excluded.run_id, skipped = excluded.skipped,
					head_status = excluded.head_status`)
				if err != nil {
					return err
				}
				linkN[n] = st
			}
			if checkN[n] == nil {
				st, err := tx.PrepareContext(ctx, `INSERT INTO link_checks (run_id, url, checked_at, class, status, elapsed_ms, reason)
					VALUES `+rowsOf(7, n)+`
					ON CONFLICT(run_id, url) DO UPDATE SET checked_at = excluded.checked_at, class = excluded.class,
					status = excluded.status, elapsed_ms = excluded.elapsed_ms, reason = excluded.reason`)
				if err != nil {
					return err
				}
				checkN[n] = st
			}
			if _, err := linkN[n].ExecContext(ctx, largs...); err != nil {
				return err
			}
			if _, err := checkN[n].ExecContext(ctx, cargs...); err != nil {
				return err
			}
			largs, cargs = largs[:0], cargs[:0]
			return nil
		}
		n := 0
		for _, i := range order {
			r := &results[i]
			checked := r.CheckedAt
			if checked.IsZero() {
				checked = db.Now()
			}
			landing := 0
			if r.LandingPage {
				landing = 1
			}
			largs = append(largs, r.URL, r.Class, r.Status, r.FinalURL, r.Redirects, r.ContentType,
				r.ContentLength, tsPtr(r.LastModified), r.ETag, r.ElapsedMS, r.Reason, landing, r.Failures,
				tsPtr(r.FirstFailure), tsPtr(r.LastSuccess), ts(checked), runID, boolInt(r.Skipped), r.HeadStatus)
			cargs = append(cargs, runID, r.URL, ts(checked), r.Class, r.Status, r.ElapsedMS, r.Reason)
			if n++; n == linkRowsMax {
				if err := flush(n); err != nil {
					return err
				}
				n = 0
			}
		}
		return flush(n)
	})
	if err != nil {
		return db.explain(err)
	}
	return nil
}

// linkRowsMax is how many link results one INSERT writes.
const linkRowsMax = 32

// rowsOf is n rows of cols placeholders each: "(?, ?), (?, ?)".
func rowsOf(cols, n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// FinishLinkRun closes a link run with its status (complete, failed or
// interrupted), its totals and an error message, even when ctx is cancelled.
func (db *DB) FinishLinkRun(ctx context.Context, runID int64, status string, c LinkCounts, errMsg string) error {
	db.analyze(ctx, c.URLs, "links", "link_checks")
	return db.finishRun(ctx, linkRuns, runID, status, errMsg,
		`urls = ?, hosts = ?, ok = ?, broken = ?, failing = ?, unsure = ?, invalid = ?, blocked = ?, skipped = ?`,
		c.URLs, c.Hosts, c.OK, c.Broken, c.Failing, c.Unsure, c.Invalid, c.Blocked, c.Skipped)
}

// LinkRuns lists the portal's link runs, newest first.
func (db *DB) LinkRuns(ctx context.Context, portalID int64) ([]LinkRun, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, portal_id, started_at, finished_at, status, urls, hosts, ok, broken,
		failing, unsure, invalid, blocked, skipped, error FROM link_runs WHERE portal_id = ? ORDER BY id DESC`, portalID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []LinkRun
	for rows.Next() {
		var r LinkRun
		var started, finished sql.NullString
		if err := rows.Scan(&r.ID, &r.PortalID, &started, &finished, &r.Status, &r.URLs, &r.Hosts, &r.OK, &r.Broken,
			&r.Failing, &r.Unsure, &r.Invalid, &r.Blocked, &r.Skipped, &r.Error); err != nil {
			return nil, db.explain(err)
		}
		r.StartedAt, r.FinishedAt = parseTS(started), parseTS(finished)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// LinkFilter selects the links of the scope's portal (used by its
// organizations when it names some) LinkRows lists. Empty fields do not
// filter.
type LinkFilter struct {
	vigie.Scope
	Classes []string // ok, broken, failing, unsure, invalid, blocked
	RunID   int64    // only URLs last checked by this link run
}

// LinkRow is a URL's latest state with the names of the active datasets
// that use it.
type LinkRow struct {
	vigie.LinkResult
	Datasets []string
}

// LinkRows lists the checked URLs of the portal's active datasets, worst
// class first, then by URL.
func (db *DB) LinkRows(ctx context.Context, f LinkFilter) ([]LinkRow, error) {
	portalID, err := db.scopePortal(ctx, f.Scope)
	if err != nil {
		return nil, err
	}
	orgSQL, orgArgs := sqlIn("d.organization", f.Orgs)
	classSQL, classArgs := sqlIn("l.class", f.Classes)
	args := append(append([]any{portalID}, orgArgs...), classArgs...)
	runSQL := ""
	if f.RunID != 0 {
		runSQL = " AND l.run_id = ?"
		args = append(args, f.RunID)
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT `+linkCols("l.")+`, `+db.jsonArrayAgg("DISTINCT d.name")+`
		FROM links l
		JOIN resources r ON r.url = l.url
		JOIN datasets d ON d.portal_id = r.portal_id AND d.id = r.dataset_id AND d.state = 'active'
		WHERE r.portal_id = ?`+orgSQL+classSQL+runSQL+`
		GROUP BY l.url
		ORDER BY CASE l.class WHEN 'broken' THEN 0 WHEN 'failing' THEN 1 WHEN 'unsure' THEN 2 WHEN 'blocked' THEN 3
			WHEN 'invalid' THEN 4 ELSE 5 END, l.url`, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []LinkRow
	for rows.Next() {
		var names string
		l, err := scanLink(rows, &names)
		if err != nil {
			return nil, db.explain(err)
		}
		row := LinkRow{LinkResult: l}
		_ = json.Unmarshal([]byte(names), &row.Datasets)
		sort.Strings(row.Datasets)
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
