package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// fixture writes rows straight into the tables, so Diff and Prune can be
// tested on histories that would take several harvests to build.
type fixture struct {
	t      *testing.T
	db     *DB
	ctx    context.Context
	portal int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, testDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := db.EnsurePortal(ctx, "https://ckan.example.org")
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, ctx: ctx, portal: p.ID}
}

func (f *fixture) exec(q string, args ...any) int64 {
	f.t.Helper()
	if idTable.MatchString(q) {
		var id int64
		if err := f.db.sql.QueryRowContext(f.ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
			f.t.Fatalf("%s: %v", q, err)
		}
		return id
	}
	if _, err := f.db.sql.ExecContext(f.ctx, q, args...); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return 0
}

var day0 = time.Date(2026, 11, 20, 2, 0, 0, 0, time.Local)

func (f *fixture) dataset(id, org, state string, urls ...string) {
	f.exec(`INSERT INTO datasets (portal_id, id, name, title, organization, organization_title, state) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		f.portal, id, "ds-"+id, "Dataset "+id, org, strings.ToUpper(org), state)
	for i, u := range urls {
		f.exec(`INSERT INTO resources (portal_id, dataset_id, id, position, url) VALUES (?, ?, ?, ?, ?)`, f.portal, id, id+"-r"+string(rune('0'+i)), i, u)
	}
}

func (f *fixture) harvest(day int, events map[string]string) int64 {
	at := day0.AddDate(0, 0, day)
	id := f.exec(`INSERT INTO harvest_runs (portal_id, started_at, finished_at, mode, status) VALUES (?, ?, ?, 'full', 'complete')`,
		f.portal, ts(at), ts(at.Add(time.Minute)))
	for ds, kind := range events {
		f.exec(`INSERT INTO dataset_events (run_id, portal_id, dataset_id, kind) VALUES (?, ?, ?, ?)`, id, f.portal, ds, kind)
	}
	return id
}

func (f *fixture) linkRun(day int, classes map[string]string) int64 {
	at := day0.AddDate(0, 0, day).Add(10 * time.Minute)
	id := f.exec(`INSERT INTO link_runs (portal_id, started_at, finished_at, status) VALUES (?, ?, ?, 'complete')`, f.portal, ts(at), ts(at))
	for u, c := range classes {
		status := 200
		if c != "ok" {
			status = 404
		}
		f.exec(`INSERT INTO link_checks (run_id, url, checked_at, class, status, reason) VALUES (?, ?, ?, ?, ?, ?)`, id, u, ts(at), c, status, "reason "+c)
	}
	return id
}

// text adds t to the finding texts dictionary and returns its id.
func (f *fixture) text(t vigie.Text) int64 {
	id := textHash(t)
	f.exec(`INSERT INTO finding_texts (id, fr, en) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, t.FR, t.EN)
	return id
}

type fxScore struct {
	overall float64
	fresh   string
	rules   []string // "RULE" or "RULE@resource"
}

func (f *fixture) scoreRun(day int, harvest, link int64, profile string, scores map[string]fxScore) int64 {
	at := day0.AddDate(0, 0, day).Add(20 * time.Minute)
	id := f.exec(`INSERT INTO score_runs (portal_id, harvest_run_id, link_run_id, profile, started_at, finished_at, status, datasets)
		VALUES (?, ?, ?, ?, ?, ?, 'complete', ?)`, f.portal, harvest, link, profile, ts(at), ts(at), len(scores))
	for ds, s := range scores {
		errs := 0
		var fs []storedFinding
		for _, r := range s.rules {
			rule, res, _ := strings.Cut(r, "@")
			sev := vigie.SevWarning
			if strings.HasPrefix(rule, "E") {
				sev = vigie.SevError
				errs++
			}
			fs = append(fs, storedFinding{Rule: rule, Dimension: "completeness", Severity: sev, ResourceID: res,
				MessageID: f.text(vigie.Text{FR: "fr " + rule, EN: "en " + rule})})
		}
		if len(fs) > 0 {
			f.exec(`INSERT INTO dataset_findings (score_run_id, dataset_id, findings) VALUES (?, ?, ?)`, id, ds, string(appendFindingsJSON(nil, fs)))
		}
		f.exec(`INSERT INTO scores (score_run_id, dataset_id, overall, freshness_status, errors) VALUES (?, ?, ?, ?, ?)`, id, ds, s.overall, s.fresh, errs)
	}
	return id
}

