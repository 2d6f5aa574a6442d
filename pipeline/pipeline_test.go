package pipeline

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/linkcheck"
	"github.com/vigie-audit/vigie/store"
)

const portalURL = "https://www.donneesquebec.ca/recherche"

// seed stores three harvested datasets whose resources point at base: two
// use /ok.csv, one also /gone.csv, one has no resource.
func seed(t *testing.T, base string) *store.DB {
	t.Helper()
	db := storetest.NewDB(t)
	modified := time.Now().UTC().Add(-24 * time.Hour)
	ds := func(id string, urls ...string) vigie.Dataset {
		d := vigie.Dataset{ID: id, Name: id, Title: "Titre " + id, Organization: "ville-x", LicenseID: "cc-by",
			MetadataCreated: modified, MetadataModified: modified, Tags: []string{}, Groups: []string{}}
		for i, u := range urls {
			d.Resources = append(d.Resources, vigie.Resource{ID: id + "-" + u, Position: i, Name: u, Format: "CSV", URL: base + u})
		}
		return d
	}
	storetest.HarvestFixture(t, db, portalURL, []vigie.Dataset{ds("a", "/ok.csv", "/gone.csv"), ds("b", "/ok.csv"), ds("c")})
	return db
}

// availability reads the stored availability score of each dataset of a run.
func availability(t *testing.T, db *store.DB, run *store.ScoreRun) map[string]*float64 {
	t.Helper()
	out := map[string]*float64{}
	err := db.ReportDatasets(context.Background(), store.ReportScope{Scope: vigie.Scope{Portal: portalURL}, ScoreRunID: run.ID, Lang: "fr"}, false,
		func(d *store.ReportDataset) error { out[d.Name] = d.Scores.Availability; return nil })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestScoreThenCheckLinksThenScore(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok.csv" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte("a,b\n1,2\n"))
	}))
	defer srv.Close()
	ctx := context.Background()
	db := seed(t, srv.URL)

	var progress []int
	before, err := Score(ctx, db, vigie.Scope{Portal: portalURL}, ScoreOptions{Progress: func(done, total int) {
		if total != 3 {
			t.Errorf("progress total %d, want 3", total)
		}
		progress = append(progress, done)
	}})
	if err != nil || before.Datasets != 3 || before.Run == nil || before.Run.Status != "complete" || before.Profile != "donneesquebec" {
		t.Fatalf("first score: %+v %v", before, err)
	}
	if len(progress) != 3 || progress[2] != 3 {
		t.Errorf("progress calls %v", progress)
	}
	for name, v := range availability(t, db, before.Run) {
		if v != nil {
			t.Errorf("%s: availability %v before any link check, want unknown", name, *v)
		}
	}

	links, err := CheckLinks(ctx, db, vigie.Scope{Portal: portalURL}, LinkOptions{All: true, Check: linkcheck.Options{
		Concurrency: 4, PerHost: 2, Timeout: 5 * time.Second, FailuresToBroken: 3, BrokenAfter: 36 * time.Hour, AllowPrivate: true}})
	if err != nil || links == nil {
		t.Fatalf("links: %+v %v", links, err)
	}
	if s := links.Summary; links.Due != 2 || s.URLs != 2 || s.OK != 1 || s.Failing != 1 || s.Hosts != 1 {
		t.Fatalf("link summary %+v (due %d)", s, links.Due)
	}
	again, err := CheckLinks(ctx, db, vigie.Scope{Portal: portalURL}, LinkOptions{OlderThan: time.Hour, Check: linkcheck.Options{Concurrency: 1, PerHost: 1, Timeout: time.Second, AllowPrivate: true}})
	if err != nil || again != nil {
		t.Fatalf("nothing is due an instant later, got %+v %v", again, err)
	}

	after, err := Score(ctx, db, vigie.Scope{Portal: portalURL}, ScoreOptions{Profile: "ckan"})
	if err != nil || after.Profile != "ckan" || after.Run.ID == before.Run.ID {
		t.Fatalf("second score: %+v %v", after, err)
	}
	// a's second link failed once: not yet confirmed broken, so it does not
	// count (the debounce has not settled it) and a's one working link gives 100.
	got := availability(t, db, after.Run)
	if a, b := got["a"], got["b"]; a == nil || *a != 100 || b == nil || *b != 100 || got["c"] != nil {
		t.Errorf("availability after the check: a %v b %v c %v, want 100, 100, unknown", deref(a), deref(b), got["c"])
	}
}

func TestScoreRefusesWhatItCannotDo(t *testing.T) {
	ctx := context.Background()
	db := seed(t, "https://example.org")
	_, err := Score(ctx, db, vigie.Scope{Portal: portalURL}, ScoreOptions{Profile: "nope"})
	if pe := (*ProfileError)(nil); err == nil || !asProfileError(err, &pe) {
		t.Errorf("unknown profile: %v, want a ProfileError", err)
	}
	if _, err := Score(ctx, db, vigie.Scope{Portal: portalURL, Orgs: []string{"ville-y"}}, ScoreOptions{}); err == nil {
		t.Error("an organization with no dataset was scored")
	}
	// Ctrl-C after the first dataset: the run is kept, marked interrupted.
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out, err := Score(cctx, db, vigie.Scope{Portal: portalURL}, ScoreOptions{Progress: func(done, _ int) {
		if done == 1 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) || out == nil || !out.Interrupted || out.Datasets != 1 || out.Run.Status != "interrupted" {
		t.Errorf("cancelled: %+v %v", out, err)
	}
	if r, err := db.LatestScoreRun(ctx, out.Run.PortalID); err == nil {
		t.Errorf("an interrupted run became the latest complete one: %+v", r)
	}
}

func asProfileError(err error, target **ProfileError) bool { return errors.As(err, target) }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}
