package store

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// scoringFields is l with only the fields EachDatasetLinks passes.
func scoringFields(l vigie.LinkResult) vigie.LinkResult {
	return vigie.LinkResult{URL: l.URL, Class: l.Class, Status: l.Status, HeadStatus: l.HeadStatus, FinalURL: l.FinalURL,
		Redirects: l.Redirects, ContentType: l.ContentType, LastModified: l.LastModified, Reason: l.Reason,
		LandingPage: l.LandingPage, Failures: l.Failures, CheckedAt: l.CheckedAt}
}

// EachDatasetLinks reads in batches; with batches of 3 datasets and lookups
// of 2 URLs, over datasets of every state, with no, one or several
// resources, URLs shared between datasets, checked or not, it gives each
// active dataset its resources (as EachDataset reads them) and the results
// of its URLs (as LinkResults reads them), whether it reads every link
// result at once (one portal) or looks them up batch by batch (two
// portals, or a scope of organizations).
func TestEachDatasetLinksBatches(t *testing.T) {
	defer func(b, n int) { linkReadBatch, linkINMax = b, n }(linkReadBatch, linkINMax)
	linkReadBatch, linkINMax = 3, 2
	ctx := context.Background()
	db, portal, now := lkDB(t)
	var rs []lkResource
	for i := range 14 {
		state := vigie.StateActive
		if i%5 == 4 {
			state = vigie.StateMissing
		}
		org := []string{"a", "b"}[i%2]
		name := fmt.Sprintf("ds%02d", i)
		for j := range i % 4 {
			rs = append(rs, lkResource{name, org, state, fmt.Sprintf("https://h%d.example/%d.csv", j, (i+j)%9), "CSV"})
		}
		if i%4 == 0 {
			_, err := db.sql.Exec(`INSERT INTO datasets (portal_id, id, name, organization, state) VALUES (?, ?, ?, ?, ?)`,
				portal, "id-"+name, name, org, state)
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	lkSeed(t, db, portal, rs...)
	run, err := db.BeginLinkRun(ctx, portal)
	if err != nil {
		t.Fatal(err)
	}
	far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
	lm := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	var results []vigie.LinkResult
	for k := range 9 {
		for j := range 3 {
			if (k+j)%4 == 3 {
				continue // never checked
			}
			u := fmt.Sprintf("https://h%d.example/%d.csv", j, k)
			l := vigie.LinkResult{URL: u, Class: vigie.LinkOK, Status: 200, HeadStatus: 405, ContentType: "text/csv", ContentLength: 10,
				Redirects: k, LastModified: &lm, CheckedAt: *now, Failures: j, Reason: fmt.Sprintf("http_status|%d", 200+k)}
			switch k % 3 {
			case 0:
				l.FinalURL = u
			case 1:
				l.FinalURL = u + "?moved"
				l.LandingPage = true
				l.Class = vigie.LinkBroken
				l.LastModified = nil
			}
			if k == 8 {
				l.LastModified, l.Status = &far, 70000 // kept whole, not in an entry
			}
			results = append(results, l)
		}
	}
	results = append(results, vigie.LinkResult{URL: "https://elsewhere.example/", Class: vigie.LinkOK, CheckedAt: *now})
	if err := db.SaveLinkResults(ctx, run, results); err != nil {
		t.Fatal(err)
	}
	all, err := db.LinkResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]*vigie.Dataset{}
	wantLinks := map[string]map[string]vigie.LinkResult{}
	err = db.EachDataset(ctx, DatasetFilter{Scope: lkPortal()}, func(d *vigie.Dataset) error {
		want[d.ID] = d
		wantLinks[d.ID] = map[string]vigie.LinkResult{}
		for _, r := range d.Resources {
			if l, ok := all[r.URL]; ok {
				wantLinks[d.ID][r.URL] = scoringFields(l)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 12 {
		t.Fatalf("%d active datasets seeded, want 12", len(want))
	}
	check := func(what string, f DatasetFilter, n int) {
		t.Helper()
		var order []string
		err := db.EachDatasetLinks(ctx, f, func(d *vigie.Dataset, links map[string]vigie.LinkResult) error {
			order = append(order, d.ID)
			if !reflect.DeepEqual(d, want[d.ID]) {
				t.Errorf("%s: dataset %s\n got %+v\nwant %+v", what, d.ID, d, want[d.ID])
			}
			if !reflect.DeepEqual(maps.Clone(links), wantLinks[d.ID]) {
				t.Errorf("%s: links of %s\n got %+v\nwant %+v", what, d.ID, links, wantLinks[d.ID])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(order) != n {
			t.Errorf("%s: %d datasets, want %d", what, len(order), n)
		}
		for i := 1; i < len(order); i++ {
			if order[i-1] >= order[i] {
				t.Errorf("%s: %s before %s", what, order[i-1], order[i])
			}
		}
		// The batches, kept until every one was read and then looked up from
		// a goroutine each, as parallel scorers do, give the same.
		var batches []*DatasetLinksBatch
		if err := db.EachDatasetLinkBatch(ctx, f, func(b *DatasetLinksBatch) error { batches = append(batches, b); return nil }); err != nil {
			t.Fatal(err)
		}
		got := make([]map[string]map[string]vigie.LinkResult, len(batches))
		var wg sync.WaitGroup
		for i, b := range batches {
			got[i] = map[string]map[string]vigie.LinkResult{}
			wg.Go(func() {
				m := map[string]vigie.LinkResult{"stale": {}}
				for _, d := range b.Datasets {
					b.Links(d, m)
					got[i][d.ID] = maps.Clone(m)
				}
			})
		}
		wg.Wait()
		var again []string
		for i, b := range batches {
			if len(b.Datasets) > linkReadBatch {
				t.Errorf("%s: a batch of %d datasets, want at most %d", what, len(b.Datasets), linkReadBatch)
			}
			for _, d := range b.Datasets {
				again = append(again, d.ID)
				if !reflect.DeepEqual(d, want[d.ID]) || !reflect.DeepEqual(got[i][d.ID], wantLinks[d.ID]) {
					t.Errorf("%s: batch %d, dataset %s\n got %+v %+v\nwant %+v %+v", what, i, d.ID, d, got[i][d.ID], want[d.ID], wantLinks[d.ID])
				}
			}
		}
		if !slices.Equal(again, order) {
			t.Errorf("%s: batches gave %v, one at a time %v", what, again, order)
		}
	}
	check("one portal", DatasetFilter{Scope: lkPortal()}, 12)
	check("one organization", DatasetFilter{Scope: lkPortal("b")}, 6)
	if _, err := db.EnsurePortal(ctx, "https://other.example"); err != nil {
		t.Fatal(err)
	}
	check("two portals", DatasetFilter{Scope: lkPortal()}, 12)
}

// A link index gives back what it was given, for the fields scoring reads,
// including what does not fit its compact entries.
func TestLinkIndex(t *testing.T) {
	x := newLinkIndex(0)
	paris := time.FixedZone("CET", 3600)
	t1 := time.Date(2025, 3, 4, 5, 6, 7, 891, time.UTC)
	t0 := time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC)
	inParis := time.Date(2025, 3, 4, 5, 6, 7, 0, paris)
	in := []vigie.LinkResult{
		{URL: "https://a.example/1", Class: vigie.LinkOK, Status: 200, HeadStatus: 200, FinalURL: "https://a.example/1", ContentType: "text/csv", LastModified: &t1, CheckedAt: t1},
		{URL: "https://a.example/2", Class: vigie.LinkBroken, Status: 404, Reason: "http_status|404", Failures: 3, CheckedAt: t1},
		{URL: "https://a.example/3", Class: vigie.LinkUnsure, Redirects: 12, FinalURL: "https://b.example/", LandingPage: true, ContentType: "text/html"},
		{URL: "https://a.example/4", Class: vigie.LinkOK, Status: 1 << 20, LastModified: &t0, CheckedAt: inParis},
		{URL: "https://a.example/5", Class: vigie.LinkOK, Failures: 1 << 40, Redirects: 1 << 17},
		{URL: "", Class: vigie.LinkInvalid, Reason: "invalid_url|empty", CheckedAt: t1},
	}
	for _, l := range in {
		x.add(l)
	}
	x.sort()
	for _, l := range in {
		got, ok := x.get(l.URL)
		if !ok || !reflect.DeepEqual(got, l) {
			t.Errorf("get(%q) = %+v, %v\nwant %+v", l.URL, got, ok, l)
		}
	}
	if l, ok := x.get("https://a.example/6"); ok {
		t.Errorf("a URL never added: %+v", l)
	}
}