// twoNights builds: night 1 scores a, b, c, e, f; between nights d appears,
// e is deleted, f goes missing; a drops 10 points, b rises 10, c moves 3;
// link u1 breaks, u2 is repaired, u3 recovers from failing, u5 is new and broken.
func twoNights(t *testing.T) (*fixture, int64, int64) {
	f := newFixture(t)
	f.dataset("a", "org1", "active", "http://h/u1", "http://h/u4")
	f.dataset("b", "org1", "active", "http://h/u2")
	f.dataset("c", "org2", "active", "http://h/u3", "http://h/u1")
	f.dataset("d", "org2", "active", "http://h/u5")
	f.dataset("e", "org1", "deleted", "http://h/u9")
	f.dataset("f", "org2", "missing")
	h1 := f.harvest(0, map[string]string{"a": "new", "b": "new", "c": "new", "e": "new", "f": "new"})
	l1 := f.linkRun(0, map[string]string{"http://h/u1": "ok", "http://h/u2": "broken", "http://h/u3": "failing", "http://h/u4": "ok"})
	s1 := f.scoreRun(0, h1, l1, "donneesquebec", map[string]fxScore{
		"a": {80, "fresh", []string{"R1@a-r0", "R2"}},
		"b": {50, "overdue", []string{"E3"}},
		"c": {70, "fresh", nil},
		"e": {60, "fresh", []string{"R9"}},
		"f": {40, "delinquent", nil},
	})
	h2 := f.harvest(1, map[string]string{"d": "new", "e": "missing", "b": "changed"})
	h3 := f.harvest(1, map[string]string{"e": "deleted", "f": "missing"})
	_ = h2
	// u9 belongs to the deleted dataset e: its breaking does not count.
	l2 := f.linkRun(1, map[string]string{"http://h/u1": "broken", "http://h/u2": "ok", "http://h/u3": "ok", "http://h/u5": "broken", "http://h/u9": "broken"})
	s2 := f.scoreRun(1, h3, l2, "donneesquebec", map[string]fxScore{
		"a": {70, "due", []string{"R1@a-r0", "E4"}},
		"b": {60, "fresh", nil},
		"c": {73, "fresh", nil},
		"d": {90, "fresh", []string{"R5"}},
	})
	return f, s1, s2
}

func names(ds []DiffDataset) string {
	var out []string
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return strings.Join(out, ",")
}

func TestDiffFindsEveryKindOfChange(t *testing.T) {
	f, s1, s2 := twoNights(t)
	d, err := f.db.Diff(f.ctx, f.portal, RefPrevious, RefLatest, DiffOptions{Threshold: DefaultDiffThreshold})
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
	orgs := map[string]OrgDiff{}
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
	f, _, _ := twoNights(t)
	d, err := f.db.Diff(f.ctx, f.portal, RefPrevious, RefLatest, DiffOptions{Threshold: 2, Orgs: []string{"org2"}})
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
	_, err = f.db.Diff(f.ctx, f.portal, RefPrevious, RefLatest, DiffOptions{Orgs: []string{"nope"}})
	if err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown organization: %v", err)
	}
}

