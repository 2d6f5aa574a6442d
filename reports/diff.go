package reports

import (
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/vigie-audit/vigie"
)

// The comparison of two score runs ("since last run"), as a terminal table, as
// Markdown and as JSON, in French or English. vigie diff prints it; vigie audit
// writes it into each audit folder.

// diffLabels are the words of diff output, French first.
var diffLabels = map[string]vigie.Text{
	"title":       {FR: "Depuis la dernière exécution", EN: "Since last run"},
	"compared":    {FR: "Évaluation", EN: "Score run"},
	"run_no":      {FR: "n° %s", EN: "#%s"},
	"indicator":   {FR: "Indicateur", EN: "Indicator"},
	"before":      {FR: "Avant", EN: "Before"},
	"now":         {FR: "Maintenant", EN: "Now"},
	"mean":        {FR: "Score global moyen", EN: "Mean overall score"},
	"scored":      {FR: "Jeux de données évalués", EN: "Datasets scored"},
	"broken":      {FR: "Liens brisés", EN: "Broken links"},
	"failing":     {FR: "Liens en échec, pas encore confirmés brisés", EN: "Failing links, not yet confirmed broken"},
	"delinquent":  {FR: "Jeux très en retard", EN: "Delinquent datasets"},
	"overdue":     {FR: "Jeux en retard", EN: "Overdue datasets"},
	"errors":      {FR: "Constats de niveau erreur", EN: "Error findings"},
	"new":         {FR: "Nouveaux jeux de données", EN: "New datasets"},
	"missing":     {FR: "Jeux de données absents", EN: "Missing datasets"},
	"deleted":     {FR: "Jeux de données supprimés", EN: "Deleted datasets"},
	"restored":    {FR: "Jeux de données revenus", EN: "Restored datasets"},
	"dropped":     {FR: "Scores en baisse", EN: "Score drops"},
	"rose":        {FR: "Scores en hausse", EN: "Score rises"},
	"newFind":     {FR: "Nouveaux constats", EN: "New findings"},
	"resolved":    {FR: "Constats résolus", EN: "Resolved findings"},
	"replaced":    {FR: "Constats remplacés par un autre (non résolus)", EN: "Findings replaced by another (not resolved)"},
	"worsened":    {FR: "aggravé", EN: "worse"},
	"newBroken":   {FR: "Liens nouvellement brisés", EN: "Newly broken links"},
	"repaired":    {FR: "Liens réparés", EN: "Repaired links"},
	"freshness":   {FR: "Changements de fraîcheur", EN: "Freshness changes"},
	"orgs":        {FR: "Par organisation", EN: "Per organization"},
	"dataset":     {FR: "Jeu de données", EN: "Dataset"},
	"org":         {FR: "Organisation", EN: "Organization"},
	"delta":       {FR: "Écart", EN: "Change"},
	"rule":        {FR: "Règle", EN: "Rule"},
	"severity":    {FR: "Gravité", EN: "Severity"},
	"message":     {FR: "Message", EN: "Message"},
	"url":         {FR: "URL", EN: "URL"},
	"was":         {FR: "Était", EN: "Was"},
	"reason":      {FR: "Raison", EN: "Reason"},
	"datasets":    {FR: "Jeux de données", EN: "Datasets"},
	"nothing":     {FR: "Aucun changement.", EN: "No change."},
	"more":        {FR: "… et %s de plus", EN: "… and %s more"},
	"worse":       {FR: "moins bon", EN: "worse"},
	"better":      {FR: "meilleur", EN: "better"},
	"threshold":   {FR: "de plus de %s points", EN: "by more than %s points"},
	"profile":     {FR: "profil", EN: "profile"},
	"counts":      {FR: "Nouveaux %s · absents %s · supprimés %s · revenus %s · en baisse %s · en hausse %s · nouveaux constats %s · résolus %s · remplacés %s · liens brisés %s · réparés %s · fraîcheur %s", EN: "New %s · missing %s · deleted %s · restored %s · dropped %s · rose %s · new findings %s · resolved %s · replaced %s · newly broken %s · repaired %s · freshness %s"},
	"colNew":      {FR: "Nouv.", EN: "New"},
	"colMissing":  {FR: "Abs.", EN: "Missing"},
	"colDeleted":  {FR: "Suppr.", EN: "Deleted"},
	"colDropped":  {FR: "Baisse", EN: "Drops"},
	"colRose":     {FR: "Hausse", EN: "Rises"},
	"colNewF":     {FR: "Constats +", EN: "Findings +"},
	"colResolved": {FR: "Constats −", EN: "Findings −"},
	"colBroken":   {FR: "Liens brisés +", EN: "Broken +"},
	"colRepaired": {FR: "Réparés", EN: "Repaired"},
	"colFresh":    {FR: "Fraîcheur −", EN: "Freshness −"},
}

