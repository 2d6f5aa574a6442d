package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	vigie "github.com/vigie-audit/vigie"
)

// TestMigrationKeysResourcesAndEvents writes resources and dataset events
// as vigie kept them before 0240 (rowid tables beside their keys), opens the
// database with today's code and checks that every row and column is still
// there, now inside the key (WITHOUT ROWID), that the readers return the
// same, and that writing, replacing and pruning work on the new tables.
func TestMigrationKeysResourcesAndEvents(t *testing.T) {
	ctx := context.Background()
	path, raw, exec := schemaBefore(t, "0240")
	exec(`INSERT INTO portals (id, url) VALUES (1, 'https://a.example'), (2, 'https://b.example')`)
	for run := 1; run <= 3; run++ {
		exec(`INSERT INTO harvest_runs (id, portal_id, started_at, finished_at, mode, status) VALUES (?, 1, ?, ?, 'full', 'complete')`,
			run, fmt.Sprintf("2026-01-0%dT00:00:00Z", run), fmt.Sprintf("2026-01-0%dT01:00:00Z", run))
	}
	exec(`INSERT INTO harvest_runs (id, portal_id, started_at, mode, status) VALUES (4, 2, '2026-01-03T00:00:00Z', 'full', 'complete')`)
	for _, d := range []struct {
		portal   int
		id, name string
	}{{1, "d1", "eau"}, {1, "d2", "air"}, {2, "d1", "sol"}} {
		exec(`INSERT INTO datasets (portal_id, id, name, num_resources, first_seen_run, last_seen_run) VALUES (?, ?, ?, 2, 1, 3)`, d.portal, d.id, d.name)
	}
	// Written in an order that is not the key's, with NULL and set
	// optional columns, a long description and non-ASCII text.
	exec(`INSERT INTO resources (portal_id, dataset_id, id, position, name, description, format, mimetype, url, resource_type,
		url_type, size, created, last_modified, extras) VALUES
		(1, 'd1', 'r2', 1, 'Données', ?, 'PDF', 'application/pdf', 'https://h/x.pdf', 'support', '', NULL, NULL, NULL, '{}'),
		(1, 'd2', 'r3', 0, 'Air', '', 'CSV', '', 'https://h/air.csv', '', 'upload', 0, '2026-01-01T00:00:00Z', NULL, '{"a":"b"}'),
		(2, 'd1', 'r9', 0, 'Sol', '', 'JSON', '', 'https://h/x.pdf', '', '', 7, NULL, '2026-01-02T00:00:00Z', '{}'),
		(1, 'd1', 'r1', 0, 'Eau', 'courte', 'CSV', 'text/csv', 'https://h/eau.csv', '', '', 42, '2025-12-31T23:59:59.5Z', '2026-01-01T00:00:00Z', '{"x":"é"}')`,
		strings.Repeat("une description longue ", 400))
	exec(`INSERT INTO dataset_events (run_id, portal_id, dataset_id, kind) VALUES
		(2, 1, 'd2', 'missing'), (1, 1, 'd1', 'new'), (1, 1, 'd2', 'new'), (3, 1, 'd2', 'restored'), (3, 1, 'd1', 'changed'), (4, 2, 'd1', 'new')`)

	resources := func(q *sql.DB) []string {
		t.Helper()
		return dumpRows(t, q, `SELECT portal_id, dataset_id, id, position, name, description, format, mimetype, url, resource_type,
			url_type, size, created, last_modified, extras FROM resources ORDER BY portal_id, dataset_id, position`)
	}
	events := func(q *sql.DB) []string {
		t.Helper()
		return dumpRows(t, q, `SELECT run_id, portal_id, dataset_id, kind FROM dataset_events ORDER BY run_id, dataset_id, kind`)
	}
	resBefore, evBefore := resources(raw), events(raw)
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Now = func() time.Time { return time.Date(2026, 1, 4, 0, 0, 0, 0, time.UTC) }
	if got := resources(db.sql); strings.Join(got, "\n") != strings.Join(resBefore, "\n") {
		t.Errorf("resources after 0240:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(resBefore, "\n"))
	}
	if got := events(db.sql); strings.Join(got, "\n") != strings.Join(evBefore, "\n") {
		t.Errorf("events after 0240:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(evBefore, "\n"))
	}
	for table, key := range map[string]string{"resources": "PRIMARY KEY (portal_id, dataset_id, position)", "dataset_events": "PRIMARY KEY (run_id, dataset_id, kind)"} {
		var schema string
		if err := db.sql.QueryRow(`SELECT sql FROM sqlite_schema WHERE name = ?`, table).Scan(&schema); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(schema, key) || !strings.Contains(schema, "WITHOUT ROWID") {
			t.Errorf("%s after 0240: %s", table, schema)
		}
	}
	var indexes string
	if err := db.sql.QueryRow(`SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema
		WHERE type = 'index' AND tbl_name IN ('resources', 'dataset_events') ORDER BY name)`).Scan(&indexes); err != nil {
		t.Fatal(err)
	}
	if indexes != "resources_url" {
		t.Errorf("indexes on resources and dataset_events after 0240: %q, want resources_url alone", indexes)
	}

	// The readers: a dataset's resources in order, a run's events.
	d, err := db.GetDataset(ctx, 1, "eau")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Resources) != 2 || d.Resources[0].ID != "r1" || d.Resources[1].ID != "r2" || *d.Resources[0].Size != 42 ||
		d.Resources[0].Extras["x"] != "é" || d.Resources[1].Size != nil || len(d.Resources[1].Description) != 9200 {
		t.Errorf("d1's resources after 0240: %+v", d.Resources)
	}
	var got []string
	if err := db.DatasetEvents(ctx, 1, 0, 3, func(id, kind string) error {
		got = append(got, id+" "+kind)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if w := "d1 new,d2 new,d2 missing,d2 restored"; strings.Join(got, ",") != w {
		t.Errorf("events of portal 1: %v, want %s", got, w)
	}

	// A changed dataset replaces its resources; its event is recorded once.
	ch := vigie.Dataset{ID: "d1", Name: "eau", Title: "Eau", Resources: []vigie.Resource{{ID: "r5", URL: "https://h/new.csv"}}}
	for range 2 {
		if _, err := db.SaveDatasets(ctx, 1, 3, []vigie.Dataset{ch}); err != nil {
			t.Fatal(err)
		}
	}
	if got := dumpRows(t, db.sql, `SELECT id, position, url FROM resources WHERE portal_id = 1 AND dataset_id = 'd1'`); strings.Join(got, ",") != "r5|0|https://h/new.csv" {
		t.Errorf("d1's resources once changed: %v", got)
	}
	if got := dumpRows(t, db.sql, `SELECT kind FROM dataset_events WHERE run_id = 3 AND dataset_id = 'd1'`); strings.Join(got, ",") != "changed" {
		t.Errorf("d1's events in run 3: %v", got)
	}

	// Pruning a small batch at a time names the events by their key.
	plan, err := db.prunePlan(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	var st PruneStats
	if err := db.pruneInSteps(ctx, plan, &st); err != nil {
		t.Fatal(err)
	}
	if got := events(db.sql); strings.Join(got, ",") != "3|1|d1|changed,3|1|d2|restored,4|2|d1|new" || st.DatasetEvents != 3 {
		t.Errorf("events after keeping one run: %v (%d removed)", got, st.DatasetEvents)
	}
}

// dumpRows reads every row of q as its columns joined by |, NULL as ∅.
func dumpRows(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				parts[i] = "∅"
			case []byte:
				parts[i] = string(v)
			default:
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
