package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/store"
)

// The comparison rules are the pipeline's; these tests run them over
// histories the store's fixture writes row by row, with both backends.

func names(ds []vigie.DiffDataset) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return strings.Join(out, ",")
}

func TestDiffFindsEveryKindOfChange(t *testing.T) {
	f, s1, s2 := store.TwoNights(t)
	d, err := pipeline.Diff(f.Ctx, f.DB, f.Portal, store.RefPrevious, store.RefLatest, pipeline.DiffOptions{Threshold: pipeline.DefaultDiffThreshold})
	if err != nil {
		t.Fatal(err)
	}
	if d.From.ScoreRunID != s1 || d.To.ScoreRunID != s2 {
		t.Fatalf("compared %d→%d, want %d→%d", d.From.ScoreRunID, d.To.ScoreRunID, s1, s2)
	}
	for what, got := range map[string]string{"new": names(d.New), "missing": names(d.Missing), "deleted": names(d.Deleted), "restored": names(d.Restored)} {
		want := map[string]string{"new": "d", "missing": "f", "deleted": "e", "restored": ""}[what]
		if got != want {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	if len(d.Dropped) != 1 || d.Dropped[0].ID != "a" || d.Dropped[0].Delta != -10 {
		t.Errorf("dropped = %+v, want a by -10", d.Dropped)
	}
	if len(d.Rose) != 1 || d.Rose[0].ID != "b" || d.Rose[0].Delta != 10 {
		t.Errorf("rose = %+v, want b by +10 (c moved 3, under the threshold)", d.Rose)
	}
	var nf, rf []string
	for _, x := range d.NewFindings {
		nf = append(nf, x.ID+"/"+x.Rule)
	}
	for _, x := range d.ResolvedFindings {
		rf = append(rf, x.ID+"/"+x.Rule)
	}
	// d's findings are not "new" (d was not scored before); e's are not "resolved" (e is gone).
	if strings.Join(nf, " ") != "a/E4" {
		t.Errorf("new findings = %v, want [a/E4]", nf)
	}
	if strings.Join(rf, " ") != "b/E3 a/R2" {
		t.Errorf("resolved findings = %v, want errors first: [b/E3 a/R2]", rf)
	}
	var broken, repaired []string
	for _, l := range d.NewlyBroken {
		broken = append(broken, l.URL+"="+strings.Join(l.Datasets, "+"))
	}
	for _, l := range d.Repaired {
		repaired = append(repaired, l.URL+":"+string(l.From))
	}
	if strings.Join(broken, " ") != "http://h/u1=ds-a+ds-c http://h/u5=ds-d" {
		t.Errorf("newly broken = %v", broken)
	}
	if strings.Join(repaired, " ") != "http://h/u2:broken http://h/u3:failing" {
		t.Errorf("repaired = %v", repaired)
	}
	if len(d.Freshness) != 2 || d.Freshness[0].ID != "a" || !d.Freshness[0].Worse || d.Freshness[1].ID != "b" || d.Freshness[1].Worse {
		t.Errorf("freshness = %+v, want a worse (fresh→due) then b better", d.Freshness)
	}
	if d.From.BrokenLinks != 1 || d.To.BrokenLinks != 2 {
		t.Errorf("broken links from %d to %d, want 1 → 2", d.From.BrokenLinks, d.To.BrokenLinks)
	}
	// Failing links are counted beside the broken ones (u3 failed on night 1).
	if d.From.FailingLinks != 1 || d.To.FailingLinks != 0 {
		t.Errorf("failing links from %d to %d, want 1 → 0", d.From.FailingLinks, d.To.FailingLinks)
	}
	if d.From.Delinquent != 1 || d.From.Overdue != 1 || d.To.Errors != 1 {
		t.Errorf("summaries: %+v %+v", d.From, d.To)
	}
	if d.To.MeanOverall == nil || *d.To.MeanOverall != 73.25 {
		t.Errorf("mean overall now = %v, want 73.25", d.To.MeanOverall)
	}
	orgs := map[string]vigie.OrgDiff{}
	for _, o := range d.Organizations {
		orgs[o.Name] = o
	}
	o1, o2 := orgs["org1"], orgs["org2"]
	if o1.Deleted != 1 || o1.Dropped != 1 || o1.Rose != 1 || o1.NewFindings != 1 || o1.ResolvedFindings != 2 || o1.NewlyBroken != 1 || o1.Repaired != 1 || o1.Title != "ORG1" ||
		o1.FreshnessWorse != 1 || o1.FreshnessBetter != 1 {
		t.Errorf("org1 = %+v", o1)
	}
	if o2.New != 1 || o2.Missing != 1 || o2.NewlyBroken != 2 || o2.Repaired != 1 || o2.Dropped != 0 {
		t.Errorf("org2 = %+v", o2)
	}
	if o1.MeanFrom == nil || *o1.MeanFrom != 63.33 || o1.MeanTo == nil || *o1.MeanTo != 65 {
		t.Errorf("org1 means %v → %v, want 63.33 → 65", o1.MeanFrom, o1.MeanTo)
	}
}

func TestDiffOrganizationScopeAndThreshold(t *testing.T) {
	f, _, _ := store.TwoNights(t)
	d, err := pipeline.Diff(f.Ctx, f.DB, f.Portal, store.RefPrevious, store.RefLatest, pipeline.DiffOptions{Threshold: 2, Orgs: []string{"org2"}})
	if err != nil {
		t.Fatal(err)
	}
	if names(d.New) != "d" || names(d.Missing) != "f" || names(d.Deleted) != "" {
		t.Errorf("org2 datasets: new %q missing %q deleted %q", names(d.New), names(d.Missing), names(d.Deleted))
	}
	if len(d.Rose) != 1 || d.Rose[0].ID != "c" || len(d.Dropped) != 0 {
		t.Errorf("threshold 2: rose %+v dropped %+v, want only c", d.Rose, d.Dropped)
	}
	if len(d.NewlyBroken) != 2 || len(d.Repaired) != 1 || d.Repaired[0].URL != "http://h/u3" {
		t.Errorf("org2 links: broken %+v repaired %+v", d.NewlyBroken, d.Repaired)
	}
	for _, l := range d.NewlyBroken {
		for _, ds := range l.Datasets {
			if ds == "ds-a" {
				t.Errorf("link %s lists ds-a, outside org2", l.URL)
			}
		}
	}
	if len(d.Organizations) != 1 || d.Organizations[0].Name != "org2" {
		t.Errorf("organizations = %+v, want only org2", d.Organizations)
	}
	_, err = pipeline.Diff(f.Ctx, f.DB, f.Portal, store.RefPrevious, store.RefLatest, pipeline.DiffOptions{Orgs: []string{"nope"}})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown organization: %v", err)
	}
}

func TestRunSummaryOfAScope(t *testing.T) {
	f, _, s2 := store.TwoNights(t)
	run, err := f.DB.LatestScoreRunOf(f.Ctx, f.Portal, "donneesquebec")
	if err != nil || run.ID != s2 {
		t.Fatalf("latest run %v %v, want %d", run, err, s2)
	}
	sum, err := pipeline.RunSummary(f.Ctx, f.DB, f.Portal, run, []string{"org2"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Datasets != 2 || sum.MeanOverall == nil || *sum.MeanOverall != 81.5 || sum.BrokenLinks != 2 {
		t.Errorf("org2 now: %+v (mean %v), want 2 datasets, mean 81.5, 2 broken links", sum, sum.MeanOverall)
	}
	all, err := pipeline.RunSummary(f.Ctx, f.DB, f.Portal, run, nil)
	if err != nil || all.Datasets != 4 || all.Errors != 1 || all.BrokenLinks != 2 {
		t.Errorf("portal now: %+v %v", all, err)
	}
}

func benchmarkDiff(b *testing.B, n int) {
	db, portal := store.BigHistory(b, n)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := pipeline.Diff(ctx, db, portal, store.RefPrevious, store.RefLatest, pipeline.DiffOptions{Threshold: 5})
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Dropped) != n/100 || len(d.NewlyBroken) != n/100 || len(d.NewFindings) != n/100 {
			b.Fatalf("dropped %d, broken %d, new findings %d; want %d each", len(d.Dropped), len(d.NewlyBroken), len(d.NewFindings), n/100)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "datasets/s")
}

func BenchmarkDiff10k(b *testing.B)  { benchmarkDiff(b, 10_000) }
func BenchmarkDiff100k(b *testing.B) { benchmarkDiff(b, 100_000) }

// BenchmarkDiffLongHistory compares the last two of 90 nightly link runs, each
// of which rechecked all 10,000 URLs: the link states must not cost a scan of
// the whole history.
func BenchmarkDiffLongHistory(b *testing.B) {
	const n = 10_000
	db, portal := store.LongHistory(b, n, 90)
	ctx := context.Background()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, err := pipeline.Diff(ctx, db, portal, store.RefPrevious, store.RefLatest, pipeline.DiffOptions{Threshold: 5})
		if err != nil {
			b.Fatal(err)
		}
		if len(d.NewlyBroken) != n/100 {
			b.Fatalf("broken %d", len(d.NewlyBroken))
		}
	}
}

// The audit takes its run's summary from the comparison it has just made
// (RunSummaryFrom): it must be the summary RunSummary counts on its own.
func TestRunSummaryFromTheComparison(t *testing.T) {
	f, s1, s2 := store.TwoNights(t)
	run, err := f.DB.LatestScoreRunOf(f.Ctx, f.Portal, "donneesquebec")
	if err != nil || run.ID != s2 {
		t.Fatalf("latest run %v %v, want %d", run, err, s2)
	}
	for _, orgs := range [][]string{nil, {"org2"}, {"org1"}} {
		opts := pipeline.DiffOptions{Threshold: pipeline.DefaultDiffThreshold, Orgs: orgs, Lang: "en"}
		d, err := pipeline.ComparePrevious(f.Ctx, f.DB, f.Portal, run, opts)
		if err != nil || d == nil || d.From.ScoreRunID != s1 {
			t.Fatalf("%v: comparison %v %v", orgs, d, err)
		}
		want, err := pipeline.RunSummary(f.Ctx, f.DB, f.Portal, run, orgs)
		if err != nil {
			t.Fatal(err)
		}
		got, err := pipeline.RunSummaryFrom(f.Ctx, f.DB, f.Portal, run, orgs, d, opts)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%v: summary from the comparison %+v (mean %v), want %+v (mean %v)", orgs, got, got.MeanOverall, want, want.MeanOverall)
		}
		if want.BrokenLinks == 0 && want.Datasets == 0 {
			t.Errorf("%v: an empty summary proves nothing: %+v", orgs, want)
		}
	}
	// Another scope, or private datasets listed: counted on its own.
	d, err := pipeline.ComparePrevious(f.Ctx, f.DB, f.Portal, run, pipeline.DiffOptions{Orgs: []string{"org1"}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := pipeline.RunSummaryFrom(f.Ctx, f.DB, f.Portal, run, []string{"org2"}, d, pipeline.DiffOptions{Orgs: []string{"org1"}})
	if err != nil || got.Datasets != 2 || got.BrokenLinks != 2 {
		t.Errorf("org2 from a comparison of org1: %+v %v, want org2's 2 datasets and 2 broken links", got, err)
	}
}

// failingDiffStore fails one read of the comparison: the link states (read
// beside the other steps) or the scores (read while the link states are).
type failingDiffStore struct {
	*store.DB
	failLinks, failScores error
}

func (s failingDiffStore) LinkStates(ctx context.Context, portalID, fromRun, toRun int64, fn func(*store.LinkStateRow) error) error {
	if s.failLinks != nil {
		return s.failLinks
	}
	if s.failScores != nil {
		// Still reading when the scores fail: the comparison must stop
		// this read, not wait for it to end by itself.
		<-ctx.Done()
		return ctx.Err()
	}
	return s.DB.LinkStates(ctx, portalID, fromRun, toRun, fn)
}

func (s failingDiffStore) RunScores(ctx context.Context, runID int64, fn func(string, store.ScoreRow) error) error {
	if s.failScores != nil {
		return s.failScores
	}
	return s.DB.RunScores(ctx, runID, fn)
}

// The link states are read on their own goroutine: an error of either side
// comes back as it is, and one side's error stops the other.
func TestDiffReturnsTheErrorOfEitherSide(t *testing.T) {
	f, _, _ := store.TwoNights(t)
	links, scores := errors.New("links failed"), errors.New("scores failed")
	for _, s := range []failingDiffStore{{DB: f.DB, failLinks: links}, {DB: f.DB, failScores: scores}} {
		want := s.failLinks
		if want == nil {
			want = s.failScores
		}
		d, err := pipeline.Diff(f.Ctx, s, f.Portal, store.RefPrevious, store.RefLatest, pipeline.DiffOptions{Threshold: 5})
		if d != nil || !errors.Is(err, want) {
			t.Errorf("got %v, %v; want no comparison and %v", d, err, want)
		}
	}
}

// inTurnDiffStore says it is PostgreSQL, whatever it is, and notes when
// the findings and the link states are read.
type inTurnDiffStore struct {
	*store.DB
	mu  *sync.Mutex
	log *[]string
}

func (s inTurnDiffStore) Postgres() bool { return true }

func (s inTurnDiffStore) note(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*s.log = append(*s.log, e)
}

func (s inTurnDiffStore) FindingChanges(ctx context.Context, fromRun, toRun int64, want func(string) bool, added, gone func(string, *store.FindingRow) error) error {
	s.note("findings start")
	defer s.note("findings end")
	return s.DB.FindingChanges(ctx, fromRun, toRun, want, added, gone)
}

func (s inTurnDiffStore) LinkStates(ctx context.Context, portalID, fromRun, toRun int64, fn func(*store.LinkStateRow) error) error {
	s.note("links start")
	defer s.note("links end")
	return s.DB.LinkStates(ctx, portalID, fromRun, toRun, fn)
}

// On PostgreSQL, whose pool the portals of one audit share, the link states
// are read after the findings, not beside them, and the comparison is the
// same.
func TestDiffReadsLinkStatesInTurnOnPostgres(t *testing.T) {
	f, _, _ := store.TwoNights(t)
	opts := pipeline.DiffOptions{Threshold: 5}
	want, err := pipeline.Diff(f.Ctx, f.DB, f.Portal, store.RefPrevious, store.RefLatest, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(want.NewlyBroken)+len(want.Repaired) == 0 || len(want.NewFindings) == 0 {
		t.Fatalf("the fixture changes no link or no finding: the test proves little: %+v", want)
	}
	var mu sync.Mutex
	var log []string
	got, err := pipeline.Diff(f.Ctx, inTurnDiffStore{DB: f.DB, mu: &mu, log: &log}, f.Portal, store.RefPrevious, store.RefLatest, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("in turn:\n got %+v\nwant %+v", got, want)
	}
	if s := strings.Join(log, ", "); s != "findings start, findings end, links start, links end" {
		t.Errorf("reads: %s", s)
	}
}
