package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	vigie "github.com/vigie-audit/vigie"
)

// TestMigrationKeysLinks writes URL states as vigie kept them before 0230
// (a rowid table beside its url key), opens the database with today's code
// and checks that every row and column is still there, now inside the URL
// key (WITHOUT ROWID), that the due-URL list and the stored states read the
// same, and that saving and pruning work on the new table.
func TestMigrationKeysLinks(t *testing.T) {
	ctx := context.Background()
	path, raw, exec := schemaBefore(t, "0230")
	exec(`INSERT INTO portals (id, url) VALUES (1, 'https://a.example')`)
	exec(`INSERT INTO harvest_runs (id, portal_id, started_at, finished_at, mode, status) VALUES (1, 1, '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z', 'full', 'complete')`)
	exec(`INSERT INTO datasets (portal_id, id, name, num_resources, first_seen_run, last_seen_run) VALUES (1, 'd1', 'eau', 3, 1, 1)`)
	exec(`INSERT INTO resources (portal_id, dataset_id, id, position, format, url) VALUES
		(1, 'd1', 'r1', 0, 'CSV', 'https://h/z.csv'), (1, 'd1', 'r2', 1, 'PDF', 'https://h/a.pdf'), (1, 'd1', 'r3', 2, 'CSV', 'https://h/é.csv')`)
	exec(`INSERT INTO link_runs (id, portal_id, started_at, finished_at, status) VALUES (1, 1, '2026-01-01T02:00:00Z', '2026-01-01T03:00:00Z', 'complete')`)
	// Written in an order that is not the key's, with NULL and set optional
	// columns, a long reason and non-ASCII text; one URL no resource uses
	// and no check refers to (prune removes it).
	exec(`INSERT INTO links (url, class, status, final_url, redirects, content_type, content_length, last_modified, etag,
		elapsed_ms, reason, landing_page, failures, first_failure, last_success, checked_at, run_id, skipped, head_status) VALUES
		('https://h/z.csv', 'ok', 200, 'https://h/z2.csv', 1, 'text/csv', 42, '2025-12-01T00:00:00Z', '"e1"', 12, '', 0, 0, NULL, '2026-01-01T02:00:00Z', '2026-01-01T02:00:00Z', 1, 0, 200),
		('https://h/gone.csv', 'failing', 404, '', 0, '', -1, NULL, '', 3, 'http_status|404', 0, 1, '2026-01-01T02:00:01Z', NULL, '2026-01-01T02:00:01Z', 1, 0, 404),
		('https://h/é.csv', 'unsure', 0, '', 0, '', -1, NULL, '', 10000, ?, 0, 2, '2025-12-30T02:00:00Z', '2025-12-01T00:00:00Z', '2026-01-01T02:00:02Z', 1, 1, 0),
		('https://h/a.pdf', 'ok', 200, '', 0, 'text/html', 0, NULL, '', 5, 'landing_page|PDF', 1, 0, NULL, '2026-01-01T02:00:03Z', '2026-01-01T02:00:03Z', NULL, 0, 200)`,
		"timeout|"+strings.Repeat("délai ", 300))
	exec(`INSERT INTO link_checks (run_id, url, checked_at, class, status, elapsed_ms, reason) VALUES
		(1, 'https://h/z.csv', '2026-01-01T02:00:00Z', 'ok', 200, 12, ''), (1, 'https://h/a.pdf', '2026-01-01T02:00:03Z', 'ok', 200, 5, 'landing_page|PDF')`)
	dump := func(db *DB) []string {
		t.Helper()
		return dumpRows(t, db.sql, `SELECT `+linkColumns+`, run_id FROM links ORDER BY url`)
	}
	before := dumpRows(t, raw, `SELECT `+linkColumns+`, run_id FROM links ORDER BY url`)
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC) }
	if got := dump(db); strings.Join(got, "\n") != strings.Join(before, "\n") {
		t.Errorf("links after 0230:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(before, "\n"))
	}
	var schema, indexes string
	if err := db.sql.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'links'`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(schema, "url            TEXT PRIMARY KEY") || !strings.Contains(schema, "WITHOUT ROWID") {
		t.Errorf("links after 0230: %s", schema)
	}
	if err := db.sql.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'links' AND sql IS NOT NULL`).Scan(&indexes); err != nil || indexes != "0" {
		t.Errorf("indexes of their own on links after 0230: %s %v", indexes, err)
	}

	// The due-URL list carries each URL's previous state.
	due, err := db.URLsToCheck(ctx, vigie.Scope{Portal: "https://a.example"}, true, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range due {
		s := d.URL + " " + strings.Join(d.Formats, ",")
		if h := d.Prev; h != nil {
			s += fmt.Sprintf(" failed %d", h.Failures)
			if !h.FirstFailure.IsZero() {
				s += " since " + h.FirstFailure.Format(time.RFC3339)
			}
			if !h.LastSuccess.IsZero() {
				s += " ok " + h.LastSuccess.Format(time.RFC3339)
			}
		}
		got = append(got, s)
	}
	if w := "https://h/z.csv CSV failed 0 ok 2026-01-01T02:00:00Z|https://h/é.csv CSV failed 2 since 2025-12-30T02:00:00Z ok 2025-12-01T00:00:00Z|https://h/a.pdf PDF failed 0 ok 2026-01-01T02:00:03Z"; strings.Join(got, "|") != w {
		t.Errorf("due after 0230:\n%s\nwant\n%s", strings.Join(got, "|"), w)
	}

	// A new result replaces a URL's state; a new URL is added.
	run, err := db.BeginLinkRun(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SaveLinkResults(ctx, run, []vigie.LinkResult{
		{URL: "https://h/z.csv", Class: vigie.LinkFailing, Status: 500, Failures: 1, ContentLength: -1},
		{URL: "https://h/new.csv", Class: vigie.LinkOK, Status: 200, ContentLength: 3},
	}); err != nil {
		t.Fatal(err)
	}
	all, err := db.LinkResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if z := all["https://h/z.csv"]; len(all) != 5 || z.Class != vigie.LinkFailing || z.Status != 500 || z.FinalURL != "" || all["https://h/new.csv"].ContentLength != 3 {
		t.Errorf("states after a save: %d, z.csv %+v", len(all), z)
	}

	// Pruning a small batch at a time names a link by its URL.
	plan, err := db.prunePlan(ctx, 5, 1)
	if err != nil {
		t.Fatal(err)
	}
	var st PruneStats
	if err := db.pruneInSteps(ctx, plan, &st); err != nil {
		t.Fatal(err)
	}
	if got := dumpRows(t, db.sql, `SELECT url FROM links ORDER BY url`); strings.Join(got, ",") != "https://h/a.pdf,https://h/new.csv,https://h/z.csv,https://h/é.csv" || st.Links != 1 {
		t.Errorf("links after pruning: %v (%d removed)", got, st.Links)
	}
}
