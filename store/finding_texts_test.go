package store

import (
	"reflect"
	"testing"

	"github.com/vigie-audit/vigie"
)

func textFinding(rule, res, msg, hint string) vigie.Finding {
	return vigie.Finding{Rule: rule, Dimension: "completeness", Severity: vigie.SevWarning, ResourceID: res, Points: 2,
		Message: vigie.Text{FR: msg + " (fr)", EN: msg + " (en)"}, Hint: vigie.Text{FR: hint + " (fr)", EN: hint + " (en)"}}
}

// Findings share their texts through the dictionary, read back as written by
// every reader, and pruning a run removes the texts only it used.
func TestFindingTextsDedupReadAndPrune(t *testing.T) {
	f := newFixture(t)
	f.dataset("a", "org", "active")
	f.dataset("b", "org", "active")
	f.harvest(0, nil)
	common := textFinding("R1", "", "titre court", "allonger le titre")
	a := []vigie.Finding{common, textFinding("R2", "a-r0", "format inconnu « xyz »", "déclarer le format")}
	b := []vigie.Finding{common, textFinding("R2", "b-r0", "format inconnu « xyz »", "déclarer le format"), common}
	// Another text already holds the id the common message hashes to.
	f.exec(`INSERT INTO finding_texts (id, fr, en) VALUES (?, 'autre', 'other')`, textHash(common.Message))
	run1, err := f.db.BeginScoreRun(f.ctx, f.portal, "p")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveAssessments(f.ctx, run1, []vigie.Assessment{{DatasetID: "a", Findings: a}, {DatasetID: "b", Findings: b}}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.FinishScoreRun(f.ctx, run1, "complete", 2, ""); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM finding_texts`); n != 5 {
		t.Errorf("%d texts stored for 5 findings with 2 distinct messages and 2 hints, want 4 and the one that took the first's id", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM dataset_findings WHERE findings LIKE '%titre%' OR findings LIKE '%format%'`); n != 0 {
		t.Errorf("%d datasets' findings carry their own text", n)
	}
	if n := f.count(`SELECT COUNT(*) FROM dataset_findings WHERE score_run_id = ?`, run1); n != 2 {
		t.Errorf("%d rows of findings for 2 datasets, want one each", n)
	}
	for id, want := range map[string][]vigie.Finding{"a": a, "b": b} {
		got, err := f.db.Findings(f.ctx, run1, id)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Findings(%s) = %+v, want %+v", id, got, want)
		}
	}
	var all []vigie.Finding
	if err := f.db.ReportFindings(f.ctx, ReportScope{Scope: vigie.Scope{Portal: f.url}, ScoreRunID: run1}, func(r *ReportFinding) error {
		all = append(all, r.Finding)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := append(append([]vigie.Finding{}, a...), b...); !reflect.DeepEqual(all, want) {
		t.Errorf("ReportFindings = %+v, want %+v", all, want)
	}
	var en []vigie.Finding
	if err := f.db.ReportDatasets(f.ctx, ReportScope{Scope: vigie.Scope{Portal: f.url}, ScoreRunID: run1, Lang: "en"}, true, func(d *ReportDataset) error {
		en = append(en, d.Findings...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(en) != 5 || en[1].Message != (vigie.Text{FR: "format inconnu « xyz » (en)", EN: "format inconnu « xyz » (en)"}) {
		t.Errorf("ReportDatasets in English: %+v", en)
	}
	_, hints, err := f.db.ReportRuleCounts(f.ctx, ReportScope{Scope: vigie.Scope{Portal: f.url}, ScoreRunID: run1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(hints) != 2 || hints[0] != common.Hint {
		t.Errorf("rule hints %+v", hints)
	}

	// A second run whose findings changed: the first run's only text is
	// orphaned once that run is pruned.
	run2, err := f.db.BeginScoreRun(f.ctx, f.portal, "p")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SaveAssessments(f.ctx, run2, []vigie.Assessment{{DatasetID: "a", Findings: []vigie.Finding{common, textFinding("R3", "", "nouveau", "corriger")}}}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.FinishScoreRun(f.ctx, run2, "complete", 1, ""); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT COUNT(*) FROM finding_texts`); n != 7 {
		t.Errorf("%d texts after the second run, want 7 (two new)", n)
	}
	if _, err := f.db.Prune(f.ctx, 1); err != nil {
		t.Fatal(err)
	}
	var left []string
	rows, err := f.db.sql.QueryContext(f.ctx, `SELECT fr FROM finding_texts ORDER BY fr`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		left = append(left, s)
	}
	rows.Close()
	if want := []string{"allonger le titre (fr)", "corriger (fr)", "nouveau (fr)", "titre court (fr)"}; !reflect.DeepEqual(left, want) {
		t.Errorf("texts after prune %q, want %q", left, want)
	}
	got, err := f.db.Findings(f.ctx, run2, "a")
	if err != nil || len(got) != 2 || got[1].Hint.EN != "corriger (en)" {
		t.Errorf("kept run's findings after prune: %+v, %v", got, err)
	}
}

// A score run saved in several batches looks each text up once: later
// batches reuse the ids the committed ones found, including one probed past
// another text holding its hash, and two runs saved in turn keep theirs
// apart. The findings read back are those saved, and a finished run's
// texts are forgotten.
func TestFindingTextsKnownAcrossBatches(t *testing.T) {
	f := newFixture(t)
	for _, id := range []string{"a", "b", "c"} {
		f.dataset(id, "org", "active")
	}
	f.harvest(0, nil)
	common := textFinding("R1", "", "titre court", "allonger le titre")
	f.exec(`INSERT INTO finding_texts (id, fr, en) VALUES (?, 'autre', 'other')`, textHash(common.Message))
	run1, err := f.db.BeginScoreRun(f.ctx, f.portal, "p")
	if err != nil {
		t.Fatal(err)
	}
	run2, err := f.db.BeginScoreRun(f.ctx, f.portal, "p")
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]map[string][]vigie.Finding{run1: {}, run2: {}}
	save := func(run int64, id string, fs ...vigie.Finding) {
		t.Helper()
		if err := f.db.SaveAssessments(f.ctx, run, []vigie.Assessment{{DatasetID: id, Findings: fs}}); err != nil {
			t.Fatal(err)
		}
		want[run][id] = fs
	}
	save(run1, "a", common, textFinding("R2", "a-r0", "format inconnu", "déclarer le format"))
	save(run2, "a", textFinding("R3", "", "licence absente", "choisir une licence"))
	save(run1, "b", common, textFinding("R3", "", "licence absente", "choisir une licence"), common)
	save(run2, "b", common)
	save(run1, "c", textFinding("R2", "c-r0", "format inconnu", "déclarer le format"), common)
	save(run1, "a", common) // saved again: replaced
	known := f.db.runTexts.get(run1)
	if len(known) != 6 {
		t.Errorf("run 1 knows %d texts after its batches, want its 6", len(known))
	}
	for text, id := range known {
		var fr, en string
		if err := f.db.sql.QueryRowContext(f.ctx, `SELECT fr, en FROM finding_texts WHERE id = ?`, id).Scan(&fr, &en); err != nil || (vigie.Text{FR: fr, EN: en}) != text {
			t.Errorf("run 1 holds id %d for %+v; the dictionary has %q %q %v", id, text, fr, en, err)
		}
	}
	for run, byID := range want {
		for id, fs := range byID {
			got, err := f.db.Findings(f.ctx, run, id)
			if err != nil || !reflect.DeepEqual(got, fs) {
				t.Errorf("run %d, dataset %s: %+v %v, want %+v", run, id, got, err, fs)
			}
		}
	}
	for _, run := range []int64{run1, run2} {
		if err := f.db.FinishScoreRun(f.ctx, run, "complete", 3, ""); err != nil {
			t.Fatal(err)
		}
		if m := f.db.runTexts.get(run); m != nil {
			t.Errorf("finished run %d still holds %d texts", run, len(m))
		}
	}
}
