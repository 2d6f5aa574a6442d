package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestMigrationsKeepFindingTexts builds a database as vigie left it at each
// earlier schema (findings with their own text columns, then the 0004
// dictionary), opens it with the current code and reads every text back.
func TestMigrationsKeepFindingTexts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	old := &DB{sql: raw, path: path, Now: func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }}
	if _, err := raw.Exec(`CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrations, "migration/*.sql")
	sort.Strings(names)
	apply := func(upTo string) {
		t.Helper()
		for _, n := range names {
			if filepath.Base(n) <= upTo {
				if err := old.migrateFile(ctx, n); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	type text struct{ msgFR, msgEN, hintFR, hintEN string }
	want := map[string]text{}
	finding := func(ds string, seq int, x text) {
		exec(`INSERT INTO findings (score_run_id, dataset_id, seq, rule, dimension, severity, message_fr, message_en, hint_fr, hint_en)
			VALUES (1, ?, ?, 'R', 'completeness', 'warning', ?, ?, ?, ?)`, ds, seq, x.msgFR, x.msgEN, x.hintFR, x.hintEN)
		want[fmt.Sprintf("%s/%d", ds, seq)] = x
	}

	// Schema 0001-0002: texts in the findings rows.
	apply("0002_link_checks_by_url.sql")
	exec(`INSERT INTO portals (id, url) VALUES (1, 'https://portal.example')`)
	for _, id := range []string{"a", "b"} {
		exec(`INSERT INTO datasets (portal_id, id, name, organization) VALUES (1, ?, ?, 'org')`, id, "name-"+id)
		exec(`INSERT INTO scores (score_run_id, dataset_id) VALUES (1, ?)`, id)
	}
	exec(`INSERT INTO score_runs (id, portal_id, profile, started_at, status) VALUES (1, 1, 'ckan', '2026-01-01T00:00:00Z', 'complete')`)
	shared := text{"Titre manquant.", "Missing title.", "Ajoutez un titre.", "Add a title."}
	finding("a", 0, shared)
	finding("b", 0, shared)
	finding("a", 1, text{"Aucune licence.", "No licence.", "", ""})
	// Schema 0004: the same texts moved to the combined dictionary; a row
	// written then with its own text (no dictionary entry) must survive too.
	apply("0004_finding_texts.sql")
	finding("b", 1, text{"Lien brisé (HTTP 404).", "Broken link (HTTP 404).", "Réparez le lien.", "Fix the link."})
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	// Today's code migrates the rest (0005 onwards) on open.
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, lang := range []string{"fr", "en"} {
		got := 0
		seq := map[string]int{} // findings come in seq order within a dataset
		err := db.ReportFindings(ctx, ReportScope{PortalID: 1, ScoreRunID: 1, Lang: lang}, func(f *ReportFinding) error {
			key := fmt.Sprintf("%s/%d", f.DatasetID, seq[f.DatasetID])
			seq[f.DatasetID]++
			w, ok := want[key]
			if !ok {
				return fmt.Errorf("unexpected finding %s", key)
			}
			msg, hint := w.msgFR, w.hintFR
			if lang == "en" {
				msg, hint = w.msgEN, w.hintEN
			}
			if f.Message.In(lang) != msg || f.Hint.In(lang) != hint {
				t.Errorf("%s %s: message %q hint %q, want %q %q", lang, key, f.Message.In(lang), f.Hint.In(lang), msg, hint)
			}
			got++
			return nil
		})
		if err != nil || got != len(want) {
			t.Fatalf("%s: read %d of %d findings: %v", lang, got, len(want), err)
		}
	}
	var cols string
	if err := db.sql.QueryRow(`SELECT group_concat(name) FROM pragma_table_info('findings')`).Scan(&cols); err != nil || strings.Contains(cols, "text_id") {
		t.Errorf("findings columns after migrating: %s %v", cols, err)
	}
}
