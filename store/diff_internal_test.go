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
	url    string // the portal's
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
	return &fixture{t: t, db: db, ctx: ctx, portal: p.ID, url: p.URL}
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

func TestLatestScoreRunOf(t *testing.T) {
	f, _, s2 := twoNights(t)
	run, err := f.db.LatestScoreRunOf(f.ctx, f.portal, "donneesquebec")
	if err != nil || run.ID != s2 {
		t.Fatalf("latest run %v %v, want %d", run, err, s2)
	}
	if _, err := f.db.LatestScoreRunOf(f.ctx, f.portal, "mqa"); !errors.Is(err, ErrNotFound) {
		t.Errorf("no mqa run: %v", err)
	}
}
