package pipeline

import (
	"context"
	"errors"
	"github.com/vigie-audit/vigie"

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

// Evaluate checks the gate against the scope's summary and the comparison
// with the previous audit (nil on the first one, whose comparison conditions
// are then skipped).
func (gate Gate) Evaluate(sum *vigie.DiffRun, diff *vigie.DiffResult) vigie.GateResult {
	g := vigie.GateResult{FailOn: gate.FailOn, Reasons: []string{}}
	// Each reason is a catalogue sentence (Said, for the reader's
	// language); Reasons keeps its English text for run.json.
	reason := func(id string, args ...any) {
		e := vigie.NewError(vigie.KindOther, id, args...)
		g.Said = append(g.Said, e)
		g.Reasons = append(g.Reasons, e.Error())
	}
	count := func(id string, n int) l10n.Count { return l10n.Count{ID: id, N: n} }
	if g.FailOn == nil {
		g.FailOn = []string{}
	}
	if gate.FailUnder != nil {
		v := *gate.FailUnder
		g.FailUnder = &v
		switch {
		case sum.MeanOverall == nil:
			reason("gate.no_score", l10n.Number(v, 2))
		case vigie.RoundMean(*sum.MeanOverall) < v: // the mean every report shows
			reason("gate.under", l10n.Number(vigie.RoundMean(*sum.MeanOverall), vigie.MeanDecimals), l10n.Number(v, 2))
		}
	}
	for _, c := range gate.FailOn {
		switch c {
		case "broken-links":
			if sum.BrokenLinks > 0 {
				reason("gate.broken_links", count("n.gate.broken_links", sum.BrokenLinks))
			}
		case "delinquent":
			if sum.Delinquent > 0 {
				reason("gate.delinquent", count("n.gate.delinquent", sum.Delinquent))
			}
		case "overdue":
			if n := sum.Overdue + sum.Delinquent; n > 0 {
				reason("gate.overdue", count("n.gate.overdue", n))
			}
		case "errors":
			if sum.Errors > 0 {
				reason("gate.errors", count("n.gate.errors", sum.Errors))
			}
		case "new-broken-links":
			if diff == nil {
				g.Skipped = append(g.Skipped, c)
			} else if n := len(diff.NewlyBroken); n > 0 {
				reason("gate.new_broken", count("n.gate.new_broken", n))
			}
		case "score-drop":
			if diff == nil {
				g.Skipped = append(g.Skipped, c)
			} else if n := len(diff.Dropped); n > 0 {
				worst := diff.Dropped[0]
				reason("gate.score_drop", count("n.gate.dropped", n), l10n.Number(diff.Threshold, 2), plain.OneLine(worst.Name, 80), l10n.Change(worst.Delta, 2))
			}
		}
	}
	g.Passed = len(g.Reasons) == 0
	return g
}

// ComparePrevious compares a score run with the previous one of the same
// profile; nil on the first audit (or the first with this profile).
func ComparePrevious(ctx context.Context, db DiffStore, portalID int64, run *store.ScoreRun, opts DiffOptions) (*vigie.DiffResult, error) {
	from, to, err := db.ResolveScoreRuns(ctx, portalID, store.RefPrevious, store.RunRef{Kind: "id", ID: run.ID})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return DiffRuns(ctx, db, portalID, from, to, opts)
}