func TestResolveScoreRuns(t *testing.T) {
	f := newFixture(t)
	_, _, err := f.db.ResolveScoreRuns(f.ctx, f.portal, RefPrevious, RefLatest)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "no complete score run") {
		t.Fatalf("empty: %v", err)
	}
	h := f.harvest(0, nil)
	s1 := f.scoreRun(0, h, 0, "donneesquebec", nil)
	_, _, err = f.db.ResolveScoreRuns(f.ctx, f.portal, RefPrevious, RefLatest)
	if err == nil || !strings.HasPrefix(err.Error(), "only one score run") || vigie.KindOf(err) != vigie.KindNothingToCompare {
		t.Fatalf("one run: %v", err)
	}
	s2 := f.scoreRun(2, h, 0, "donneesquebec", nil)
	s3 := f.scoreRun(3, h, 0, "mqa", nil)
	s4 := f.scoreRun(5, h, 0, "donneesquebec", nil)
	f.exec(`INSERT INTO score_runs (portal_id, profile, started_at, status) VALUES (?, 'donneesquebec', ?, 'failed')`, f.portal, ts(day0.AddDate(0, 0, 6)))

	day := func(n int) RunRef {
		return RunRef{Kind: "date", Day: time.Date(2026, 11, 20+n, 0, 0, 0, 0, time.Local)}
	}
	cases := []struct {
		name         string
		from, to     RunRef
		wantF, wantT int64
		wantErr      string
	}{
		{"default skips the other profile and the failed run", RefPrevious, RefLatest, s2, s4, ""},
		{"ids", RunRef{Kind: "id", ID: s1}, RunRef{Kind: "id", ID: s3}, s1, s3, ""},
		{"previous of an id", RefPrevious, RunRef{Kind: "id", ID: s2}, s1, s2, ""},
		{"dates", day(0), day(4), s1, s3, ""},
		{"date to latest", day(2), RefLatest, s2, s4, ""},
		{"to previous = the next", RunRef{Kind: "id", ID: s1}, RefPrevious, s1, s2, ""},
		{"unknown id", RunRef{Kind: "id", ID: 99}, RefLatest, 0, 0, "--from 99: no complete score run"},
		{"too early", RunRef{Kind: "date", Day: day0.AddDate(0, 0, -3)}, RefLatest, 0, 0, "no score run finished on or before"},
		{"same run", RefLatest, RefLatest, 0, 0, "both name score run"},
		{"reversed", RefLatest, RunRef{Kind: "id", ID: s1}, 0, 0, "swap them"},
		{"nothing before the first", RefPrevious, RunRef{Kind: "id", ID: s1}, 0, 0, "no complete score run with profile donneesquebec before"},
	}
	for _, c := range cases {
		fr, tr, err := f.db.ResolveScoreRuns(f.ctx, f.portal, c.from, c.to)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if fr.ID != c.wantF || tr.ID != c.wantT {
			t.Errorf("%s: %d→%d, want %d→%d", c.name, fr.ID, tr.ID, c.wantF, c.wantT)
		}
	}
}

func TestParseRunRef(t *testing.T) {
	for in, want := range map[string]string{"": "latest", "latest": "latest", "previous": "previous", "12": "12", "2026-11-01": "2026-11-01"} {
		r, err := ParseRunRef(in)
		if err != nil || r.String() != want {
			t.Errorf("ParseRunRef(%q) = %v %v, want %s", in, r, err, want)
		}
	}
	for _, bad := range []string{"yesterday", "-3", "0", "2026-13-45", "2026/11/01"} {
		if _, err := ParseRunRef(bad); err == nil {
			t.Errorf("ParseRunRef(%q) accepted", bad)
		}
	}
}

func TestRunSummaryOfAScope(t *testing.T) {
	f, _, s2 := twoNights(t)
	run, err := f.db.LatestScoreRunOf(f.ctx, f.portal, "donneesquebec")
	if err != nil || run.ID != s2 {
		t.Fatalf("latest run %v %v, want %d", run, err, s2)
	}
	sum, err := f.db.RunSummary(f.ctx, f.portal, run, []string{"org2"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Datasets != 2 || sum.MeanOverall == nil || *sum.MeanOverall != 81.5 || sum.BrokenLinks != 2 {
		t.Errorf("org2 now: %+v (mean %v), want 2 datasets, mean 81.5, 2 broken links", sum, sum.MeanOverall)
	}
	all, err := f.db.RunSummary(f.ctx, f.portal, run, nil)
	if err != nil || all.Datasets != 4 || all.Errors != 1 || all.BrokenLinks != 2 {
		t.Errorf("portal now: %+v %v", all, err)
	}
	if _, err := f.db.LatestScoreRunOf(f.ctx, f.portal, "mqa"); !errors.Is(err, ErrNotFound) {
		t.Errorf("no mqa run: %v", err)
	}
}
