package store

import (
	"context"
	"maps"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// lkDB opens a fresh database holding one portal, at a fixed clock.
func lkDB(t *testing.T) (*DB, int64, *time.Time) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 26, 3, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	p, err := db.EnsurePortal(ctx, "https://www.donneesquebec.ca/recherche")
	if err != nil {
		t.Fatal(err)
	}
	return db, p.ID, &now
}

// lkPortal is the scope of lkDB's portal: the whole of it, or some organizations.
func lkPortal(orgs ...string) vigie.Scope {
	return vigie.Scope{Portal: "https://www.donneesquebec.ca/recherche", Orgs: orgs}
}

// lkResource is one resource row; the dataset row is created if needed.
type lkResource struct {
	dataset, org, state, url, format string
}

func lkSeed(t *testing.T, db *DB, portal int64, rs ...lkResource) {
	t.Helper()
	pos := map[string]int{}
	for _, r := range rs {
		_, err := db.sql.Exec(`INSERT INTO datasets (portal_id, id, name, organization, state) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(portal_id, id) DO NOTHING`, portal, "id-"+r.dataset, r.dataset, r.org, r.state)
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.sql.Exec(`INSERT INTO resources (portal_id, dataset_id, id, position, format, url) VALUES (?, ?, ?, ?, ?, ?)`,
			portal, "id-"+r.dataset, r.dataset+"-"+r.url, pos[r.dataset], r.format, r.url)
		if err != nil {
			t.Fatal(err)
		}
		pos[r.dataset]++
	}
}

