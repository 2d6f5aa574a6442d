package pipeline

import (
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

func f64(v float64) *float64 { return &v }

func TestGateEvaluate(t *testing.T) {
	sum := &vigie.DiffRun{MeanOverall: f64(68.5), BrokenLinks: 2, Delinquent: 0, Overdue: 1, Errors: 3}
	diff := &vigie.DiffResult{Threshold: 5,
		NewlyBroken: []vigie.LinkChange{{URL: "http://x/a"}},
		Dropped:     []vigie.ScoreChange{{DiffDataset: vigie.DiffDataset{Name: "ds-a"}, Delta: -12.5}}}
	cases := []struct {
		name       string
		gate       Gate
		diff       *vigie.DiffResult
		wantPassed bool
		want       []string // substrings of the reasons, in order
		skipped    []string
	}{
		{"no gate", Gate{}, diff, true, nil, nil},
		{"mean above", Gate{FailUnder: f64(60)}, diff, true, nil, nil},
		{"mean under", Gate{FailUnder: f64(70)}, diff, false, []string{"mean overall score 68.5 is under 70"}, nil},
		{"fail-under 0 set", Gate{FailUnder: f64(0)}, diff, true, nil, nil},
		{"conditions", Gate{FailOn: []string{"broken-links", "delinquent", "overdue", "errors"}}, diff, false,
			[]string{"broken-links: 2 broken links", "overdue: 1 dataset overdue", "errors: 3 findings"}, nil},
		{"since last audit", Gate{FailOn: []string{"new-broken-links", "score-drop"}}, diff, false,
			[]string{"new-broken-links: 1 link broke", "score-drop: 1 dataset lost more than 5 points (worst ds-a -12.5)"}, nil},
		{"first audit skips comparisons", Gate{FailOn: []string{"new-broken-links", "score-drop"}}, nil, true, nil,
			[]string{"new-broken-links", "score-drop"}},
	}
	for _, c := range cases {
		g := c.gate.Evaluate(sum, c.diff)
		if g.Passed != c.wantPassed || len(g.Reasons) != len(c.want) {
			t.Errorf("%s: passed=%v reasons=%q", c.name, g.Passed, g.Reasons)
			continue
		}
		for i, w := range c.want {
			if !strings.Contains(g.Reasons[i], w) {
				t.Errorf("%s: reason %q lacks %q", c.name, g.Reasons[i], w)
			}
		}
		if strings.Join(g.Skipped, ",") != strings.Join(c.skipped, ",") {
			t.Errorf("%s: skipped %v, want %v", c.name, g.Skipped, c.skipped)
		}
	}
	// The gate judges the mean every summary and report prints (one
	// decimal): 69.96 is shown as 70 and passes --fail-under 70; 69.94 is
	// shown as 69.9 and fails, saying 69.9.
	if g := (Gate{FailUnder: f64(70)}).Evaluate(&vigie.DiffRun{MeanOverall: f64(69.96)}, nil); !g.Passed {
		t.Errorf("a mean printed as 70 failed --fail-under 70: %q", g.Reasons)
	}
	if g := (Gate{FailUnder: f64(70)}).Evaluate(&vigie.DiffRun{MeanOverall: f64(69.94)}, nil); g.Passed || len(g.Reasons) != 1 ||
		g.Reasons[0] != "mean overall score 69.9 is under 70" {
		t.Errorf("a mean printed as 69.9 against --fail-under 70: passed=%v %q", g.Passed, g.Reasons)
	}
	if g := (Gate{FailUnder: f64(50)}).Evaluate(&vigie.DiffRun{}, nil); g.Passed {
		t.Error("a scope with no score passed --fail-under")
	}
}

// Numbers inside the gate's and the missing-datasets guard's sentences
// follow the reader's language: fr-CA writes "1 234,5" (narrow no-break
// spaces) and "99 %", English "1,234.5" and "99%"; run.json keeps English.
func TestSentenceNumbersFollowTheLanguage(t *testing.T) {
	const nb = "\u202f"
	g := Gate{FailUnder: f64(1234.75), FailOn: []string{"errors", "score-drop"}}.Evaluate(
		&vigie.DiffRun{MeanOverall: f64(1234.5), Errors: 1234},
		&vigie.DiffResult{Threshold: 1234.5, Dropped: []vigie.ScoreChange{{DiffDataset: vigie.DiffDataset{Name: "ds"}, Delta: -1234.5}}})
	if len(g.Said) != 3 {
		t.Fatalf("reasons %q", g.Reasons)
	}
	wants := []struct{ fr, en string }{
		{"le score global moyen 1" + nb + "234,5 est sous 1" + nb + "234,75", "mean overall score 1,234.5 is under 1,234.75"},
		{"errors : 1" + nb + "234 constats de gravité erreur", "errors: 1,234 findings of severity error"},
		{"score-drop : 1 jeu a perdu plus de 1" + nb + "234,5 points (pire : ds -1" + nb + "234,5)",
			"score-drop: 1 dataset lost more than 1,234.5 points (worst ds -1,234.5)"},
	}
	for i, w := range wants {
		if got := l10n.Error("fr", g.Said[i]); got != w.fr {
			t.Errorf("fr: got %q, want %q", got, w.fr)
		}
		if got := l10n.Error("en", g.Said[i]); got != w.en {
			t.Errorf("en: got %q, want %q", got, w.en)
		}
		if g.Reasons[i] != w.en {
			t.Errorf("run.json reason %q, want %q", g.Reasons[i], w.en)
		}
	}

	guard := &vigie.Error{Kind: vigie.KindTooManyMissing, ID: "pipeline.mass_missing",
		Args: []any{count(1234), count(1250), percent(0.99), percent(0.1), count(20), count(20)}}
	if got, want := l10n.Error("fr", guard), "la liste omet 1"+nb+"234 des 1"+nb+"250 jeux actifs (99"+nb+"%, au-delà du seuil de 10"+nb+"%)"; !strings.HasPrefix(got, want) {
		t.Errorf("fr guard: got %q, want it to start with %q", got, want)
	}
	if got, want := guard.Error(), "the listing lacks 1,234 of 1,250 active datasets (99%, above the limit of 10%)"; !strings.HasPrefix(got, want) {
		t.Errorf("en guard: got %q, want it to start with %q", got, want)
	}
	imp := &vigie.Error{Kind: vigie.KindTooManyMissing, ID: "pipeline.import_missing",
		Args: []any{count(99), count(1234), percent(0.08023), percent(0)}}
	if got, want := l10n.Error("fr", imp), "le fichier omet 99 des 1"+nb+"234 jeux actifs (8"+nb+"%, au-delà du seuil de 0"+nb+"%)"; !strings.HasPrefix(got, want) {
		t.Errorf("fr import guard: got %q, want %q", got, want)
	}
}
