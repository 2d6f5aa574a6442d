package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// TestMigrationsKeepFindingTexts builds a database as vigie left it at each
// earlier schema (findings with their own text columns, then the 0004
// dictionary), opens it with the current code and reads every text back.
func TestMigrationsKeepFindingTexts(t *testing.T) {
	ctx := context.Background()
	path, raw, migrateBefore, exec := oldDatabase(t)
	type text struct{ msgFR, msgEN, hintFR, hintEN string }
	want := map[string]text{}
	finding := func(ds string, seq int, x text) {
		exec(`INSERT INTO findings (score_run_id, dataset_id, seq, rule, dimension, severity, message_fr, message_en, hint_fr, hint_en)
			VALUES (1, ?, ?, 'R', 'completeness', 'warning', ?, ?, ?, ?)`, ds, seq, x.msgFR, x.msgEN, x.hintFR, x.hintEN)
		want[fmt.Sprintf("%s/%d", ds, seq)] = x
	}

	// Schema 0001-0002: texts in the findings rows.
	migrateBefore("0004") // up to 0002_link_checks_by_url (there is no 0003)
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
	migrateBefore("0005") // up to 0004_finding_texts
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
		err := db.ReportFindings(ctx, ReportScope{Scope: vigie.Scope{Portal: "https://portal.example"}, ScoreRunID: 1, Lang: lang}, func(f *ReportFinding) error {
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
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('findings', 'findings_rule')`).Scan(&n); err != nil || n != 0 {
		t.Errorf("the findings table and its index are still there after migrating (%d, %v)", n, err)
	}
}

// TestMigrationMovesFindingsPerDataset builds a database as vigie left it
// before 0140 (one row per finding, texts in finding_texts), with awkward
// values, and checks that every finding reads back the same through every
// reader once the findings are held per dataset.
func TestMigrationMovesFindingsPerDataset(t *testing.T) {
	ctx := context.Background()
	path, raw, exec := schemaBefore(t, "0140")
	exec(`INSERT INTO portals (id, url) VALUES (1, 'https://portal.example')`)
	for run := 1; run <= 2; run++ {
		exec(`INSERT INTO score_runs (id, portal_id, profile, started_at, status, datasets) VALUES (?, 1, 'ckan', '2026-01-01T00:00:00Z', 'complete', 3)`, run)
	}
	for _, id := range []string{"a", "b", "c"} {
		exec(`INSERT INTO datasets (portal_id, id, name, organization) VALUES (1, ?, ?, 'org')`, id, "name-"+id)
		for run := 1; run <= 2; run++ {
			exec(`INSERT INTO scores (score_run_id, dataset_id) VALUES (?, ?)`, run, id)
		}
	}
	exec(`INSERT INTO finding_texts (id, fr, en) VALUES (7, 'Titre « court ».', 'Short "title".'), (9223372036854775806, 'Ajoutez un titre.', 'Add a title.'),
		(12, 'Ligne
suivante	tab', '')`)
	type row struct {
		run        int
		ds         string
		seq        int
		rule, res  string
		points     float64
		msg, hint  int64
		ownFR, own string // a row that carries its own message
	}
	rows := []row{
		{1, "a", 1, "R2", "rés-1 \"q\" \\ \u2028", 0.1 + 0.2, 12, 0, "", ""},
		{1, "a", 0, "R1", "", 3.33, 7, 9223372036854775806, "", ""},
		{1, "b", 0, "R1", "\x01ctl", 12.5, 7, 9223372036854775806, "", ""},
		{1, "b", 1, "R3", "", 0, 0, 0, "Texte ancien", "Old text"},
		{2, "a", 0, "R1", "", 1e-7, 7, 0, "", ""},
	}
	for _, r := range rows {
		exec(`INSERT INTO findings (score_run_id, dataset_id, seq, rule, dimension, severity, resource_id, points, message_id, hint_id, message_fr, message_en)
			VALUES (?, ?, ?, ?, 'completeness', 'warning', ?, ?, ?, ?, ?, ?)`, r.run, r.ds, r.seq, r.rule, r.res, r.points, r.msg, r.hint, r.ownFR, r.own)
	}
	text := func(id int64, fr, en string) vigie.Text {
		switch id {
		case 7:
			return vigie.Text{FR: "Titre « court ».", EN: `Short "title".`}
		case 9223372036854775806:
			return vigie.Text{FR: "Ajoutez un titre.", EN: "Add a title."}
		case 12:
			return vigie.Text{FR: "Ligne\nsuivante\ttab"}
		}
		return vigie.Text{FR: fr, EN: en}
	}
	want := map[[2]string][]vigie.Finding{}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].seq < rows[j].seq })
	for _, r := range rows {
		k := [2]string{fmt.Sprint(r.run), r.ds}
		want[k] = append(want[k], vigie.Finding{Rule: r.rule, Dimension: "completeness", Severity: "warning", ResourceID: r.res,
			Points: r.points, Message: text(r.msg, r.ownFR, r.own), Hint: text(r.hint, "", "")})
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for run := 1; run <= 2; run++ {
		for _, ds := range []string{"a", "b", "c"} {
			got, err := db.Findings(ctx, int64(run), ds)
			if err != nil {
				t.Fatal(err)
			}
			w := want[[2]string{fmt.Sprint(run), ds}]
			if w == nil {
				w = []vigie.Finding{}
			}
			if !reflect.DeepEqual(got, w) {
				t.Errorf("run %d dataset %s: findings %+v, want %+v", run, ds, got, w)
			}
		}
	}
	n := 0
	err = db.EachFindingExport(ctx, ExportFilter{}, func(x *ExportFinding) error {
		w := want[[2]string{fmt.Sprint(x.ScoreRunID), x.DatasetID}]
		if int(x.Seq) >= len(w) || w[x.Seq].Rule != x.Rule || w[x.Seq].Message.EN != x.MessageEN || w[x.Seq].Points != x.Points {
			t.Errorf("exported finding %+v is not one of %+v", x, w)
		}
		n++
		return nil
	})
	if err != nil || n != len(rows) {
		t.Errorf("exported %d of %d findings: %v", n, len(rows), err)
	}
	counts, err := db.RuleCounts(ctx, 1)
	if err != nil || len(counts) != 3 || counts[0].Rule != "R1" || counts[0].Datasets != 2 || counts[0].Points != 3.33+12.5 {
		t.Errorf("rule counts of run 1: %+v %v", counts, err)
	}
}

// TestMigration0140OnEitherEngine runs the 0140 migration of the engine
// under test (SQLite, or PostgreSQL with VIGIE_TEST_POSTGRES) over findings
// rows as the older schema held them, and reads them back.
func TestMigration0140OnEitherEngine(t *testing.T) {
	f := newFixture(t)
	f.dataset("a", "org", "active")
	f.dataset("b", "org", "active")
	run := f.exec(`INSERT INTO score_runs (portal_id, profile, started_at, status, datasets) VALUES (?, 'ckan', '2026-01-01T00:00:00Z', 'complete', 2)`, f.portal)
	for _, id := range []string{"a", "b"} {
		f.exec(`INSERT INTO scores (score_run_id, dataset_id) VALUES (?, ?)`, run, id)
	}
	f.exec(`CREATE TABLE findings (score_run_id BIGINT NOT NULL, dataset_id TEXT NOT NULL, seq BIGINT NOT NULL, rule TEXT NOT NULL,
		dimension TEXT NOT NULL, severity TEXT NOT NULL, resource_id TEXT NOT NULL DEFAULT '', points DOUBLE PRECISION NOT NULL DEFAULT 0,
		message_fr TEXT NOT NULL DEFAULT '', message_en TEXT NOT NULL DEFAULT '', hint_fr TEXT NOT NULL DEFAULT '', hint_en TEXT NOT NULL DEFAULT '',
		message_id BIGINT NOT NULL DEFAULT 0, hint_id BIGINT NOT NULL DEFAULT 0, PRIMARY KEY (score_run_id, dataset_id, seq))`)
	msg := vigie.Text{FR: "Titre « court »\n", EN: `Short "title"`}
	mid := f.text(msg)
	rows := []storedFinding{
		{Rule: "R2", Dimension: vigie.DimCompleteness, Severity: vigie.SevWarning, ResourceID: `r "1" \ é`, Points: 0.1 + 0.2, MessageID: mid},
		{Rule: "R1", Dimension: vigie.DimOpenness, Severity: vigie.SevError, Points: 12.5, MessageID: mid, HintID: 9223372036854775806},
	}
	for seq, r := range []int{1, 0} { // written out of order
		x := rows[r]
		f.exec(`INSERT INTO findings (score_run_id, dataset_id, seq, rule, dimension, severity, resource_id, points, message_id, hint_id)
			VALUES (?, 'a', ?, ?, ?, ?, ?, ?, ?, ?)`, run, 1-seq, x.Rule, x.Dimension, x.Severity, x.ResourceID, x.Points, x.MessageID, x.HintID)
	}
	f.exec(`DELETE FROM migrations WHERE name LIKE '%0140_dataset_findings.sql'`)
	if err := f.db.migrate(f.ctx); err != nil {
		t.Fatal(err)
	}
	got, err := f.db.Findings(f.ctx, run, "a")
	if err != nil {
		t.Fatal(err)
	}
	want := []vigie.Finding{
		{Rule: "R2", Dimension: vigie.DimCompleteness, Severity: vigie.SevWarning, ResourceID: `r "1" \ é`, Points: 0.1 + 0.2, Message: msg},
		{Rule: "R1", Dimension: vigie.DimOpenness, Severity: vigie.SevError, Points: 12.5, Message: msg},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings after 0140: %+v, want %+v", got, want)
	}
	if got, err := f.db.Findings(f.ctx, run, "b"); err != nil || len(got) != 0 {
		t.Errorf("dataset without findings: %+v %v", got, err)
	}
}

// schemaBefore creates a SQLite database as vigie left it before migration
// number before ("0140": every migration up to 0139 applied), and returns its
// path, the open database and an exec that fails the test on error.
func schemaBefore(t *testing.T, before string) (string, *sql.DB, func(q string, args ...any)) {
	t.Helper()
	path, raw, migrateBefore, exec := oldDatabase(t)
	migrateBefore(before)
	return path, raw, exec
}

// oldDatabase creates an empty SQLite database with vigie's migrations table
// and returns its path, the open database, migrateBefore (applies every
// migration numbered below before that is not applied yet, so it can be
// called again with a later number) and an exec that fails the test on error.
func oldDatabase(t *testing.T) (string, *sql.DB, func(before string), func(q string, args ...any)) {
	t.Helper()
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
	migrateBefore := func(before string) {
		t.Helper()
		for _, n := range names {
			if filepath.Base(n) < before {
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
	return path, raw, migrateBefore, exec
}
