package store

import (
	"bytes"
	"context"
	"database/sql"

	"github.com/vigie-audit/vigie"
)

// linkClassesWay is how reportLinkClasses counts with a link run:
// linkClassesAuto picks by cost (linkClassesMergeCheap); tests force the
// probes or the merge to compare the two.
var linkClassesWay = linkClassesAuto

const (
	linkClassesAuto = iota
	linkClassesProbe
	linkClassesMerge
)

// linkClassesMergeCheap reports whether reading the whole of link_checks
// once costs less than probing it once per URL of the portal: when the
// checks kept (the URLs of every link run still stored, all portals) are at
// most three times the URLs of the portal's latest link run. Probing a
// WITHOUT ROWID B-tree costs several times stepping to its next row; a
// database keeping a long history of link runs, or many portals, probes.
func (db *DB) linkClassesMergeCheap(ctx context.Context, conn querier, portalID int64) (bool, error) {
	var all, latest int64
	err := conn.QueryRowContext(ctx, `SELECT COALESCE(SUM(urls), 0),
		COALESCE((SELECT urls FROM link_runs WHERE portal_id = ? ORDER BY id DESC LIMIT 1), 0) FROM link_runs`, portalID).Scan(&all, &latest)
	if err != nil {
		return false, db.explain(err)
	}
	return latest > 0 && all <= 3*latest, nil
}

// linkClassesMerged counts what reportLinkClasses counts with a link run,
// on SQLite, without a probe per resource or per URL: the scope's scored
// datasets are read into a set, then the URL index of the resources and
// link_checks, both in URL order (BINARY, the order of GROUP BY url and of
// link_checks' key), are read side by side once. A URL is in the scope when
// one of its resources belongs to a dataset of the set; its class is that
// of its check in the latest of the portal's link runs numbered at most
// linkRun, as the probe's ORDER BY run_id DESC LIMIT 1 finds it. The reads
// share one read transaction, so they see the state a single statement saw.
func (db *DB) linkClassesMerged(ctx context.Context, conn querier, s ReportScope, org string, orgArgs []any, linkRun int64) (classes map[vigie.LinkClass]int, total int, err error) {
	if db.snap == nil {
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			return nil, 0, db.explain(err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
	}
	runs := map[int64]bool{}
	if err := eachRow(ctx, conn, `SELECT id FROM link_runs WHERE portal_id = ? AND id <= ?`, []any{s.portalID, linkRun}, func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		runs[id] = true
		return nil
	}); err != nil {
		return nil, 0, db.explain(err)
	}
	q := `SELECT s.dataset_id FROM scores s WHERE s.score_run_id = ?`
	args := []any{s.ScoreRunID}
	if org != "" {
		q = `SELECT s.dataset_id FROM scores s JOIN datasets d ON d.portal_id = ? AND d.id = s.dataset_id WHERE s.score_run_id = ?` + org
		args = append([]any{s.portalID, s.ScoreRunID}, orgArgs...)
	}
	scored := map[string]struct{}{}
	if err := eachRow(ctx, conn, q, args, func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		scored[id] = struct{}{}
		return nil
	}); err != nil {
		return nil, 0, db.explain(err)
	}

	res, err := conn.QueryContext(ctx, `SELECT r.url, r.dataset_id FROM resources r`+db.indexedBy("resources_url")+`
		WHERE r.url > '' AND r.portal_id = ? ORDER BY r.url`, s.portalID)
	if err != nil {
		return nil, 0, db.explain(err)
	}
	defer res.Close()
	chk, err := conn.QueryContext(ctx, `SELECT url, run_id, class FROM link_checks ORDER BY url, run_id`)
	if err != nil {
		return nil, 0, db.explain(err)
	}
	defer chk.Close()

	classes = map[vigie.LinkClass]int{}
	byName := map[string]vigie.LinkClass{}
	var url, dataset, cURL, cClass, last sql.RawBytes
	var cRun int64
	cOK := chk.Next() // chk holds the first check not yet passed
	if cOK {
		if err := chk.Scan(&cURL, &cRun, &cClass); err != nil {
			return nil, 0, db.explain(err)
		}
	}
	var inScope, started bool
	// finish counts the URL last when one of its resources is in scope.
	finish := func() error {
		if !started || !inScope {
			return nil
		}
		total++
		for cOK && bytes.Compare(cURL, last) < 0 {
			if cOK = chk.Next(); cOK {
				if err := chk.Scan(&cURL, &cRun, &cClass); err != nil {
					return err
				}
			}
		}
		var best int64 = -1
		var class string
		for cOK && bytes.Equal(cURL, last) {
			if runs[cRun] && cRun > best {
				best = cRun
				c, ok := byName[string(cClass)]
				if !ok {
					c = vigie.LinkClass(cClass)
					byName[string(c)] = c
				}
				class = string(c)
			}
			if cOK = chk.Next(); cOK {
				if err := chk.Scan(&cURL, &cRun, &cClass); err != nil {
					return err
				}
			}
		}
		if best >= 0 {
			classes[vigie.LinkClass(class)]++
		}
		return nil
	}
	for res.Next() {
		if err := res.Scan(&url, &dataset); err != nil {
			return nil, 0, db.explain(err)
		}
		if !started || !bytes.Equal(url, last) {
			if err := finish(); err != nil {
				return nil, 0, db.explain(err)
			}
			last = append(last[:0], url...)
			started, inScope = true, false
		}
		if !inScope {
			_, inScope = scored[string(dataset)]
		}
	}
	if err := res.Err(); err != nil {
		return nil, 0, db.explain(err)
	}
	if err := finish(); err != nil {
		return nil, 0, db.explain(err)
	}
	if err := chk.Err(); err != nil {
		return nil, 0, db.explain(err)
	}
	return classes, total, nil
}

// eachRow runs q and calls fn for each of its rows.
func eachRow(ctx context.Context, conn querier, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := conn.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