func diffLabel(lang, key string) string { return diffLabels[key].In(lang) }

// diffWord gives a code's label in lang ("—" for none).
func diffWord[C ~string](lang string, code C) string {
	if code == "" {
		return "—"
	}
	return vigie.Label(code).In(lang)
}

// FormatScore writes a score the way lang does ("—" when unknown).
func FormatScore(p *float64, lang string) string {
	if p == nil {
		return "—"
	}
	return l10n.Float(*p, 2, lang)
}

// FormatMean writes a mean score (a portal's, an organization's, a
// dimension's) the way lang does, rounded as every report rounds it
// (vigie.RoundMean); "—" when unknown.
func FormatMean(p *float64, lang string) string {
	if p == nil {
		return "—"
	}
	return l10n.Float(vigie.RoundMean(*p), vigie.MeanDecimals, lang)
}

// FormatDelta writes a change of score with its sign the way lang does.
func FormatDelta(v float64, lang string) string {
	return l10n.Signed(v, 2, lang)
}

func diffWhen(t time.Time) string {
	if t.IsZero() {
		return "?"
	}
	return t.In(time.Local).Format("2006-01-02 15:04")
}

// diffCounts is the one-line count of every kind of change.
func diffCounts(d *vigie.DiffResult, lang string) string {
	var n []any
	for _, c := range []int{len(d.New), len(d.Missing), len(d.Deleted), len(d.Restored), len(d.Dropped), len(d.Rose),
		len(d.NewFindings), len(d.ResolvedFindings), len(d.ReplacedFindings), len(d.NewlyBroken), len(d.Repaired), len(d.Freshness)} {
		n = append(n, l10n.Int(c, lang))
	}
	return fmt.Sprintf(diffLabel(lang, "counts"), n...)
}

// diffSection is one list of a comparison, ready for a table.
type diffSection struct {
	key    string
	header []string
	rows   [][]string
}

func diffSections(d *vigie.DiffResult, lang string) []diffSection {
	L := func(k string) string { return diffLabel(lang, k) }
	dsRows := func(ds []vigie.DiffDataset) [][]string {
		var out [][]string
		for _, x := range ds {
			out = append(out, []string{x.Name, MarkTitle(lang, x.Visibility, x.Title), x.Organization})
		}
		return out
	}
	scoreRows := func(cs []vigie.ScoreChange) [][]string {
		var out [][]string
		for _, c := range cs {
			out = append(out, []string{c.Name, c.Organization, FormatScore(&c.From, lang), FormatScore(&c.To, lang), FormatDelta(c.Delta, lang)})
		}
		return out
	}
	findRows := func(fs []vigie.FindingChange) [][]string {
		var out [][]string
		for _, f := range fs {
			out = append(out, []string{f.Name, f.Organization, f.Rule, diffWord(lang, f.Severity), f.Message.In(lang)})
		}
		return out
	}
	replacedRows := func(fs []vigie.FindingChange) [][]string {
		var out [][]string
		for _, f := range fs {
			n := f.ReplacedBy
			sev := diffWord(lang, f.Severity) + " → " + diffWord(lang, n.Severity)
			if f.Worse {
				sev += " (" + L("worsened") + ")"
			}
			out = append(out, []string{f.Name, f.Organization, f.Rule + " → " + n.Rule, sev, n.Message.In(lang)})
		}
		return out
	}
	linkRows := func(ls []vigie.LinkChange) [][]string {
		var out [][]string
		for _, l := range ls {
			reason := l10n.LinkReason(lang, l.Reason)
			if l.Status != 0 && !strings.Contains(reason, strconv.Itoa(l.Status)) {
				reason = strings.TrimSpace("HTTP " + strconv.Itoa(l.Status) + " " + reason)
			}
			out = append(out, []string{l.URL, diffWord(lang, l.From), reason, strings.Join(l.Datasets, ", ")})
		}
		return out
	}
	var fresh [][]string
	for _, f := range d.Freshness {
		dir := L("better")
		if f.Worse {
			dir = L("worse")
		}
		fresh = append(fresh, []string{f.Name, f.Organization, diffWord(lang, f.From), diffWord(lang, f.To), dir})
	}
	dsH := []string{L("dataset"), "Titre", L("org")}
	if lang == "en" {
		dsH[1] = "Title"
	}
	scH := []string{L("dataset"), L("org"), L("before"), L("now"), L("delta")}
	fH := []string{L("dataset"), L("org"), L("rule"), L("severity"), L("message")}
	lH := []string{L("url"), L("was"), L("reason"), L("datasets")}
	return []diffSection{
		{"new", dsH, dsRows(d.New)},
		{"missing", dsH, dsRows(d.Missing)},
		{"deleted", dsH, dsRows(d.Deleted)},
		{"restored", dsH, dsRows(d.Restored)},
		{"dropped", scH, scoreRows(d.Dropped)},
		{"rose", scH, scoreRows(d.Rose)},
		{"newBroken", lH, linkRows(d.NewlyBroken)},
		{"repaired", lH, linkRows(d.Repaired)},
		{"newFind", fH, findRows(d.NewFindings)},
		{"resolved", fH, findRows(d.ResolvedFindings)},
		{"replaced", fH, replacedRows(d.ReplacedFindings)},
		{"freshness", []string{L("dataset"), L("org"), L("before"), L("now"), ""}, fresh},
	}
}

