package store

import (
	"strings"
	"testing"
)

func (f *fixture) count(q string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.db.sql.QueryRowContext(f.ctx, q, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", q, err)
	}
	return n
}

func (f *fixture) version(ds string, run int64) int64 {
	return f.exec(`INSERT INTO dataset_versions (portal_id, dataset_id, run_id, content_hash, raw) VALUES (?, ?, ?, 'h', ?)`,
		f.portal, ds, run, strings.Repeat("x", 4000))
}

func TestPruneKeepsLastRunsAndTheirVersions(t *testing.T) {
	f := newFixture(t)
	f.dataset("a", "org", "active", "http://h/keep")
	f.dataset("b", "org", "active")
	var hs, ls, ss []int64
	versions := map[string][]int64{}
	for night := 0; night < 5; night++ {
		h := f.harvest(night, map[string]string{"a": "changed"})
		hs = append(hs, h)
		l := f.linkRun(night, map[string]string{"http://h/keep": "ok", "http://h/gone": "broken"})
		ls = append(ls, l)
		ss = append(ss, f.scoreRun(night, h, l, "p", map[string]fxScore{"a": {50, "fresh", []string{"R1", "R2"}}}))
		versions["a"] = append(versions["a"], f.version("a", h)) // a changes every night
	}
	vb := f.version("b", hs[0]) // b never changes: its only version must stay
	f.exec(`INSERT INTO links (url, class, checked_at) VALUES ('http://h/keep', 'ok', '2026-11-20T00:00:00Z'), ('http://h/orphan', 'ok', '2026-11-20T00:00:00Z')`)
	f.exec(`DELETE FROM link_checks WHERE url = 'http://h/gone'`) // so http://h/orphan is the only unused URL

	st, err := f.db.Prune(f.ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if st.ScoreRuns != 3 || st.HarvestRuns != 3 || st.LinkRuns != 3 {
		t.Errorf("removed runs: %+v, want 3 of each", st)
	}
	if st.Scores != 3 || st.Findings != 6 || st.LinkChecks != 3 || st.DatasetEvents != 3 || st.Links != 1 {
		t.Errorf("removed rows: %+v", st)
	}
	if st.DatasetVersions != 3 {
		t.Errorf("removed %d versions, want 3 (a's first three)", st.DatasetVersions)
	}
	// On PostgreSQL the space of deleted rows is reused, not given back:
	// VACUUM even adds the tables' free-space maps.
	if st.SizeBefore <= 0 || st.SizeAfter <= 0 || (st.SizeAfter > st.SizeBefore && !f.db.Postgres()) {
		t.Errorf("sizes before %d after %d", st.SizeBefore, st.SizeAfter)
	}
	if n := f.count(`SELECT COUNT(*) FROM score_runs WHERE id IN (?, ?)`, ss[3], ss[4]); n != 2 {
		t.Errorf("the last two score runs are not both kept")
	}
	if n := f.count(`SELECT COUNT(*) FROM dataset_versions WHERE id IN (?, ?, ?)`, versions["a"][3], versions["a"][4], vb); n != 3 {
		t.Errorf("kept versions: %d of 3", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM datasets`); n != 2 {
		t.Errorf("datasets removed: %d left", n)
	}
	// A comparison still reads what is left.
	from, to, err := f.db.ResolveScoreRuns(f.ctx, f.portal, RefPrevious, RefLatest)
	if err != nil || from.ID != ss[3] || to.ID != ss[4] {
		t.Errorf("runs to compare after prune: %v %+v %+v", err, from, to)
	} else {
		scored := 0
		err := f.db.RunScores(f.ctx, from.ID, func(string, ScoreRow) error { scored++; return nil })
		if err != nil || scored == 0 {
			t.Errorf("scores of the kept run %d: %d read, %v", from.ID, scored, err)
		}
		err = f.db.FindingsOnlyIn(f.ctx, to.ID, from.ID, func(string) bool { return true }, func(string, *FindingRow) error { return nil })
		if err != nil {
			t.Errorf("findings after prune: %v", err)
		}
	}
	// Pruning again removes nothing.
	st2, err := f.db.Prune(f.ctx, 2)
	if err != nil || st2.Removed() != 0 {
		t.Errorf("second prune: %+v %v", st2, err)
	}
	if _, err := f.db.Prune(f.ctx, 0); err == nil {
		t.Error("--keep 0 accepted")
	}
}

func TestPruneKeepsRunsAKeptScoreRunUses(t *testing.T) {
	f := newFixture(t)
	f.dataset("a", "org", "active")
	h1 := f.harvest(0, nil)
	l1 := f.linkRun(0, map[string]string{"http://h/x": "ok"})
	v1 := f.version("a", h1)
	for night := 1; night <= 3; night++ { // harvests without scoring
		h := f.harvest(night, nil)
		f.version("a", h)
	}
	s := f.scoreRun(4, h1, l1, "p", map[string]fxScore{"a": {10, "fresh", nil}})
	if _, err := f.db.Prune(f.ctx, 1); err != nil {
		t.Fatal(err)
	}
	if f.count(`SELECT COUNT(*) FROM harvest_runs WHERE id = ?`, h1) != 1 || f.count(`SELECT COUNT(*) FROM link_runs WHERE id = ?`, l1) != 1 {
		t.Error("the harvest or link run of the kept score run was removed")
	}
	if f.count(`SELECT COUNT(*) FROM dataset_versions WHERE id = ?`, v1) != 1 {
		t.Error("the version current at the kept harvest run was removed")
	}
	if f.count(`SELECT COUNT(*) FROM dataset_versions`) != 2 || f.count(`SELECT COUNT(*) FROM harvest_runs`) != 2 {
		t.Errorf("want 2 versions and 2 harvest runs left, got %d and %d",
			f.count(`SELECT COUNT(*) FROM dataset_versions`), f.count(`SELECT COUNT(*) FROM harvest_runs`))
	}
	if f.count(`SELECT COUNT(*) FROM scores WHERE score_run_id = ?`, s) != 1 {
		t.Error("kept score run lost its scores")
	}
}
