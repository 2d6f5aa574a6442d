package reports

import (
	"bufio"
	"context"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"strings"
)

// Markdown writes the indicators, the 10 weakest organizations and the most
// common findings: a short text for an e-mail or a wiki.
type Markdown struct{}

var _ Writer = (*Markdown)(nil)

// Write writes r to w.
func (Markdown) Write(ctx context.Context, w io.Writer, r *Report) error {
	l := r.Lang
	colon := " :"
	if l == "en" {
		colon = ":"
	}
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, "# %s — %s\n\n", T(l, "title"), mdText(r.Portal))
	fmt.Fprintf(b, "- %s%s %s\n", T(l, "generated_at"), colon, r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(b, "- %s%s %s\n", T(l, "made_with"), colon, mdText(r.VigieVersion))
	fmt.Fprintf(b, "- %s%s %s\n", T(l, "score_run"), colon, mdText(r.scoreRunText("2006-01-02")))
	if r.ScoreRun.AsOf != nil {
		fmt.Fprintf(b, "- %s%s %s\n", T(l, "as_of"), colon, r.ScoreRun.AsOf.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if r.HarvestRun != nil {
		fmt.Fprintf(b, "- %s%s %d (%s)\n", T(l, "harvest_run"), colon, r.HarvestRun.ID, r.HarvestRun.StartedAt.UTC().Format("2006-01-02"))
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(b, "- **%s**%s %s\n", T(l, "stale_warning"), colon, mdText(w))
	}
	if r.CompareRun != nil {
		fmt.Fprintf(b, "- %s%s %d (%s)\n", T(l, "compare_run"), colon, r.CompareRun.ID, r.CompareRun.StartedAt.UTC().Format("2006-01-02"))
	}
	fmt.Fprintf(b, "- %s%s %s\n", T(l, "scope"), colon, mdText(r.Scope()))
	if label, text, ok := r.NotPublished(); ok {
		fmt.Fprintf(b, "- %s%s %s\n", label, colon, text)
	}
	b.WriteString("\n")

	fmt.Fprintf(b, "## %s\n\n", r.heading("commitment"))
	fmt.Fprintf(b, "| %s | %s | %s | %s |\n|---|---:|---:|---:|\n", T(l, "indicator"), T(l, "value"), T(l, "previous"), T(l, "change"))
	for _, i := range r.Commitment {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", i.Label, fmtNum(i.Value, l), fmtNum(i.Previous, l), fmtChange(i.Change, l))
	}
	b.WriteString("\n")
	for _, i := range r.Commitment {
		if i.Note != "" {
			fmt.Fprintf(b, "- %s%s %s\n", i.Label, colon, i.Note)
		}
	}

	fmt.Fprintf(b, "\n## %s\n\n", T(l, "weakest_orgs"))
	fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n|---:|---|---:|---:|---:|---:|---:|\n", T(l, "col_rank"), T(l, "col_org"),
		T(l, "col_datasets"), T(l, "col_overall"), T(l, "col_completeness"), T(l, "col_tau"), T(l, "col_broken"))
	orgs := r.Organizations
	start := len(orgs) - 10
	if start < 0 {
		start = 0
	}
	for i := len(orgs) - 1; i >= start; i-- {
		o := orgs[i]
		name := o.Title
		if name == "" {
			name = o.Name
		}
		if name == "" {
			name = T(l, "no_org")
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s |\n", l10n.Int(o.Rank, l), mdText(name), l10n.Int(o.Datasets, l), fmtNum(o.Scores.Overall, l),
			fmtNum(o.Scores.Completeness, l), fmtNum(o.Tau, l), fmtInt(o.BrokenLinks, l))
	}

	fmt.Fprintf(b, "\n## %s\n\n", T(l, "common_finds"))
	if len(r.TopFindings) == 0 {
		fmt.Fprintf(b, "%s\n", T(l, "no_findings"))
	} else {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n|---|---|---:|---:|---|\n", T(l, "col_rule"), T(l, "col_severity"), T(l, "col_datasets"), T(l, "col_findings"), T(l, "col_hint"))
		for i, c := range r.TopFindings {
			if i == 10 {
				break
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s |\n", strings.ReplaceAll(c.Rule, "`", ""), T(l, c.Severity), l10n.Int(c.Datasets, l), l10n.Int(c.Findings, l), mdText(c.Hint))
		}
	}
	mdLandingAndRedirects(b, r, colon)
	return b.Flush()
}

// mdMaxLinks caps the landing pages and redirect chains the Markdown lists;
// the other formats list them all.
const mdMaxLinks = 50

// mdLandingAndRedirects lists the working links a publisher should still
// fix: landing pages where data was declared, chains of more than two
// redirects.
func mdLandingAndRedirects(b *bufio.Writer, r *Report, colon string) {
	l := r.Lang
	var list []Link
	for _, k := range r.Links {
		if k.LandingPage || k.Redirects > 2 {
			list = append(list, k)
		}
	}
	if len(list) == 0 {
		return
	}
	fmt.Fprintf(b, "\n## %s\n\n", T(l, "landing_redirects"))
	fmt.Fprintf(b, "| %s | %s | %s | %s |\n|---|---|---:|---|\n", T(l, "col_link"), T(l, "col_landing"), T(l, "col_redirects"), T(l, "datasets_using"))
	for i, k := range list {
		if i == mdMaxLinks {
			fmt.Fprintf(b, "\n%s\n", fmt.Sprintf(T(l, "more_in"), len(list)-mdMaxLinks))
			break
		}
		landing, redirects := "", ""
		if k.LandingPage {
			landing = T(l, "landing_page")
		}
		if k.Redirects > 0 {
			redirects = l10n.Int(k.Redirects, l)
		}
		names := make([]string, len(k.Datasets))
		for j, d := range k.Datasets {
			names[j] = mdText(d.Name)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdText(k.URL), landing, redirects, strings.Join(names, ", "))
	}
}

// mdText keeps untrusted text on one line and inert in Markdown: no table
// breaks, no HTML, no links, code or emphasis. Parentheses and the like
// stay as they are: without brackets they make no link.
func mdText(s string) string {
	s = clean(s, true)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// fmtNum prints a number with one decimal at most, "—" when unknown, in the
// language's decimal style.
func fmtNum(p *float64, lang string) string {
	if p == nil {
		return "—"
	}
	return l10n.Float(*p, vigie.MeanDecimals, lang)
}

// FormatCount writes a count for people, "—" when it is unknown.
func FormatCount(p *int, lang string) string { return fmtInt(p, lang) }

// fmtInt writes a count, or "—" when it is unknown.
func fmtInt(p *int, lang string) string {
	if p == nil {
		return "—"
	}
	return l10n.Int(*p, lang)
}

func fmtChange(p *float64, lang string) string {
	if p == nil {
		return "—"
	}
	return l10n.Signed(*p, 1, lang)
}
