package store

import (
	"context"
	"database/sql"

	"github.com/vigie-audit/vigie"
)

// linkColumns are the links columns read into a vigie.LinkResult, in scan order.
const linkColumns = `url, class, status, final_url, redirects, content_type, content_length, last_modified,
	etag, elapsed_ms, reason, landing_page, failures, first_failure, last_success, checked_at`

type rowScanner interface{ Scan(dest ...any) error }

// scanLink reads one row selected with linkColumns (plus any extra dest).
func scanLink(r rowScanner, extra ...any) (vigie.LinkResult, error) {
	var l vigie.LinkResult
	var lastMod, firstFail, lastOK, checked sql.NullString
	var landing int
	dest := []any{&l.URL, &l.Class, &l.Status, &l.FinalURL, &l.Redirects, &l.ContentType, &l.ContentLength, &lastMod,
		&l.ETag, &l.ElapsedMS, &l.Reason, &landing, &l.Failures, &firstFail, &lastOK, &checked}
	if err := r.Scan(append(dest, extra...)...); err != nil {
		return l, err
	}
	l.LastModified = parseTSPtr(lastMod)
	l.LandingPage = landing != 0
	l.FirstFailure = parseTSPtr(firstFail)
	l.LastSuccess = parseTSPtr(lastOK)
	l.CheckedAt = parseTS(checked)
	return l, nil
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
