package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vigie-audit/vigie"
)

// readsCatalogue writes, straight into the tables, two portals that share
// URLs, with organizations named with hostile text (and none), datasets
// private, draft, deleted or published, several resources of a dataset on
// one URL, URLs used by several organizations, URLs never checked, links of
// every class, landing pages and redirect chains, and a score run per
// portal that leaves some datasets out. It returns the first portal's
// score run.
func readsCatalogue(t *testing.T, f *fixture, seed uint64, unpublished bool) int64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	other := f.exec(`INSERT INTO portals (url) VALUES (?)`, "https://other.example")
	orgs := []string{"", "ville-x", "ville-y", "<b>\"o'rg\"</b>", "=SUM(A1)", "été", "zz", "ville-x "}
	classes := []string{"ok", "ok", "ok", "broken", "failing", "unsure", "blocked", "invalid"}
	nURL := 40
	for u := range nURL {
		url := fmt.Sprintf("https://f.example/%02d", u)
		if u%9 == 4 {
			continue // never checked
		}
		c := classes[rng.IntN(len(classes))]
		landing, redirects := 0, 0
		if c == "ok" && rng.IntN(3) == 0 {
			landing = 1
		} else if rng.IntN(4) == 0 {
			redirects = rng.IntN(5)
		}
		f.exec(`INSERT INTO links (url, class, status, final_url, redirects, landing_page, reason, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			url, c, 200+rng.IntN(300), url+"/final", redirects, landing, "reason "+c, "2026-11-20T02:00:00Z")
	}
	// A link no resource uses.
	f.exec(`INSERT INTO links (url, class, checked_at) VALUES ('https://f.example/orphan', 'broken', '2026-11-20T02:00:00Z')`)
	runs := map[int64]int64{}
	for _, portal := range []int64{f.portal, other} {
		h := f.exec(`INSERT INTO harvest_runs (portal_id, started_at, mode, status) VALUES (?, '2026-11-20T02:00:00Z', 'full', 'complete')`, portal)
		runs[portal] = f.exec(`INSERT INTO score_runs (portal_id, harvest_run_id, profile, started_at, finished_at, status, datasets)
			VALUES (?, ?, 'ckan', '2026-11-20T02:00:00Z', '2026-11-20T02:00:00Z', 'complete', 0)`, portal, h)
		for d := range 60 {
			id := fmt.Sprintf("d%03d", rng.IntN(1000))
			org := orgs[rng.IntN(len(orgs))]
			private, state := 0, "active"
			if unpublished {
				switch rng.IntN(8) {
				case 0:
					private = 1
				case 1:
					state = "draft"
				case 2:
					state = " Deleted "
				case 3:
					state = ""
				}
			}
			name := fmt.Sprintf("n%02d", d%50) // some names twice
			if _, err := f.db.sql.ExecContext(f.ctx, `INSERT INTO datasets (portal_id, id, name, title, organization, organization_title, private, ckan_state)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, portal, id, name, "T "+id, org, strings.ToUpper(org), private, state); err != nil {
				continue // an id drawn twice
			}
			for pos := range rng.IntN(5) {
				url := fmt.Sprintf("https://f.example/%02d", rng.IntN(nURL))
				if pos == 3 {
					url = "" // no URL
				}
				f.exec(`INSERT INTO resources (portal_id, dataset_id, id, position, url) VALUES (?, ?, ?, ?, ?)`, portal, id, fmt.Sprint(id, pos), pos, url)
			}
			if rng.IntN(6) > 0 {
				f.exec(`INSERT INTO scores (score_run_id, dataset_id, overall, freshness_status) VALUES (?, ?, ?, 'fresh')`, runs[portal], id, float64(rng.IntN(100)))
			}
		}
	}
	return runs[f.portal]
}

// refRow is a resource of the scope with its link, for the references below.
type refRow struct {
	url, datasetID, name, org, class, ckanState string
	private, landing, redirects                 int
	checked                                     bool
}

