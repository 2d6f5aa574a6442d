package reports

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
)

// One audit folder holds audit.md, audit.html and diff.md: a status, a
// severity and the score run must read the same in all of them (diff.md once
// said « en défaut » and « Exécution de notation » where audit.md said « très
// en retard » and « Évaluation »).
func TestOneWordingPerCodeInAnAuditFolder(t *testing.T) {
	ctx := context.Background()
	for _, lang := range []string{"fr", "en"} {
		r := sampleReport(lang)
		var md, html, diff bytes.Buffer
		if err := (Markdown{}).Write(ctx, &md, r); err != nil {
			t.Fatal(err)
		}
		if err := (HTML{}).Write(ctx, &html, r); err != nil {
			t.Fatal(err)
		}
		ds := vigie.DiffDataset{Name: "velos", Organization: "montreal"}
		d := &vigie.DiffResult{
			From:        vigie.DiffRun{ScoreRunID: 8},
			To:          vigie.DiffRun{ScoreRunID: 9, Profile: "donneesquebec"},
			Freshness:   []vigie.FreshnessChange{{DiffDataset: ds, From: vigie.FreshFresh, To: vigie.FreshDelinquent, Worse: true}},
			NewFindings: []vigie.FindingChange{{DiffDataset: ds, Rule: "DQ-LICENCE", Severity: vigie.SevError}},
		}
		if err := WriteDiffMD(&diff, d, "https://example.org", lang, 10, 1); err != nil {
			t.Fatal(err)
		}
		audit, page, changes := md.String(), html.String(), diff.String()

		status := vigie.Label(vigie.FreshDelinquent).In(lang)
		if !strings.Contains(changes, "| "+T(lang, vigie.FreshFresh)+" | "+status+" |") {
			t.Errorf("%s: diff.md does not say %q for a delinquent dataset:\n%s", lang, status, changes)
		}
		if !strings.Contains(page, status) {
			t.Errorf("%s: audit.html does not say %q for delinquent datasets", lang, status)
		}
		sev := "| " + vigie.Label(vigie.SevError).In(lang) + " |"
		if !strings.Contains(audit, sev) || !strings.Contains(changes, sev) {
			t.Errorf("%s: the error severity does not read %q in both audit.md and diff.md", lang, sev)
		}
		word := T(lang, "score_run")
		if !strings.Contains(audit, "- "+word) || !strings.Contains(changes, word+" "+map[string]string{"fr": "n° 8", "en": "#8"}[lang]) {
			t.Errorf("%s: the score run is not called %q in both audit.md and diff.md:\n%s", lang, word, changes)
		}
		for _, old := range []string{"en défaut", "Exécution de notation", "Note globale", "not_applicable"} {
			if strings.Contains(audit+changes, old) {
				t.Errorf("%s: %q is still printed", lang, old)
			}
		}
	}
}

// The reports read each code's label from the one table.
func TestReportLabelsAreTheVocabulary(t *testing.T) {
	for code, want := range vigie.Labels() {
		for _, lang := range []string{"fr", "en"} {
			if got := T(lang, code); got != want.In(lang) {
				t.Errorf("T(%s, %s) = %q, the vocabulary says %q", lang, code, got, want.In(lang))
			}
		}
	}
}
