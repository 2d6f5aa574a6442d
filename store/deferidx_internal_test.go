package store

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
)

// indexNames lists the deferred indexes the schema holds, in the order of
// deferredIndexes.
func indexNames(t *testing.T, db *DB) []string {
	t.Helper()
	missing, err := db.missingIndexes(context.Background(), db.sql)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i, d := range deferredIndexes {
		if missing&(1<<i) == 0 {
			out = append(out, d.name)
		}
	}
	return out
}

func allIndexNames() []string {
	var out []string
	for _, d := range deferredIndexes {
		out = append(out, d.name)
	}
	return out
}

var spaces = regexp.MustCompile(`\s+`)

// The definitions the harvest builds again are the migrations' own.
func TestDeferredIndexesAreTheMigrations(t *testing.T) {
	skipIfPostgres(t)
	f := newFixture(t)
	read := func() map[string]string {
		out := map[string]string{}
		for _, d := range deferredIndexes {
			var s string
			if err := f.db.sql.QueryRowContext(f.ctx, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, d.name).Scan(&s); err != nil {
				t.Fatalf("%s: %v", d.name, err)
			}
			out[d.name] = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
		}
		return out
	}
	migrated := read()
	for _, d := range deferredIndexes {
		want := strings.Replace(strings.TrimSpace(spaces.ReplaceAllString(d.create, " ")), " IF NOT EXISTS", "", 1)
		if migrated[d.name] != want {
			t.Errorf("%s: the migrations create\n  %s\nthe harvest builds\n  %s", d.name, migrated[d.name], want)
		}
		if _, err := f.db.sql.ExecContext(f.ctx, `DROP INDEX `+d.name); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.ensureIndexes(f.ctx); err != nil {
		t.Fatal(err)
	}
	if built := read(); !reflect.DeepEqual(built, migrated) {
		t.Errorf("built again:\n%v\nmigrated:\n%v", built, migrated)
	}
}

// None of a harvest's own statements reads a deferred index (else a first
// pass would scan a table for each page instead).
func TestHarvestStatementsReadNoDeferredIndex(t *testing.T) {
	skipIfPostgres(t)
	f := newFixture(t)
	readsCatalogue(t, f, 1, true)
	tx, err := f.db.sql.BeginTx(f.ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	s, err := prepareSave(f.ctx, tx, f.db.insertMulti(), f.portal, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	stmts := []string{
		`SELECT id, content_hash, state FROM datasets WHERE portal_id = 1 AND id IN ('a', 'b')`,
		s.seen.head + `'a', 'b'` + s.seen.tail,
		`DELETE FROM resources WHERE portal_id = 1 AND dataset_id = 'a'`,
		s.upsert.head + `(1, 'a', 'n', '', '', '', '', '', '', '', '', 1, 0, '', '', '', '', '', '', '', '', '', NULL, NULL, '[]', '[]', '{}', 0, 'h', 'active', 0, 1, 1, 1)` + datasetUpsertTail,
		s.res.head + `(1, 'a', 'r', 0, '', '', '', '', 'u', '', '', NULL, NULL, NULL, '{}')`,
		s.version.head + `(1, 'a', 1, 'h', NULL, x'00')`,
		s.event.head + `(1, 1, 'a', 'new')` + s.event.tail,
	}
	for _, q := range stmts {
		plan := explainPlan(t, f, q)
		for _, d := range deferredIndexes {
			if strings.Contains(plan, " "+d.name) {
				t.Errorf("%s\nreads %s: %s", q, d.name, plan)
			}
		}
	}
}

func explainPlan(t *testing.T, f *fixture, q string) string {
	t.Helper()
	rows, err := f.db.sql.QueryContext(f.ctx, `EXPLAIN QUERY PLAN `+q, make([]any, strings.Count(q, "?"))...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		b.WriteString(detail + "; ")
	}
	return b.String()
}

// A first harvest into a database without datasets drops the deferred
// indexes and builds them when its run ends; one into a database holding
// another portal's datasets keeps them throughout; a pass that never ends
// (killed) leaves them to the next writer's open, and readers meanwhile read
// the same without them.
func TestFirstHarvestBuildsItsIndexesAtTheEnd(t *testing.T) {
	skipIfPostgres(t)
	ctx := context.Background()
	path := testDSN(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	page := func(portal string, lo, n int) []vigie.Dataset {
		var ds []vigie.Dataset
		for i := lo; i < lo+n; i++ {
			d := vigie.Dataset{ID: fmt.Sprintf("%s-%04d", portal, (i*7919)%10000), Name: fmt.Sprintf("n%03d", (i*31)%n), Organization: []string{"x", "y", ""}[i%3],
				Private: i%11 == 0}
			for j := range i % 4 {
				d.Resources = append(d.Resources, vigie.Resource{ID: fmt.Sprint("r", j), URL: fmt.Sprintf("https://h.example/%d", (i*13+j)%50)})
			}
			ds = append(ds, d)
		}
		return ds
	}
	p, err := db.EnsurePortal(ctx, "https://a.example")
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginHarvestRun(ctx, p.ID, HarvestOptions{Mode: ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, db); len(got) != 0 {
		t.Fatalf("a first pass began with %v", got)
	}
	if _, err := db.SaveDatasets(ctx, p.ID, run, page("a", 0, 120)); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, run, HarvestResult{Status: RunFailed, Error: "boom"}); err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, db); !slices.Equal(got, allIndexNames()) {
		t.Fatalf("a failed first pass left %v", got)
	}

	// A second portal: the indexes stay through its pass.
	q, err := db.EnsurePortal(ctx, "https://b.example")
	if err != nil {
		t.Fatal(err)
	}
	run, err = db.BeginHarvestRun(ctx, q.ID, HarvestOptions{Mode: ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	for lo := 0; lo < 100; lo += 50 {
		if got := indexNames(t, db); !slices.Equal(got, allIndexNames()) {
			t.Fatalf("a pass into a database holding datasets dropped indexes: %v", got)
		}
		if _, err := db.SaveDatasets(ctx, q.ID, run, page("b", lo, 50)); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.FinishHarvestRun(ctx, run, HarvestResult{Status: RunComplete, ListingComplete: true}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// A first pass into a fresh database, killed half-way (never finished).
	path2 := testDSN(t)
	db, err = Open(ctx, path2)
	if err != nil {
		t.Fatal(err)
	}
	p, err = db.EnsurePortal(ctx, "https://a.example")
	if err != nil {
		t.Fatal(err)
	}
	if run, err = db.BeginHarvestRun(ctx, p.ID, HarvestOptions{Mode: ModeFull}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveDatasets(ctx, p.ID, run, page("a", 0, 120)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Readers of the first database (indexes there) and of the killed one
	// (indexes missing) answer the same on the same rows.
	reads := func(path string, wantMissing bool) string {
		t.Helper()
		r, err := Open(ctx, path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if got := r.missingIdx.Load() != 0; got != wantMissing {
			t.Fatalf("%s: indexes seen missing %v, want %v", path, got, wantMissing)
		}
		var b strings.Builder
		for _, orgs := range [][]string{nil, {"x"}} {
			err := r.EachDatasetState(ctx, DatasetFilter{Scope: vigie.Scope{Portal: "https://a.example", Orgs: orgs},
				States: []string{vigie.StateActive}}, func(d *vigie.Dataset, state string) error {
				fmt.Fprintf(&b, "%s %s %s %d;", d.ID, d.Name, state, len(d.Resources))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		portal, err := r.Portal(ctx, "https://a.example")
		if err != nil {
			t.Fatal(err)
		}
		same, err := r.SameName(ctx, portal.ID, "n007")
		if err != nil {
			t.Fatal(err)
		}
		vs, err := r.DatasetVersions(ctx, portal.ID, "a-7919")
		if err != nil {
			t.Fatal(err)
		}
		vis, err := r.CountVisibility(ctx, vigie.Scope{Portal: "https://a.example"})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%v %d %v", same, len(vs), vis)
		return b.String()
	}
	want := reads(path, false)
	if got := reads(path2, true); got != want {
		t.Fatalf("without the indexes the readers answer\n%s\nwith them\n%s", got, want)
	}
	// The next writer's open builds them.
	db, err = Open(ctx, path2)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := indexNames(t, db); !slices.Equal(got, allIndexNames()) {
		t.Fatalf("the open after a killed first pass left %v", got)
	}
	if got := reads(path2, false); got != want {
		t.Fatalf("after the indexes were built the readers answer\n%s\nwant\n%s", got, want)
	}
}

// The reports that force an index (INDEXED BY) read the same without it,
// through a snapshot taken while it is missing (a first harvest under way)
// or a read-only open after a killed pass.
func TestReportsReadTheSameWithoutTheDeferredIndexes(t *testing.T) {
	skipIfPostgres(t)
	defer func(w int) { linkClassesWay = w }(linkClassesWay)
	for seed := range uint64(2) {
		f := newFixture(t)
		run := readsCatalogue(t, f, seed, seed == 1)
		reads := func(db *DB) string {
			t.Helper()
			snap, err := db.ReadSnapshot(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer snap.EndSnapshot()
			var b strings.Builder
			for _, orgs := range [][]string{nil, {"ville-x", "=SUM(A1)"}} {
				for _, way := range []int{linkClassesAuto, linkClassesProbe} {
					linkClassesWay = way
					s := ReportScope{Scope: vigie.Scope{Portal: f.url, Orgs: orgs}, ScoreRunID: run, IncludePrivate: seed == 1}
					ind, err := snap.ReportIndicators(f.ctx, s)
					if err != nil {
						t.Fatal(err)
					}
					orgsOut, err := snap.ReportOrganizations(f.ctx, s)
					if err != nil {
						t.Fatal(err)
					}
					links, err := snap.ReportLinks(f.ctx, s)
					if err != nil {
						t.Fatal(err)
					}
					j, _ := json.Marshal([]any{ind, orgsOut, links})
					b.Write(append(j, '\n'))
					err = snap.ReportDatasets(f.ctx, s, false, func(d *ReportDataset) error {
						j, _ := json.Marshal(d)
						b.Write(append(j, ';'))
						return nil
					})
					if err != nil {
						t.Fatal(err)
					}
				}
			}
			return b.String()
		}
		want := reads(f.db)
		if !strings.Contains(want, "broken") {
			t.Fatal("the catalogue lists no broken link: the test proves nothing")
		}
		for _, d := range deferredIndexes {
			f.exec(`DROP INDEX ` + d.name)
		}
		// a snapshot of the writer's DB, which saw them all when it opened
		if got := reads(f.db); got != want {
			t.Fatalf("seed %d: a snapshot without the indexes reads otherwise: %s", seed, firstDiff(got, want))
		}
		r, err := Open(f.ctx, f.db.path, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if r.missingIdx.Load() != allDeferred {
			t.Fatalf("a read-only open saw %b missing", r.missingIdx.Load())
		}
		got := reads(r)
		r.Close()
		if got != want {
			t.Fatalf("seed %d: a read-only open without the indexes reads otherwise: %s", seed, firstDiff(got, want))
		}
	}
}

// firstDiff shows where two long texts part.
func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("at byte %d: %q against %q", i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
}

// A harvest's pages checkpoint every harvestAutoCheckpoint pages of log,
// not SQLite's 1,000; the end of the run copies the log into the file and
// truncates it, whatever the run's status.
func TestHarvestTruncatesItsLogAtTheEnd(t *testing.T) {
	skipIfPostgres(t)
	ctx := context.Background()
	path := testDSN(t)
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	p, err := db.EnsurePortal(ctx, "https://a.example")
	if err != nil {
		t.Fatal(err)
	}
	for i, status := range []string{RunComplete, RunInterrupted} {
		run, err := db.BeginHarvestRun(ctx, p.ID, HarvestOptions{Mode: ModeFull})
		if err != nil {
			t.Fatal(err)
		}
		var ds []vigie.Dataset
		for j := range 300 {
			ds = append(ds, vigie.Dataset{ID: fmt.Sprintf("d%04d", j), Name: fmt.Sprintf("n%04d", j), Notes: strings.Repeat("x", 500*(i+1)),
				Resources: []vigie.Resource{{ID: "r", URL: fmt.Sprintf("https://h.example/%d", j)}}})
		}
		if _, err := db.SaveDatasets(ctx, p.ID, run, ds); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path + "-wal"); err != nil || st.Size() == 0 {
			t.Fatalf("no log after a page: %v", err)
		}
		if err := db.FinishHarvestRun(ctx, run, HarvestResult{Status: status}); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(path + "-wal"); err != nil || st.Size() != 0 {
			t.Fatalf("%s run: the log holds %d bytes after the run ended (%v)", status, st.Size(), err)
		}
	}
}
