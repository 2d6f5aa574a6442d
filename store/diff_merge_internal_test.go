package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
)

// The comparison's reads were rewritten for speed (link states from the URL
// index in order, findings of both runs in one pass that skips equal rows);
// these tests hold them to what the reads before gave, on generated
// histories with what the benchmark database lacks: several portals sharing
// URLs, URLs never checked or checked only by a later run or by the other
// portal, empty URLs, hostile text, findings equal as sets but not as
// bytes, datasets scored on one side only.

// hostile are URL and text pieces a portal may send.
var hostile = []string{"", "'", `"`, `\`, "%", "_", "é", "日本", " ", "\t", "<b>", "=1+1", "'); DROP TABLE links; --", "\u200b"}

// linkStatesBefore is LinkStates as it read before: the same two probes per
// side, in the primary key's order and then sorted by URL.
func linkStatesBefore(ctx context.Context, db *DB, portalID, fromRun, toRun int64) ([]LinkStateRow, error) {
	asOf := func(alias string) string {
		return ` LEFT JOIN link_checks ` + alias + ` ON ` + alias + `.url = r.url AND ` + alias + `.run_id = (SELECT c.run_id FROM link_checks c JOIN link_runs l ON l.id = c.run_id
			WHERE c.url = r.url AND c.run_id <= ? AND l.portal_id = r.portal_id ORDER BY c.run_id DESC LIMIT 1)`
	}
	q := `SELECT r.url, r.dataset_id, b.class, a.class, a.status, a.reason FROM resources r` + asOf("b") + asOf("a")
	args := []any{fromRun, toRun, portalID}
	if fromRun == toRun {
		q = `SELECT r.url, r.dataset_id, a.class, a.class, a.status, a.reason FROM resources r` + asOf("a")
		args = []any{toRun, portalID}
	}
	rows, err := db.sql.QueryContext(ctx, q+` WHERE r.portal_id = ? AND r.url <> '' ORDER BY r.url`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LinkStateRow
	for rows.Next() {
		var r LinkStateRow
		var b, a, reason sql.NullString
		var st sql.NullInt64
		if err := rows.Scan(&r.URL, &r.DatasetID, &b, &a, &st, &reason); err != nil {
			return nil, err
		}
		r.Before, r.After, r.Status, r.Reason = vigie.LinkClass(b.String), vigie.LinkClass(a.String), int(st.Int64), reason.String
		out = append(out, r)
	}
	return out, rows.Err()
}

// byURLAndDataset orders rows of the same URL by dataset: the reads give a
// URL's resources in no promised order (the comparison sorts their
// datasets).
func byURLAndDataset(rs []LinkStateRow) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].URL != rs[j].URL {
			return rs[i].URL < rs[j].URL
		}
		return rs[i].DatasetID < rs[j].DatasetID
	})
}

func TestLinkStatesReadsWhatTheProbesRead(t *testing.T) {
	f := newFixture(t)
	other, err := f.db.EnsurePortal(f.ctx, "https://other.example.org")
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(18, 5))
	var urls []string
	for i := range 120 {
		urls = append(urls, fmt.Sprintf("http://h%d.example/%s%d%s", i%7, hostile[i%len(hostile)], i, hostile[(i*5)%len(hostile)]))
	}
	urls = append(urls, "http://h/"+strings.Repeat("long", 500))
	// Datasets of both portals, several using the same URL, some resources
	// without a URL.
	for p, portal := range []int64{f.portal, other.ID} {
		for d := range 40 {
			id := fmt.Sprintf("p%d-d%02d", p, d)
			f.exec(`INSERT INTO datasets (portal_id, id, name, title, organization, organization_title, state) VALUES (?, ?, ?, ?, ?, ?, 'active')`,
				portal, id, id, id, "org", "ORG")
			for r := range rng.IntN(5) {
				u := urls[rng.IntN(len(urls))]
				if rng.IntN(10) == 0 {
					u = ""
				}
				f.exec(`INSERT INTO resources (portal_id, dataset_id, id, position, url) VALUES (?, ?, ?, ?, ?)`, portal, id, fmt.Sprintf("%s-r%d", id, r), r, u)
			}
		}
	}
	// Link runs of both portals in turn, each checking a random part of the
	// URLs (so a URL's latest check by a run may be several runs back, or
	// the other portal's, or none).
	classes := []string{"ok", "broken", "failing", "unsure", "invalid", "blocked"}
	var runs [2][]int64
	for n := range 6 {
		p := n % 2
		portal := []int64{f.portal, other.ID}[p]
		at := day0.AddDate(0, 0, n)
		id := f.exec(`INSERT INTO link_runs (portal_id, started_at, finished_at, status) VALUES (?, ?, ?, 'complete')`, portal, ts(at), ts(at))
		runs[p] = append(runs[p], id)
		for _, u := range urls {
			if rng.IntN(3) == 0 {
				continue
			}
			c := classes[rng.IntN(len(classes))]
			f.exec(`INSERT INTO link_checks (run_id, url, checked_at, class, status, reason) VALUES (?, ?, ?, ?, ?, ?)`,
				id, u, ts(at.Add(time.Minute)), c, 200+rng.IntN(400), hostile[rng.IntN(len(hostile))]+c)
		}
	}
	cases := []struct {
		portal   int64
		from, to int64
	}{
		{f.portal, runs[0][1], runs[0][2]}, // the last two nights but one
		{f.portal, runs[0][0], runs[0][2]},
		{f.portal, runs[0][2], runs[0][2]}, // a run's own summary
		{f.portal, 0, runs[0][1]},          // nothing checked before
		{f.portal, runs[1][0], runs[1][2]}, // run numbers of the other portal
		{other.ID, runs[1][1], runs[1][2]},
		{other.ID, runs[0][0], runs[0][0]},
		{f.portal + other.ID + 10, runs[0][0], runs[0][2]}, // no such portal
	}
	for _, c := range cases {
		want, err := linkStatesBefore(f.ctx, f.db, c.portal, c.from, c.to)
		if err != nil {
			t.Fatal(err)
		}
		var got []LinkStateRow
		err = f.db.LinkStates(f.ctx, c.portal, c.from, c.to, func(r *LinkStateRow) error {
			if n := len(got); n > 0 && got[n-1].URL > r.URL {
				t.Fatalf("portal %d %d→%d: %q after %q, not in URL order", c.portal, c.from, c.to, r.URL, got[n-1].URL)
			}
			got = append(got, *r)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		byURLAndDataset(want)
		byURLAndDataset(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("portal %d %d→%d: %d rows, want %d as before", c.portal, c.from, c.to, len(got), len(want))
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Fatalf("first difference at row %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
			}
		}
		if c.portal == f.portal && c.to == runs[0][2] && c.from != c.to && len(want) < 50 {
			t.Fatalf("only %d rows: the history does not test much", len(want))
		}
	}
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if err := f.db.LinkStates(ctx, f.portal, runs[0][0], runs[0][2], func(*LinkStateRow) error { return nil }); err == nil {
		t.Error("LinkStates with a cancelled context: no error")
	}
}

type findingCall struct {
	ID string
	F  FindingRow
}

func TestFindingChangesAreFindingsOnlyInBothWays(t *testing.T) {
	f := newFixture(t)
	rng := rand.New(rand.NewPCG(18, 6))
	rules := []string{"R1", "R2", "E3", "E4", "W'5", `Q"6`, "é7"}
	resources := []string{"", "r1", "r2", "'; DROP TABLE scores; --", `\u0000`, "日本"}
	// Each run scores some datasets, some with findings drawn at random,
	// some copied from the run before (the same bytes), some with the same
	// findings in another order (equal as sets, not as bytes).
	var prev map[string][]storedFinding
	var runs []int64
	for n := range 3 {
		at := day0.AddDate(0, 0, n)
		id := f.exec(`INSERT INTO score_runs (portal_id, harvest_run_id, link_run_id, profile, started_at, finished_at, status, datasets)
			VALUES (?, 0, 0, 'p', ?, ?, 'complete', 0)`, f.portal, ts(at), ts(at))
		runs = append(runs, id)
		cur := map[string][]storedFinding{}
		for d := range 150 {
			ds := fmt.Sprintf("d%03d%s", d, hostile[d%len(hostile)])
			if rng.IntN(8) == 0 {
				continue // not scored in this run
			}
			var fs []storedFinding
			switch old, ok := prev[ds]; {
			case ok && rng.IntN(2) == 0:
				fs = old
			case ok && len(old) > 1 && rng.IntN(3) == 0:
				fs = append([]storedFinding(nil), old...)
				fs[0], fs[len(fs)-1] = fs[len(fs)-1], fs[0]
			default:
				for range rng.IntN(5) {
					r := rules[rng.IntN(len(rules))]
					sev := vigie.SevWarning
					if strings.HasPrefix(r, "E") {
						sev = vigie.SevError
					}
					fs = append(fs, storedFinding{Rule: r, Dimension: vigie.Dimension([]string{"completeness", "availability"}[rng.IntN(2)]),
						Severity: sev, ResourceID: resources[rng.IntN(len(resources))], Points: float64(rng.IntN(10)) / 4,
						MessageID: f.text(vigie.Text{FR: "fr <" + r + ">", EN: "en " + r + hostile[rng.IntN(len(hostile))]})})
				}
			}
			cur[ds] = fs
			if len(fs) > 0 || rng.IntN(2) == 0 {
				// A dataset without findings has no row, or an empty one.
				f.exec(`INSERT INTO dataset_findings (score_run_id, dataset_id, findings) VALUES (?, ?, ?)`, id, ds, string(appendFindingsJSON(nil, fs)))
			}
			f.exec(`INSERT INTO scores (score_run_id, dataset_id, overall) VALUES (?, ?, 50)`, id, ds)
		}
		prev = cur
	}
	onlyIn := func(in, notIn int64, want func(string) bool) []findingCall {
		var out []findingCall
		if err := f.db.FindingsOnlyIn(f.ctx, in, notIn, want, func(id string, r *FindingRow) error {
			out = append(out, findingCall{id, *r})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	all := func(string) bool { return true }
	some := func(id string) bool { return id[3]%3 != 0 }
	for _, c := range [][2]int64{{runs[0], runs[1]}, {runs[1], runs[2]}, {runs[0], runs[2]}, {runs[2], runs[0]}, {runs[1], runs[1]}} {
		for w, want := range []func(string) bool{all, some} {
			var added, gone []findingCall
			err := f.db.FindingChanges(f.ctx, c[0], c[1], want,
				func(id string, r *FindingRow) error { added = append(added, findingCall{id, *r}); return nil },
				func(id string, r *FindingRow) error { gone = append(gone, findingCall{id, *r}); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if wantAdded := onlyIn(c[1], c[0], want); !reflect.DeepEqual(added, wantAdded) {
				t.Errorf("%d→%d (scope %d): %d added, FindingsOnlyIn gives %d\n got %v\nwant %v", c[0], c[1], w, len(added), len(wantAdded), added, wantAdded)
			}
			if wantGone := onlyIn(c[0], c[1], want); !reflect.DeepEqual(gone, wantGone) {
				t.Errorf("%d→%d (scope %d): %d gone, FindingsOnlyIn gives %d", c[0], c[1], w, len(gone), len(wantGone))
			}
			if c[0] == runs[0] && c[1] == runs[1] && w == 0 && (len(added) < 20 || len(gone) < 20) {
				t.Fatalf("%d added, %d gone: the history does not test much", len(added), len(gone))
			}
		}
	}
	// A callback's error stops the read and comes back as it is.
	stop := errors.New("stop")
	if err := f.db.FindingChanges(f.ctx, runs[0], runs[1], all, func(string, *FindingRow) error { return stop }, func(string, *FindingRow) error { return nil }); err != stop {
		t.Errorf("added's error: %v, want it back", err)
	}
	ctx, cancel := context.WithCancel(f.ctx)
	cancel()
	if err := f.db.FindingChanges(ctx, runs[0], runs[1], all, func(string, *FindingRow) error { return nil }, func(string, *FindingRow) error { return nil }); err == nil {
		t.Error("FindingChanges with a cancelled context: no error")
	}
	// A damaged row that differs from the other run's is reported with its
	// run, on either side of the comparison.
	f.exec(`UPDATE dataset_findings SET findings = '[["R1",' WHERE score_run_id = ? AND dataset_id = (SELECT min(a.dataset_id)
		FROM dataset_findings a JOIN scores b ON b.dataset_id = a.dataset_id AND b.score_run_id = ? WHERE a.score_run_id = ?)`, runs[2], runs[1], runs[2])
	for _, c := range [][2]int64{{runs[1], runs[2]}, {runs[2], runs[1]}} {
		err := f.db.FindingChanges(f.ctx, c[0], c[1], all, func(string, *FindingRow) error { return nil }, func(string, *FindingRow) error { return nil })
		var ve *vigie.Error
		if !errors.As(err, &ve) || ve.ID != "store.findings_damaged" || ve.Run != runs[2] {
			t.Errorf("%d→%d with a damaged row of run %d: %v", c[0], c[1], runs[2], err)
		}
	}
}

// BenchmarkLinkStatesLongHistory reads the link states of the last two of 90
// nightly link runs of 10,000 URLs, as the read before did and as it does
// now: neither may grow with the link runs kept.
func BenchmarkLinkStatesLongHistory(b *testing.B) {
	db, portal := longHistory(b, 10_000, 90)
	ctx := context.Background()
	var from, to int64
	if err := db.sql.QueryRowContext(ctx, `SELECT link_run_id FROM score_runs ORDER BY id LIMIT 1`).Scan(&from); err != nil {
		b.Fatal(err)
	}
	if err := db.sql.QueryRowContext(ctx, `SELECT link_run_id FROM score_runs ORDER BY id DESC LIMIT 1`).Scan(&to); err != nil {
		b.Fatal(err)
	}
	b.Run("before", func(b *testing.B) {
		for range b.N {
			rows, err := linkStatesBefore(ctx, db, portal, from, to)
			if err != nil || len(rows) != 10_000 {
				b.Fatal(len(rows), err)
			}
		}
	})
	b.Run("now", func(b *testing.B) {
		for range b.N {
			n := 0
			if err := db.LinkStates(ctx, portal, from, to, func(*LinkStateRow) error { n++; return nil }); err != nil || n != 10_000 {
				b.Fatal(n, err)
			}
		}
	})
}