func diffIndicators(d *vigie.DiffResult, lang string) [][]string {
	n := func(i int) string { return l10n.Int(i, lang) }
	return [][]string{
		{diffLabel(lang, "mean"), FormatMean(d.From.MeanOverall, lang), FormatMean(d.To.MeanOverall, lang)},
		{diffLabel(lang, "scored"), n(d.From.Datasets), n(d.To.Datasets)},
		{diffLabel(lang, "broken"), n(d.From.BrokenLinks), n(d.To.BrokenLinks)},
		{diffLabel(lang, "failing"), n(d.From.FailingLinks), n(d.To.FailingLinks)},
		{diffLabel(lang, "delinquent"), n(d.From.Delinquent), n(d.To.Delinquent)},
		{diffLabel(lang, "overdue"), n(d.From.Overdue), n(d.To.Overdue)},
		{diffLabel(lang, "errors"), n(d.From.Errors), n(d.To.Errors)},
	}
}

func diffOrgRows(d *vigie.DiffResult, lang string) [][]string {
	n := func(i int) string { return l10n.Int(i, lang) }
	var rows [][]string
	for _, o := range d.Organizations {
		name := o.Name
		if name == "" {
			name = "—"
		}
		rows = append(rows, []string{name, FormatMean(o.MeanFrom, lang), FormatMean(o.MeanTo, lang), n(o.New), n(o.Missing), n(o.Deleted),
			n(o.Dropped), n(o.Rose), n(o.NewFindings), n(o.ResolvedFindings), n(o.NewlyBroken), n(o.Repaired), n(o.FreshnessWorse)})
	}
	return rows
}

func diffOrgHeader(lang string) []string {
	L := func(k string) string { return diffLabel(lang, k) }
	return []string{L("org"), L("before"), L("now"), L("colNew"), L("colMissing"), L("colDeleted"), L("colDropped"), L("colRose"),
		L("colNewF"), L("colResolved"), L("colBroken"), L("colRepaired"), L("colFresh")}
}

func diffClip(rows [][]string, limit int) ([][]string, int) {
	if limit > 0 && len(rows) > limit {
		return rows[:limit], len(rows) - limit
	}
	return rows, 0
}

func diffHeading(d *vigie.DiffResult, lang string) string {
	no := func(id int64) string { return fmt.Sprintf(diffLabel(lang, "run_no"), l10n.Int(id, lang)) }
	return fmt.Sprintf("%s %s (%s) → %s (%s), %s %s", diffLabel(lang, "compared"), no(d.From.ScoreRunID), diffWhen(d.From.FinishedAt),
		no(d.To.ScoreRunID), diffWhen(d.To.FinishedAt), diffLabel(lang, "profile"), d.To.Profile)
}

