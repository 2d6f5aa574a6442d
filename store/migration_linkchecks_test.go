package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"testing"

	vigie "github.com/vigie-audit/vigie"
)

// TestMigrationKeysLinkChecksByURL writes a link-check history as vigie
// kept it before 0200 (a rowid table keyed by run and URL), opens the
// database with today's code and checks that every check is still there,
// now keyed by URL then run, and that a URL's class as of each run reads the
// same.
func TestMigrationKeysLinkChecksByURL(t *testing.T) {
	ctx := context.Background()
	path, raw, exec := schemaBefore(t, "0200")
	exec(`INSERT INTO portals (id, url) VALUES (1, 'https://a.example'), (2, 'https://b.example')`)
	exec(`INSERT INTO datasets (portal_id, id, name) VALUES (1, 'd', 'd')`)
	urls := []string{"https://h/x", "https://h/a", "https://h/é?q=1", "https://h/y"}
	for i, u := range urls {
		exec(`INSERT INTO resources (portal_id, dataset_id, id, position, url) VALUES (1, 'd', ?, ?, ?)`, fmt.Sprint("r", i), i, u)
	}
	// Runs 1 and 3 are portal 1's, run 2 another portal's; a URL left out
	// of run 3 keeps its class of run 1.
	classes := map[int64]map[string]string{
		1: {urls[0]: "ok", urls[1]: "failing", urls[2]: "broken"},
		2: {urls[0]: "broken", urls[1]: "ok"},
		3: {urls[0]: "broken", urls[1]: "ok", urls[3]: "unsure"},
	}
	for run := int64(1); run <= 3; run++ {
		portal := 1
		if run == 2 {
			portal = 2
		}
		exec(`INSERT INTO link_runs (id, portal_id, started_at, status) VALUES (?, ?, '2026-01-01T00:00:00Z', 'complete')`, run, portal)
		for u, c := range classes[run] {
			exec(`INSERT INTO link_checks (run_id, url, checked_at, class, status, elapsed_ms, reason) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				run, u, fmt.Sprintf("2026-01-0%dT00:00:00Z", run), c, 200+run, 10*run, "reason|"+c)
		}
	}
	dump := func(q *sql.DB) []string {
		t.Helper()
		rows, err := q.Query(`SELECT run_id, url, checked_at, class, status, elapsed_ms, reason FROM link_checks`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var run, status, elapsed int64
			var u, at, class, reason string
			if err := rows.Scan(&run, &u, &at, &class, &status, &elapsed, &reason); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(run, u, at, class, status, elapsed, reason))
		}
		sort.Strings(out)
		return out
	}
	before := dump(raw)
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if after := dump(db.sql); strings.Join(after, "\n") != strings.Join(before, "\n") {
		t.Errorf("link checks after 0200:\n%s\nwant\n%s", strings.Join(after, "\n"), strings.Join(before, "\n"))
	}
	var schema string
	if err := db.sql.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = 'link_checks'`).Scan(&schema); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(schema, "PRIMARY KEY (url, run_id)") || !strings.Contains(schema, "WITHOUT ROWID") {
		t.Errorf("link_checks after 0200: %s", schema)
	}
	got := map[string]string{}
	err = db.LinkStates(ctx, 1, 1, 3, func(r *LinkStateRow) error {
		got[r.URL] = fmt.Sprintf("%s→%s %d %s", r.Before, r.After, r.Status, r.Reason)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		urls[0]: "ok→broken 203 reason|broken",
		urls[1]: "failing→ok 203 reason|ok",
		urls[2]: "broken→broken 201 reason|broken",
		urls[3]: "→unsure 203 reason|unsure",
	}
	for u, w := range want {
		if got[u] != w {
			t.Errorf("%s: %q, want %q", u, got[u], w)
		}
	}
	// A run saved after the migration replaces its own check of a URL.
	for _, class := range []vigie.LinkClass{vigie.LinkBroken, vigie.LinkOK} {
		if err := db.SaveLinkResults(ctx, 3, []vigie.LinkResult{{URL: urls[3], Class: class, Status: 200}}); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	var class string
	if err := db.sql.QueryRow(`SELECT COUNT(*), MAX(class) FROM link_checks WHERE url = ?`, urls[3]).Scan(&n, &class); err != nil || n != 1 || class != "ok" {
		t.Errorf("saved twice in one run: %d checks, class %q (%v)", n, class, err)
	}
}
