package vigie

import "math"

// MeanDecimals is the one precision of a mean score wherever people read
// one: the score and audit summaries, the quality gate's reason, orgs, diff,
// the e-mails and every report (JSON, CSV, xlsx, HTML, Markdown).
const MeanDecimals = 1

// RoundMean rounds a mean score to MeanDecimals, halves away from zero: the
// value every report shows and the quality gate (--fail-under) judges, so
// that a gate never fails on a mean printed equal to its threshold.
func RoundMean(v float64) float64 {
	p := math.Pow10(MeanDecimals)
	return math.Round(v*p) / p
}
