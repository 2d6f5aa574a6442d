package pipeline

import (
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/store"
)

func f64(v float64) *float64 { return &v }

func TestGateEvaluate(t *testing.T) {
	sum := &store.DiffRun{MeanOverall: f64(68.5), BrokenLinks: 2, Delinquent: 0, Overdue: 1, Errors: 3}
	diff := &store.DiffResult{Threshold: 5,
		NewlyBroken: []store.LinkChange{{URL: "http://x/a"}},
		Dropped:     []store.ScoreChange{{DiffDataset: store.DiffDataset{Name: "ds-a"}, Delta: -12.5}}}
	cases := []struct {
		name       string
		gate       Gate
		diff       *store.DiffResult
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
	if g := (Gate{FailUnder: f64(50)}).Evaluate(&store.DiffRun{}, nil); g.Passed {
		t.Error("a scope with no score passed --fail-under")
	}
}
