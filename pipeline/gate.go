package pipeline

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/internal/plain"
	"github.com/vigie-audit/vigie/store"
)

// GateConditions are the conditions a quality gate can fail on, each with
// what makes it fail.
var GateConditions = []struct{ Name, Help string }{
	{"broken-links", "a link used by a dataset in scope is broken (confirmed, not merely failing)"},
	{"new-broken-links", "a link broke since the previous audit"},
	{"delinquent", "a dataset is delinquent: far past its declared update frequency"},
	{"overdue", "a dataset is overdue or delinquent"},
	{"errors", "a dataset has a finding of severity error"},
	{"score-drop", "a dataset's overall score fell by more than --threshold points since the previous audit"},
}

// Gate is a nightly audit's quality gate.
type Gate struct {
	FailUnder *float64 // fail when the scope's mean overall score is below it
	FailOn    []string // fail when any of these GateConditions holds
}

// GateResult is what the gate said, as run.json records it.
type GateResult struct {
	FailUnder *float64 `json:"fail_under,omitempty"`
	FailOn    []string `json:"fail_on"`
	Passed    bool     `json:"passed"`
	Reasons   []string `json:"reasons"`
	Skipped   []string `json:"skipped,omitempty"` // conditions that need a previous audit
}

// Evaluate checks the gate against the scope's summary and the comparison
// with the previous audit (nil on the first one, whose comparison conditions
// are then skipped).
func (gate Gate) Evaluate(sum *store.DiffRun, diff *store.DiffResult) GateResult {
	g := GateResult{FailOn: gate.FailOn, Reasons: []string{}}
	if g.FailOn == nil {
		g.FailOn = []string{}
	}
	if gate.FailUnder != nil {
		v := *gate.FailUnder
		g.FailUnder = &v
		switch {
		case sum.MeanOverall == nil:
			g.Reasons = append(g.Reasons, fmt.Sprintf("no overall score to compare with --fail-under %v (nothing scored in scope)", v))
		case *sum.MeanOverall < v:
			g.Reasons = append(g.Reasons, fmt.Sprintf("mean overall score %v is under %v", *sum.MeanOverall, v))
		}
	}
	plural := func(n int, one, many string) string {
		if n == 1 {
			return "1 " + one
		}
		return strconv.Itoa(n) + " " + many
	}
	for _, c := range gate.FailOn {
		switch c {
		case "broken-links":
			if sum.BrokenLinks > 0 {
				g.Reasons = append(g.Reasons, "broken-links: "+plural(sum.BrokenLinks, "broken link", "broken links"))
			}
		case "delinquent":
			if sum.Delinquent > 0 {
				g.Reasons = append(g.Reasons, "delinquent: "+plural(sum.Delinquent, "dataset", "datasets")+" delinquent")
			}
		case "overdue":
			if n := sum.Overdue + sum.Delinquent; n > 0 {
				g.Reasons = append(g.Reasons, "overdue: "+plural(n, "dataset", "datasets")+" overdue or delinquent")
			}
		case "errors":
			if sum.Errors > 0 {
				g.Reasons = append(g.Reasons, "errors: "+plural(sum.Errors, "finding", "findings")+" of severity error")
			}
		case "new-broken-links":
			if diff == nil {
				g.Skipped = append(g.Skipped, c)
			} else if n := len(diff.NewlyBroken); n > 0 {
				g.Reasons = append(g.Reasons, "new-broken-links: "+plural(n, "link", "links")+" broke since the previous audit")
			}
		case "score-drop":
			if diff == nil {
				g.Skipped = append(g.Skipped, c)
			} else if n := len(diff.Dropped); n > 0 {
				worst := diff.Dropped[0]
				g.Reasons = append(g.Reasons, fmt.Sprintf("score-drop: %s lost more than %v points (worst %s %v)",
					plural(n, "dataset", "datasets"), diff.Threshold, plain.OneLine(worst.Name, 80), l10n.Signed(worst.Delta, 2, "en")))
			}
		}
	}
	g.Passed = len(g.Reasons) == 0
	return g
}

// ComparePrevious compares a score run with the previous one of the same
// profile; nil on the first audit (or the first with this profile).
func ComparePrevious(ctx context.Context, db DiffStore, portalID int64, run *store.ScoreRun, opts store.DiffOptions) (*store.DiffResult, error) {
	from, to, err := db.ResolveScoreRuns(ctx, portalID, store.RefPrevious, store.RunRef{Kind: "id", ID: run.ID})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return DiffRuns(ctx, db, portalID, from, to, opts)
}
