package store

import (
	"context"
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
