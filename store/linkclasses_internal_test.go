package store

import (
	"context"
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/vigie-audit/vigie"
)

// The merge of the URL index with link_checks counts exactly what the probe
// per URL counted, on generated data: two portals sharing URLs, URLs that
// differ by a slash, a case, an accent or hostile text, empty URLs, the same
// URL twice in a dataset, private, draft and deleted datasets, datasets the
// run did not score, a link run of the other portal and one after the score
// run, an interrupted run, and scopes of one, two or no organization.
func TestLinkClassesMergeSameAsProbe(t *testing.T) {
	defer func(w int) { linkClassesWay = w }(linkClassesWay)
	ctx := context.Background()
	db, err := Open(ctx, testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	rng := rand.New(rand.NewSource(7))
	urls := []string{"https://h.example/a", "https://h.example/a/", "https://h.example/A", "https://h.example/é",
		"https://h.example/e\u0301", "https://h.example/'; DROP TABLE links; --", "https://h.example/<script>", " https://h.example/a",
		"https://h.example/a b", "http://h.example/a", "https://h.example/\uffff", "=HYPERLINK(\"x\")"}
	for i := range 40 {
		urls = append(urls, fmt.Sprintf("https://f.example/%d", i))
	}
	classes := []vigie.LinkClass{vigie.LinkOK, vigie.LinkBroken, vigie.LinkFailing, vigie.LinkUnsure, vigie.LinkBlocked, vigie.LinkInvalid}
	portals := map[string][]string{}
	var pids []int64
	for pi, purl := range []string{"https://a.example", "https://b.example"} {
		p, err := db.EnsurePortal(ctx, purl)
		if err != nil {
			t.Fatal(err)
		}
		pids = append(pids, p.ID)
		hr, err := db.BeginHarvestRun(ctx, p.ID, HarvestOptions{Mode: ModeFull})
		if err != nil {
			t.Fatal(err)
		}
		var ds []vigie.Dataset
		for i := range 60 - 40*pi {
			d := vigie.Dataset{ID: fmt.Sprintf("d%02d", i), Name: fmt.Sprintf("n%02d", i), Organization: []string{"x", "y", ""}[rng.Intn(3)]}
			switch rng.Intn(8) {
			case 0:
				d.Private = true
			case 1:
				d.CKANState = "draft"
			case 2:
				d.CKANState = "deleted"
			}
			for j := range rng.Intn(5) {
				u := urls[rng.Intn(len(urls))]
				if rng.Intn(10) == 0 {
					u = ""
				}
				d.Resources = append(d.Resources, vigie.Resource{ID: fmt.Sprintf("r%d", j), Position: j, URL: u})
			}
			ds = append(ds, d)
		}
		if _, err := db.SaveDatasets(ctx, p.ID, hr, ds); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishHarvestRun(ctx, hr, HarvestResult{Status: RunComplete, ListingComplete: true}); err != nil {
			t.Fatal(err)
		}
		portals[purl] = nil
		for _, d := range ds {
			portals[purl] = append(portals[purl], d.ID)
		}
	}
	check := func(portal int64, status string, share int) {
		t.Helper()
		lr, err := db.BeginLinkRun(ctx, portal)
		if err != nil {
			t.Fatal(err)
		}
		var rs []vigie.LinkResult
		for _, u := range urls {
			if rng.Intn(share) == 0 {
				rs = append(rs, vigie.LinkResult{URL: u, Class: classes[rng.Intn(len(classes))], Status: 200})
			}
		}
		if err := db.SaveLinkResults(ctx, lr, rs); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishLinkRun(ctx, lr, status, LinkCounts{URLs: len(rs)}, ""); err != nil {
			t.Fatal(err)
		}
	}
	scoreRun := func(portal int64, ids []string, share int) int64 {
		t.Helper()
		sr, err := db.BeginScoreRun(ctx, portal, "ckan")
		if err != nil {
			t.Fatal(err)
		}
		var as []vigie.Assessment
		for _, id := range ids {
			if rng.Intn(share) == 0 {
				as = append(as, vigie.Assessment{DatasetID: id})
			}
		}
		if err := db.SaveAssessments(ctx, sr, as); err != nil {
			t.Fatal(err)
		}
		if err := db.FinishScoreRun(ctx, sr, RunComplete, len(as), ""); err != nil {
			t.Fatal(err)
		}
		return sr
	}
	a, b := pids[0], pids[1]
	noLinks := scoreRun(a, portals["https://a.example"], 1) // no link run yet: read from links
	check(a, RunComplete, 2)
	check(b, RunComplete, 1)
	check(a, "interrupted", 3)
	partial := scoreRun(a, portals["https://a.example"], 2) // about half the datasets
	check(a, RunComplete, 2)
	whole := scoreRun(a, portals["https://a.example"], 1)
	other := scoreRun(b, portals["https://b.example"], 1)

	compare := func(db *DB, name string, run int64, s vigie.Scope) {
		t.Helper()
		rs, err := db.resolve(ctx, ReportScope{Scope: s, ScoreRunID: run})
		if err != nil {
			t.Fatal(err)
		}
		linkClassesWay = linkClassesProbe
		wantC, wantN, err := db.reportLinkClasses(ctx, rs)
		if err != nil {
			t.Fatal(err)
		}
		linkClassesWay = linkClassesMerge
		gotC, gotN, err := db.reportLinkClasses(ctx, rs)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(gotC, wantC) || gotN != wantN {
			t.Errorf("%s, run %d, orgs %v: merged %v of %d URLs, probed %v of %d", name, run, s.Orgs, gotC, gotN, wantC, wantN)
		}
		if wantN == 0 && len(s.Orgs) == 0 {
			t.Errorf("%s, run %d: no URL in the scope, the test proves nothing", name, run)
		}
	}
	for _, run := range []int64{noLinks, partial, whole} {
		for _, orgs := range [][]string{nil, {"x"}, {"x", "y"}, {""}, {"nobody"}} {
			compare(db, "pool", run, vigie.Scope{Portal: "https://a.example", Orgs: orgs})
		}
	}
	compare(db, "pool", other, vigie.Scope{Portal: "https://b.example"})
	snap, err := db.ReadSnapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer snap.EndSnapshot()
	compare(snap, "snapshot", whole, vigie.Scope{Portal: "https://a.example"})
	compare(snap, "snapshot", partial, vigie.Scope{Portal: "https://a.example", Orgs: []string{"y"}})
}

// BenchmarkLinkClassesDB counts the link classes of the latest complete
// score run of the database named by VIGIE_BENCH_SCORE_DB (opened read-only,
// not changed), by probes and by the merge, and reports the CPU time of
// one count.
func BenchmarkLinkClassesDB(b *testing.B) {
	defer func(w int) { linkClassesWay = w }(linkClassesWay)
	ctx := context.Background()
	db, s := benchLatestRun(b, "VIGIE_BENCH_SCORE_DB")
	for _, way := range []struct {
		name string
		way  int
	}{{"probe", linkClassesProbe}, {"merge", linkClassesMerge}} {
		b.Run(way.name, func(b *testing.B) {
			linkClassesWay = way.way
			cpu0 := processCPU()
			for b.Loop() {
				if _, _, err := db.reportLinkClasses(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkIndicatorsDB computes the indicators of the latest complete
// score run of the database named by VIGIE_BENCH_SCORE_DB (read-only), the
// link classes after the aggregates or alongside them; it reports the CPU
// time of one computation beside its wall time (ns/op).
func BenchmarkIndicatorsDB(b *testing.B) {
	defer func(a bool) { indicatorsLinksAlongside = a }(indicatorsLinksAlongside)
	ctx := context.Background()
	db, s := benchLatestRun(b, "VIGIE_BENCH_SCORE_DB")
	for _, way := range []struct {
		name      string
		alongside bool
	}{{"after", false}, {"alongside", true}} {
		b.Run(way.name, func(b *testing.B) {
			indicatorsLinksAlongside = way.alongside
			cpu0 := processCPU()
			for b.Loop() {
				if _, err := db.computeIndicators(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((processCPU()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