func TestURLsToCheckAndSave(t *testing.T) {
	ctx := context.Background()
	db, portal, now := lkDB(t)
	const (
		a = "https://a.example/a.csv"
		b = "https://b.example/b.json"
		c = "ftp://c.example/c.zip"
		d = "https://d.example/d.csv"
		e = "https://e.example/gone.csv"
	)
	lkSeed(t, db, portal,
		lkResource{"arbres", "ville-de-montreal", "active", a, "CSV"},
		lkResource{"arbres", "ville-de-montreal", "active", b, "JSON"},
		lkResource{"arbres", "ville-de-montreal", "active", "  ", "CSV"},
		lkResource{"parcs", "ville-de-quebec", "active", a, "csv"},
		lkResource{"parcs", "ville-de-quebec", "active", c, "ZIP"},
		lkResource{"budget", "ville-de-quebec", "active", d, "CSV"},
		lkResource{"ancien", "ville-de-quebec", "deleted", e, "CSV"},
	)
	other, err := db.EnsurePortal(ctx, "https://open.canada.ca/data")
	if err != nil {
		t.Fatal(err)
	}
	lkSeed(t, db, other.ID, lkResource{"elsewhere", "x", "active", "https://x.example/x.csv", "CSV"})

	all, err := db.URLsToCheck(ctx, lkPortal(), false, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	want := []LinkTarget{{URL: a, Formats: []string{"CSV", "csv"}}, {URL: b, Formats: []string{"JSON"}},
		{URL: d, Formats: []string{"CSV"}}, {URL: c, Formats: []string{"ZIP"}}}
	if got := sortedTargets(all); !reflect.DeepEqual(got, sortedTargets(want)) {
		t.Fatalf("due URLs:\n got %+v\nwant %+v", got, want)
	}
	byOrg, err := db.URLsToCheck(ctx, lkPortal("ville-de-quebec"), false, 24*time.Hour)
	if err != nil || len(byOrg) != 3 {
		t.Fatalf("ville-de-quebec: %+v %v", byOrg, err)
	}

	// First run checks a and d (d 30 h ago, a 2 h ago).
	run, err := db.BeginLinkRun(ctx, portal)
	if err != nil {
		t.Fatal(err)
	}
	lm := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	ok := vigie.LinkResult{URL: a, Class: vigie.LinkOK, Status: 200, FinalURL: a, ContentType: "text/csv", ContentLength: 1234,
		LastModified: &lm, ETag: `"x"`, ElapsedMS: 45, LastSuccess: ptrTime(now.Add(-2 * time.Hour)), CheckedAt: now.Add(-2 * time.Hour)}
	failing := vigie.LinkResult{URL: d, Class: vigie.LinkFailing, Status: 404, ContentLength: -1, Reason: "not found (HTTP 404)",
		Failures: 1, FirstFailure: ptrTime(now.Add(-30 * time.Hour)), CheckedAt: now.Add(-30 * time.Hour), LandingPage: true}
	if err := db.SaveLinkResults(ctx, run, []vigie.LinkResult{ok, failing}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, run, "complete", LinkCounts{URLs: 2, Hosts: 2, OK: 1, Failing: 1}, ""); err != nil {
		t.Fatal(err)
	}

	got, err := db.LinkResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got[a], ok) || !reflect.DeepEqual(got[d], failing) || len(got) != 2 {
		t.Fatalf("round trip:\n got %+v\n     %+v\nwant %+v\n     %+v", got[a], got[d], ok, failing)
	}

	// Now b and c were never checked (first), then d (checked 30 h ago); a is recent.
	due, err := db.URLsToCheck(ctx, lkPortal(), false, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if urls := targetURLs(due); !reflect.DeepEqual(urls, []string{b, c, d}) && !reflect.DeepEqual(urls, []string{c, b, d}) {
		t.Fatalf("due order: %v", urls)
	}
	if urls := targetURLs(due); urls[2] != d {
		t.Errorf("the checked URL must come after the never-checked ones: %v", urls)
	}
	// A checked URL carries its state forward, for the next check's debounce.
	wantPrev := &vigie.LinkHistory{Failures: 1, FirstFailure: *failing.FirstFailure}
	if p := due[2].Prev; !reflect.DeepEqual(p, wantPrev) || due[0].Prev != nil || due[1].Prev != nil {
		t.Errorf("previous state of %s: %+v, want %+v (never-checked ones: %v, %v)", d, p, wantPrev, due[0].Prev, due[1].Prev)
	}
	everything, err := db.URLsToCheck(ctx, lkPortal(), true, 24*time.Hour)
	if err != nil || len(everything) != 4 || everything[3].URL != a {
		t.Fatalf("--all: %+v %v", targetURLs(everything), err)
	}

	// Saving the same URL again replaces its state and history row.
	ok2 := ok
	ok2.CheckedAt, ok2.ElapsedMS = *now, 60
	run2, _ := db.BeginLinkRun(ctx, portal)
	if err := db.SaveLinkResults(ctx, run2, []vigie.LinkResult{ok2}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveLinkResults(ctx, run2, []vigie.LinkResult{ok2}); err != nil {
		t.Fatal(err)
	}
	var checks int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM link_checks WHERE url = ?`, a).Scan(&checks); err != nil || checks != 2 {
		t.Errorf("history rows for a: %d %v", checks, err)
	}
	if err := db.FinishLinkRun(ctx, run2, "interrupted", LinkCounts{URLs: 1, OK: 1}, ""); err != nil {
		t.Fatal(err)
	}
	runs, err := db.LinkRuns(ctx, portal)
	if err != nil || len(runs) != 2 || runs[0].Status != "interrupted" || runs[1].Failing != 1 || runs[1].Hosts != 2 || runs[1].FinishedAt.IsZero() {
		t.Fatalf("runs: %+v %v", runs, err)
	}
	if err := db.FinishLinkRun(ctx, 999, "complete", LinkCounts{}, ""); err == nil {
		t.Error("finishing an unknown run must fail")
	}

	// Listing: worst first, with the active datasets using each URL.
	rows, err := db.LinkRows(ctx, LinkFilter{Scope: lkPortal()})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].URL != d || rows[1].URL != a || !reflect.DeepEqual(rows[1].Datasets, []string{"arbres", "parcs"}) {
		t.Fatalf("rows: %+v", rows)
	}
	rows, err = db.LinkRows(ctx, LinkFilter{Scope: lkPortal("ville-de-montreal")})
	if err != nil || len(rows) != 1 || rows[0].URL != a || !reflect.DeepEqual(rows[0].Datasets, []string{"arbres"}) {
		t.Fatalf("montreal rows: %+v %v", rows, err)
	}
	rows, err = db.LinkRows(ctx, LinkFilter{Scope: lkPortal(), Classes: []string{string(vigie.LinkFailing), string(vigie.LinkBroken)}})
	if err != nil || len(rows) != 1 || rows[0].URL != d {
		t.Fatalf("failing rows: %+v %v", rows, err)
	}
	rows, err = db.LinkRows(ctx, LinkFilter{Scope: lkPortal(), RunID: run2})
	if err != nil || len(rows) != 1 || rows[0].URL != a {
		t.Fatalf("rows of run 2: %+v %v", rows, err)
	}
	if rows, err := db.LinkRows(ctx, LinkFilter{Scope: vigie.Scope{Portal: other.URL}}); err != nil || len(rows) != 0 {
		t.Fatalf("other portal: %+v %v", rows, err)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }

func targetURLs(ts []LinkTarget) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.URL)
	}
	return out
}

func sortedTargets(ts []LinkTarget) map[string][]string {
	m := map[string][]string{}
	for _, t := range ts {
		f := append([]string(nil), t.Formats...)
		sort.Strings(f)
		m[t.URL] = f
	}
	return m
}

func TestEachDatasetLinks(t *testing.T) {
	ctx := context.Background()
	db, portal, now := lkDB(t)
	const (
		a = "https://a.example/a.csv"
		b = "https://b.example/b.json"
		z = "https://z.example/not-a-resource.csv"
	)
	lkSeed(t, db, portal,
		lkResource{"arbres", "ville-de-montreal", "active", a, "CSV"},
		lkResource{"arbres", "ville-de-montreal", "active", b, "JSON"},
		lkResource{"budget", "ville-de-quebec", "active", b, "JSON"},
	)
	_, err := db.sql.Exec(`INSERT INTO datasets (portal_id, id, name, organization, state) VALUES (?, 'id-vide', 'vide', 'x', 'active')`, portal)
	if err != nil {
		t.Fatal(err)
	}
	if checked, err := db.LinksChecked(ctx); err != nil || checked {
		t.Fatalf("fresh database: checked=%v err=%v", checked, err)
	}
	run, err := db.BeginLinkRun(ctx, portal)
	if err != nil {
		t.Fatal(err)
	}
	lm := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	ok := vigie.LinkResult{URL: a, Class: vigie.LinkOK, Status: 200, ContentType: "text/csv", ContentLength: 1234,
		LastModified: &lm, LastSuccess: ptrTime(*now), CheckedAt: *now}
	other := vigie.LinkResult{URL: z, Class: vigie.LinkBroken, Status: 404, ContentLength: -1, CheckedAt: *now}
	if err := db.SaveLinkResults(ctx, run, []vigie.LinkResult{ok, other}); err != nil {
		t.Fatal(err)
	}
	if checked, err := db.LinksChecked(ctx); err != nil || !checked {
		t.Fatalf("after a link run: checked=%v err=%v", checked, err)
	}
	// The fields scoring reads: not the content length nor the last success.
	scored := ok
	scored.ContentLength, scored.LastSuccess = 0, nil
	want := map[string]map[string]vigie.LinkResult{
		"arbres": {a: scored}, // b was never checked; z belongs to no dataset
		"budget": {},
		"vide":   {},
	}
	// The whole portal reads every link result at once; a scope of
	// organizations looks up its datasets' URLs.
	for _, f := range []DatasetFilter{{Scope: lkPortal()}, {Scope: lkPortal("ville-de-montreal", "ville-de-quebec", "x")}} {
		got := map[string]map[string]vigie.LinkResult{}
		err = db.EachDatasetLinks(ctx, f, func(d *vigie.Dataset, links map[string]vigie.LinkResult) error {
			if links == nil {
				t.Fatalf("%s: nil map", d.Name)
			}
			got[d.Name] = maps.Clone(links)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("links by dataset, %+v:\n got %+v\nwant %+v", f, got, want)
		}
	}
}

// A URL skipped because its host was unreachable is stored unsure and is
// due again at the next run, however recent its check; the run counts it.
func TestSkippedURLIsDueAgain(t *testing.T) {
	ctx := context.Background()
	db, portal, now := lkDB(t)
	const a, b = "https://down.example/a.csv", "https://up.example/b.csv"
	lkSeed(t, db, portal, lkResource{"ds", "org", "active", a, "CSV"}, lkResource{"ds", "org", "active", b, "CSV"})
	run, err := db.BeginLinkRun(ctx, portal)
	if err != nil {
		t.Fatal(err)
	}
	skipped := vigie.LinkResult{URL: a, Class: vigie.LinkUnsure, Reason: "host unreachable", Skipped: true, ContentLength: -1, CheckedAt: *now}
	ok := vigie.LinkResult{URL: b, Class: vigie.LinkOK, Status: 200, HeadStatus: 405, ContentLength: -1, CheckedAt: *now}
	if err := db.SaveLinkResults(ctx, run, []vigie.LinkResult{skipped, ok}); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishLinkRun(ctx, run, "complete", LinkCounts{URLs: 2, OK: 1, Unsure: 1, Skipped: 1}, ""); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Hour)
	due, err := db.URLsToCheck(ctx, lkPortal(), false, 20*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].URL != a {
		t.Fatalf("due after one hour: %+v, want only the skipped URL", due)
	}
	got, err := db.LinkResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !got[a].Skipped || got[b].Skipped || got[b].HeadStatus != 405 {
		t.Errorf("stored: %+v %+v", got[a], got[b])
	}
	runs, err := db.LinkRuns(ctx, portal)
	if err != nil || len(runs) != 1 || runs[0].Skipped != 1 {
		t.Fatalf("runs %+v %v", runs, err)
	}
}