// refRows reads the first portal's resources with their datasets, scores
// and links row by row, without the joins under test.
func refRows(t *testing.T, f *fixture, run int64) []refRow {
	t.Helper()
	rows, err := f.db.sql.QueryContext(f.ctx, `SELECT r.url, r.dataset_id, d.name, d.organization, d.private, d.ckan_state,
		(SELECT COUNT(*) FROM scores s WHERE s.score_run_id = ? AND s.dataset_id = r.dataset_id)
		FROM resources r, datasets d WHERE r.portal_id = ? AND d.portal_id = r.portal_id AND d.id = r.dataset_id`, run, f.portal)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []refRow
	for rows.Next() {
		var r refRow
		var scored int
		if err := rows.Scan(&r.url, &r.datasetID, &r.name, &r.org, &r.private, &r.ckanState, &scored); err != nil {
			t.Fatal(err)
		}
		if scored == 0 {
			continue
		}
		err := f.db.sql.QueryRowContext(f.ctx, `SELECT class, landing_page, redirects FROM links WHERE url = ?`, r.url).Scan(&r.class, &r.landing, &r.redirects)
		r.checked = err == nil
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func published(r refRow) bool {
	return vigie.Visibility(r.private != 0, r.ckanState) == vigie.VisPublic
}

// The broken and checked URLs of each organization, read in one pass in URL
// order (SQLite) and by the grouped query (PostgreSQL), are the distinct
// URLs of its published scored datasets that links holds, and the broken
// ones of them: the same by both ways, on both stores, whatever the scope.
func TestReportOrganizationsLinksBothWays(t *testing.T) {
	for seed := range uint64(4) {
		f := newFixture(t)
		run := readsCatalogue(t, f, seed, seed%2 == 1)
		ref := refRows(t, f, run)
		for _, orgs := range [][]string{nil, {"ville-x", "<b>\"o'rg\"</b>"}, {""}, {"none-such"}} {
			scope := ReportScope{Scope: vigie.Scope{Portal: f.url, Orgs: orgs}, ScoreRunID: run}
			got, err := f.db.ReportOrganizations(f.ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][2]int{}
			seen := map[string]bool{}
			for _, r := range ref {
				if !published(r) || !r.checked || (orgs != nil && !slices.Contains(orgs, r.org)) || seen[r.org+"\x00"+r.url] {
					continue
				}
				seen[r.org+"\x00"+r.url] = true
				w := want[r.org]
				w[1]++
				if r.class == "broken" {
					w[0]++
				}
				want[r.org] = w
			}
			total := 0
			for _, o := range got {
				if g := [2]int{o.BrokenLinks, o.LinksChecked}; g != want[o.Name] {
					t.Errorf("seed %d orgs %q: %q has broken, checked %v, want %v", seed, orgs, o.Name, g, want[o.Name])
				}
				total += o.LinksChecked
			}
			if seed == 0 && orgs == nil && total == 0 {
				t.Fatal("the catalogue checks nothing: the test proves nothing")
			}
			// The other way gives the same.
			s, err := f.db.resolve(f.ctx, scope)
			if err != nil {
				t.Fatal(err)
			}
			other := make([]ReportOrg, len(got))
			index := map[string]int{}
			for i, o := range got {
				other[i] = ReportOrg{Name: o.Name}
				index[o.Name] = i
			}
			if f.db.Postgres() {
				err = f.db.orgLinksMerged(f.ctx, f.db.sql, s, other, index)
			} else {
				err = f.db.orgLinksSQL(f.ctx, f.db.sql, s, other, index)
			}
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if other[i].BrokenLinks != got[i].BrokenLinks || other[i].LinksChecked != got[i].LinksChecked {
					t.Errorf("seed %d orgs %q: %q: %d, %d one way, %d, %d the other", seed, orgs, got[i].Name,
						got[i].BrokenLinks, got[i].LinksChecked, other[i].BrokenLinks, other[i].LinksChecked)
				}
			}
		}
	}
}

// A cancelled one-pass read stops with the context's error.
func TestReportOrganizationsLinksCancelled(t *testing.T) {
	skipIfPostgres(t) // PostgreSQL counts with orgLinksSQL
	f := newFixture(t)
	run := readsCatalogue(t, f, 1, false)
	s, err := f.db.resolve(f.ctx, ReportScope{Scope: vigie.Scope{Portal: f.url}, ScoreRunID: run})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	out := []ReportOrg{{Name: "ville-x"}}
	if err := f.db.orgLinksMerged(ctx, f.db.sql, s, out, map[string]int{"ville-x": 0}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// ReportLinks, which SQLite now reads from the links to list, lists what a
// row-by-row reading of the tables lists, in the same order: worst class
// first, then URL, dataset name and id (two datasets may share a name),
// each dataset once per URL.
func TestReportLinksAsReadRowByRow(t *testing.T) {
	rank := map[string]int{"broken": 0, "failing": 1, "blocked": 2, "invalid": 3, "ok": 5}
	for seed := range uint64(4) {
		f := newFixture(t)
		run := readsCatalogue(t, f, seed, seed%2 == 1)
		ref := refRows(t, f, run)
		for _, private := range []bool{false, true} {
			for _, orgs := range [][]string{nil, {"ville-x", "=SUM(A1)"}, {"none-such"}} {
				var rows []refRow
				for _, r := range ref {
					if !r.checked || (r.class == "ok" && r.landing == 0 && r.redirects <= maxRedirects) ||
						(!private && !published(r)) || (orgs != nil && !slices.Contains(orgs, r.org)) {
						continue
					}
					rows = append(rows, r)
				}
				rk := func(c string) int {
					if n, ok := rank[c]; ok {
						return n
					}
					return 4
				}
				slices.SortFunc(rows, func(a, b refRow) int {
					if c := rk(a.class) - rk(b.class); c != 0 {
						return c
					}
					return strings.Compare(a.url+"\x00"+a.name+"\x00"+a.datasetID, b.url+"\x00"+b.name+"\x00"+b.datasetID)
				})
				var want []string
				for i, r := range rows {
					if i > 0 && rows[i-1].url == r.url && rows[i-1].datasetID == r.datasetID {
						continue
					}
					want = append(want, r.class+" "+r.url+" "+r.datasetID+" "+r.name)
				}
				links, err := f.db.ReportLinks(f.ctx, ReportScope{Scope: vigie.Scope{Portal: f.url, Orgs: orgs}, ScoreRunID: run, IncludePrivate: private})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, l := range links {
					for _, u := range l.Datasets {
						got = append(got, string(l.Class)+" "+l.URL+" "+u.DatasetID+" "+u.Name)
					}
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("seed %d private %t orgs %q:\ngot  %q\nwant %q", seed, private, orgs, got, want)
				}
				if seed == 0 && orgs == nil && len(got) < 10 {
					t.Fatalf("only %d rows listed: the test proves little", len(got))
				}
			}
		}
	}
}

// BenchmarkReportOrgLinksDB counts the organizations' broken and checked
// URLs of the latest score run both ways, on the database named by
// VIGIE_BENCH_REPORT_DB (a night-2 database at 100k, say; opened read-only
// and not changed), and reports CPU time per count.
func BenchmarkReportOrgLinksDB(b *testing.B) {
	ctx := context.Background()
	db, s := benchLatestRun(b, "VIGIE_BENCH_REPORT_DB")
	orgs, err := db.ReportOrganizations(ctx, s)
	if err != nil {
		b.Fatal(err)
	}
	for _, way := range []struct {
		name string
		fn   func(context.Context, querier, ReportScope, []ReportOrg, map[string]int) error
	}{{"grouped", db.orgLinksSQL}, {"pass", db.orgLinksMerged}} {
		b.Run(way.name, func(b *testing.B) {
			out := make([]ReportOrg, len(orgs))
			index := map[string]int{}
			for i, o := range orgs {
				out[i].Name, index[o.Name] = o.Name, i
			}
			var rus0, rus1 syscall.Rusage
			syscall.Getrusage(syscall.RUSAGE_SELF, &rus0)
			n := 0
			for b.Loop() {
				for i := range out {
					out[i].BrokenLinks, out[i].LinksChecked = 0, 0
				}
				conn, err := db.reportConn(ctx)
				if err != nil {
					b.Fatal(err)
				}
				if err := way.fn(ctx, conn, s, out, index); err != nil {
					b.Fatal(err)
				}
				conn.Close()
				n++
			}
			syscall.Getrusage(syscall.RUSAGE_SELF, &rus1)
			cpu := rus1.Utime.Nano() + rus1.Stime.Nano() - rus0.Utime.Nano() - rus0.Stime.Nano()
			b.ReportMetric(float64(cpu)/1e9/float64(n), "cpu-s/op")
			for i := range out {
				if out[i].BrokenLinks != orgs[i].BrokenLinks || out[i].LinksChecked != orgs[i].LinksChecked {
					b.Fatalf("%s: %q counts %d, %d, the report %d, %d", way.name, out[i].Name, out[i].BrokenLinks, out[i].LinksChecked, orgs[i].BrokenLinks, orgs[i].LinksChecked)
				}
			}
		})
	}
}