// WriteDiffTable prints a comparison for a terminal.
func WriteDiffTable(w io.Writer, d *vigie.DiffResult, lang string, limit int) error {
	fmt.Fprintln(w, shorten(clean(diffHeading(d, lang), true), 200))
	fmt.Fprintln(w)
	if err := diffTextTable(w, []string{diffLabel(lang, "indicator"), diffLabel(lang, "before"), diffLabel(lang, "now")}, diffIndicators(d, lang)); err != nil {
		return err
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, diffCounts(d, lang))
	for _, s := range diffSections(d, lang) {
		if len(s.rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s (%s)\n", diffLabel(lang, s.key), l10n.Int(len(s.rows), lang))
		rows, more := diffClip(s.rows, limit)
		if err := diffTextTable(w, s.header, rows); err != nil {
			return err
		}
		if more > 0 {
			fmt.Fprintf(w, diffLabel(lang, "more")+"\n", l10n.Int(more, lang))
		}
	}
	if len(d.Organizations) > 0 && !d.Empty() {
		fmt.Fprintf(w, "\n%s\n", diffLabel(lang, "orgs"))
		rows, more := diffClip(diffOrgRows(d, lang), limit)
		if err := diffTextTable(w, diffOrgHeader(lang), rows); err != nil {
			return err
		}
		if more > 0 {
			fmt.Fprintf(w, diffLabel(lang, "more")+"\n", l10n.Int(more, lang))
		}
	}
	return nil
}

// diffMDCell makes portal text safe inside a Markdown table cell: one line,
// no table breaks, no HTML, no links or emphasis.
func diffMDCell(s string) string { return mdText(shorten(clean(s, true), 200)) }

func diffMDTable(w io.Writer, header []string, rows [][]string) {
	cells := func(r []string) string {
		out := make([]string, len(r))
		for i, c := range r {
			out[i] = diffMDCell(c)
		}
		return "| " + strings.Join(out, " | ") + " |"
	}
	fmt.Fprintln(w, cells(header))
	fmt.Fprintln(w, "|"+strings.Repeat(" --- |", len(header)))
	for _, r := range rows {
		fmt.Fprintln(w, cells(r))
	}
}

// WriteDiffMD writes a comparison as Markdown; level is the heading level of its title.
func WriteDiffMD(w io.Writer, d *vigie.DiffResult, portal, lang string, limit, level int) error {
	h := func(l int) string { return strings.Repeat("#", l) + " " }
	fmt.Fprintf(w, "%s%s\n\n", h(level), diffLabel(lang, "title"))
	fmt.Fprintf(w, "%s — %s\n\n", diffMDCell(portal), diffMDCell(diffHeading(d, lang)))
	if len(d.Orgs) > 0 {
		fmt.Fprintf(w, "%s: %s\n\n", diffLabel(lang, "org"), diffMDCell(strings.Join(d.Orgs, ", ")))
	}
	diffMDTable(w, []string{diffLabel(lang, "indicator"), diffLabel(lang, "before"), diffLabel(lang, "now")}, diffIndicators(d, lang))
	fmt.Fprintf(w, "\n%s\n", diffCounts(d, lang))
	if d.Empty() {
		fmt.Fprintf(w, "\n%s\n", diffLabel(lang, "nothing"))
		return nil
	}
	for _, s := range diffSections(d, lang) {
		if len(s.rows) == 0 {
			continue
		}
		title := diffLabel(lang, s.key)
		if s.key == "dropped" || s.key == "rose" {
			title += " " + fmt.Sprintf(diffLabel(lang, "threshold"), l10n.Float(d.Threshold, 2, lang))
		}
		fmt.Fprintf(w, "\n%s%s (%s)\n\n", h(level+1), title, l10n.Int(len(s.rows), lang))
		rows, more := diffClip(s.rows, limit)
		diffMDTable(w, s.header, rows)
		if more > 0 {
			fmt.Fprintf(w, "\n"+diffLabel(lang, "more")+"\n", l10n.Int(more, lang))
		}
	}
	fmt.Fprintf(w, "\n%s%s\n\n", h(level+1), diffLabel(lang, "orgs"))
	rows, more := diffClip(diffOrgRows(d, lang), limit)
	diffMDTable(w, diffOrgHeader(lang), rows)
	if more > 0 {
		fmt.Fprintf(w, "\n"+diffLabel(lang, "more")+"\n", l10n.Int(more, lang))
	}
	return nil
}

// DiffTitle is the heading of a comparison ("Since last run").
func DiffTitle(lang string) string { return diffLabel(lang, "title") }

// diffTextTable prints aligned columns for a terminal, each cell on one line.
func diffTextTable(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = shorten(clean(c, true), 60)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}
