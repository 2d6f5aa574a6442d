package store

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/vigie-audit/vigie"
)

// planFixture opens a store on one connection, so that a PostgreSQL
// session's prepared statements and the tables' statistics are those of
// the statements the test runs.
func planFixture(t *testing.T) (*DB, int64) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.sql.SetMaxOpenConns(1)
	p, err := db.EnsurePortal(ctx, "https://ckan.example.org")
	if err != nil {
		t.Fatal(err)
	}
	return db, p.ID
}

func planDataset(i int) vigie.Dataset {
	return vigie.Dataset{ID: fmt.Sprintf("id-%04d", i), Name: fmt.Sprintf("jeu-%04d", i), Title: fmt.Sprintf("Jeu %d", i),
		Resources: []vigie.Resource{{ID: fmt.Sprintf("r-%04d", i), URL: fmt.Sprintf("https://files.example.org/%d.csv", i), Format: "CSV"}}}
}

// TestHarvestLookupPlannedEachPage: the lookup of a page's stored hashes is
// planned at each page, never kept as a prepared statement on the
// connection. PostgreSQL plans a cached statement once for all after five
// executions; made while a first harvest's first pages were written, that
// plan kept a sequential scan of the datasets table, and each later page
// read the whole table (11.4 of the 19.8 s of a 20,000-dataset harvest,
// quadratic). Seven pages, each with the previous page's datasets again,
// count right on both stores; on PostgreSQL the session holds no prepared
// lookup afterwards, while the same query run without the mark is kept.
func TestHarvestLookupPlannedEachPage(t *testing.T) {
	ctx := context.Background()
	db, portal := planFixture(t)
	run, err := db.BeginHarvestRun(ctx, portal, HarvestOptions{Mode: ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	for page := 0; page < 7; page++ {
		var ds []vigie.Dataset
		if page > 0 {
			for i := (page - 1) * 3; i < page*3; i++ {
				ds = append(ds, planDataset(i))
			}
		}
		for i := page * 3; i < page*3+3; i++ {
			ds = append(ds, planDataset(i))
		}
		c, err := db.SaveDatasets(ctx, portal, run, ds)
		if err != nil {
			t.Fatal(err)
		}
		if want := (SaveCounts{New: 3, Unchanged: len(ds) - 3}); c != want {
			t.Fatalf("page %d: %+v, want %+v", page, c, want)
		}
	}
	if !db.Postgres() {
		return
	}
	prepared := func() int {
		t.Helper()
		var n int
		if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_prepared_statements
			WHERE statement LIKE 'SELECT id, content_hash, state FROM datasets%'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := prepared(); n != 0 {
		t.Fatalf("the page lookup is kept as %d prepared statement(s): its plan would be made once for all", n)
	}
	// The check sees this session's statements: the same query, unmarked, stays.
	rows, err := db.sql.QueryContext(ctx, `SELECT id, content_hash, state FROM datasets WHERE portal_id = ? AND id IN (?)`, portal, "id-0000")
	if err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if n := prepared(); n != 1 {
		t.Fatalf("an unmarked query: %d prepared statement(s), want 1", n)
	}
}

// analyzed reads how many times each table was analysed by a statement
// (autovacuum's own analyses are counted apart), on PostgreSQL.
func analyzed(t *testing.T, db *DB, tables ...string) map[string]int64 {
	t.Helper()
	out := make(map[string]int64, len(tables))
	for _, tb := range tables {
		var n int64
		if err := db.sql.QueryRowContext(context.Background(), `SELECT analyze_count FROM pg_stat_user_tables
			WHERE schemaname = current_schema() AND relname = ?`, tb).Scan(&n); err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		out[tb] = n
	}
	return out
}

// TestRunsAnalyzeWhatTheyWrote: on PostgreSQL a harvest, link or score run
// that wrote rows has the planner's statistics of its tables refreshed
// before it is recorded as finished, so that the next stage's reads (a
// night's comparison joins the new scores with their findings) are not
// planned on statistics that know nothing of them; a harvest that changed
// nothing, or under a tenth of the datasets, analyses nothing. On SQLite
// the runs finish the same.
func TestRunsAnalyzeWhatTheyWrote(t *testing.T) {
	ctx := context.Background()
	db, portal := planFixture(t)
	// a harvest of the 30 datasets, the first `changed` of them retitled
	harvest := func(changed int) SaveCounts {
		t.Helper()
		run, err := db.BeginHarvestRun(ctx, portal, HarvestOptions{Mode: ModeFull})
		if err != nil {
			t.Fatal(err)
		}
		var ds []vigie.Dataset
		for i := range 30 {
			d := planDataset(i)
			if i < changed {
				d.Title += " (revu)"
			}
			ds = append(ds, d)
		}
		c, err := db.SaveDatasets(ctx, portal, run, ds)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.FinishHarvestRun(ctx, run, HarvestResult{Status: RunComplete, ListingComplete: true, Counts: c}); err != nil {
			t.Fatal(err)
		}
		return c
	}
	harvestTables := []string{"datasets", "resources", "dataset_versions", "dataset_events"}
	counts := func() string {
		if !db.Postgres() {
			return ""
		}
		return fmt.Sprint(analyzed(t, db, harvestTables...))
	}
	if c := harvest(0); c.New != 30 {
		t.Fatalf("first harvest: %+v", c)
	}
	first := counts()
	if db.Postgres() {
		for tb, n := range analyzed(t, db, harvestTables...) {
			if n == 0 {
				t.Errorf("%s not analysed after a harvest that wrote it", tb)
			}
		}
	}
	if c := harvest(0); c.Unchanged != 30 {
		t.Fatalf("second harvest: %+v", c)
	}
	if again := counts(); again != first {
		t.Errorf("a harvest that changed nothing analysed again: %v, then %v", first, again)
	}
	// 2 of 30 datasets changed: under a tenth, the statistics still hold
	if c := harvest(2); c.Changed != 2 {
		t.Fatalf("third harvest: %+v", c)
	}
	if again := counts(); again != first {
		t.Errorf("a harvest that changed 2 datasets of 30 analysed again: %v, then %v", first, again)
	}
	// the first 10 retitled, 2 of them already were: 8 changed, over a tenth
	if c := harvest(10); c.Changed != 8 {
		t.Fatalf("fourth harvest: %+v", c)
	}
	if db.Postgres() {
		for tb, n := range analyzed(t, db, harvestTables...) {
			if n < 2 {
				t.Errorf("%s not analysed again after a harvest that changed a third of the datasets (%d)", tb, n)
			}
		}
	}

	lr, err := db.BeginLinkRun(ctx, portal)
	if err != nil {
		t.Fatal(err)
	}
	u := "https://files.example.org/1.csv"
	if err := db.SaveLinkResults(ctx, lr, []vigie.LinkResult{{URL: u, Class: vigie.LinkOK, Status: 200, FinalURL: u}}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, lr, RunComplete, LinkCounts{URLs: 1, Hosts: 1, OK: 1}, ""); err != nil {
		t.Fatal(err)
	}

	sr, err := db.BeginScoreRun(ctx, portal, "default")
	if err != nil {
		t.Fatal(err)
	}
	as := []vigie.Assessment{{DatasetID: "id-0001", Findings: []vigie.Finding{{Rule: "DQ-TITLE-MISSING", Severity: vigie.SevError,
		Message: vigie.Text{FR: "Titre absent", EN: "No title"}}}}, {DatasetID: "id-0002", Findings: []vigie.Finding{}}}
	if err := db.SaveAssessments(ctx, sr, as); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, sr, RunComplete, len(as), ""); err != nil {
		t.Fatal(err)
	}
	if r, err := db.LatestScoreRun(ctx, portal); err != nil || r.ID != sr || r.Datasets != 2 {
		t.Fatalf("latest score run: %+v %v", r, err)
	}
	if !db.Postgres() {
		return
	}
	for tb, n := range analyzed(t, db, "links", "link_checks", "scores", "dataset_findings", "finding_texts") {
		if n == 0 {
			t.Errorf("%s not analysed after the run that wrote it", tb)
		}
	}
}

// TestPostgresSessionsWithoutJIT: vigie's PostgreSQL sessions compile no
// statement (jit off), unless the URL sets jit itself.
func TestPostgresSessionsWithoutJIT(t *testing.T) {
	dsn := testDSN(t)
	if !IsPostgres(dsn) {
		t.Skip("a PostgreSQL setting")
	}
	ctx := context.Background()
	for _, c := range []struct{ dsn, want string }{{dsn, "off"}, {dsn + "&jit=on", "on"}} {
		db, err := Open(ctx, c.dsn)
		if err != nil {
			t.Fatal(err)
		}
		var jit string
		err = db.sql.QueryRowContext(ctx, `SHOW jit`).Scan(&jit)
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		if jit != c.want {
			t.Errorf("%s: jit = %s, want %s", RedactDSN(c.dsn), jit, c.want)
		}
	}
}

// TestPublishedEstimate: once a harvest's datasets are analysed, PostgreSQL
// estimates the reports' published datasets near their number (migration
// 0270's statistics on lower(trim(ckan_state))), not at half a percent of
// them, which turned the reports' joins into nested loops of index probes.
// On SQLite the same datasets are all published.
func TestPublishedEstimate(t *testing.T) {
	ctx := context.Background()
	db, portal := planFixture(t)
	run, err := db.BeginHarvestRun(ctx, portal, HarvestOptions{Mode: ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	var ds []vigie.Dataset
	for i := range 400 {
		ds = append(ds, planDataset(i))
	}
	c, err := db.SaveDatasets(ctx, portal, run, ds)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, run, HarvestResult{Status: RunComplete, ListingComplete: true, Counts: c}); err != nil {
		t.Fatal(err)
	}
	q := `SELECT d.id FROM datasets d WHERE d.portal_id = ?` + publishedCond
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+q+`) p`, portal).Scan(&n); err != nil || n != 400 {
		t.Fatalf("published datasets: %d %v", n, err)
	}
	if !db.Postgres() {
		return
	}
	var plan string
	if err := db.sql.QueryRowContext(ctx, `EXPLAIN (FORMAT JSON) `+q, portal).Scan(&plan); err != nil {
		t.Fatal(err)
	}
	var p []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &p); err != nil || len(p) != 1 {
		t.Fatalf("plan %s: %v", plan, err)
	}
	if p[0].Plan.Rows < 200 {
		t.Fatalf("published datasets estimated at %.0f rows of 400", p[0].Plan.Rows)
	}
}
