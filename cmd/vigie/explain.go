package main

import (
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newExplainCmd) }

func newExplainCmd(a *App) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "explain NAME",
		Short: "Explain a dataset's scores: every dimension, every lost point and how to fix it",
		Long: `Explain one dataset's scores from the latest score run that scored it:
each dimension, the MQA points, then every finding with the points it cost
and how to fix it.
The points lost in a dimension add up to 100 minus its score.

Messages follow --lang (fr or en). --format json prints the same for tools.`,
		Example: `  $ vigie explain comptages-de-velos-2014-3c4adc83
  $ vigie --lang en explain comptages-de-velos-2014-3c4adc83
  $ vigie explain 3c4adc83-a502-4fa4-bbd5-3bfbc08108ea --format json`,
		Args: oneArg(a, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := a.OpenDBReadOnly(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			p, err := db.Portal(ctx, a.Portal)
			if err != nil {
				return err
			}
			d, err := db.GetDataset(ctx, p.ID, args[0])
			if err != nil {
				return err
			}
			if d.ID != args[0] {
				same, err := db.SameName(ctx, p.ID, args[0])
				if err != nil {
					return err
				}
				if len(same) > 1 {
					var ids []string
					for _, s := range same {
						ids = append(ids, s.ID+" ("+s.State+")")
					}
					fmt.Fprintf(a.Stderr, "vigie: warning: %d datasets are named %s: %s; this explains %s; to pick another, pass its id: vigie explain ID\n",
						len(same), oneLine(args[0], 100), strings.Join(ids, ", "), d.ID)
				}
			}
			as, run, err := db.LatestAssessmentOf(ctx, p.ID, d.ID)
			if errors.Is(err, store.ErrNotFound) {
				return vigie.NewError(vigie.KindNotScored, "store.not_scored", d.Name)
			}
			if err != nil {
				return err
			}
			if format == "json" {
				return printJSON(a.Stdout, reports.NewExplanation(d, run, as, a.Lang))
			}
			return writeExplain(a.Stdout, d, run, as, a.Lang)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}

// Labels of the explain text in both languages.
var (
	explainWords = map[string]vigie.Text{
		"dataset":         {FR: "Jeu de données", EN: "Dataset"},
		"org":             {FR: "Organisation", EN: "Organization"},
		"run":             {FR: "Évaluation", EN: "Score run"},
		"profile":         {FR: "profil", EN: "profile"},
		"overall":         {FR: "Score global", EN: "Overall"},
		"unknown":         {FR: "inconnu", EN: "unknown"},
		"stars":           {FR: "étoile(s)", EN: "star(s)"},
		"openlic":         {FR: "licence ouverte", EN: "open licence"},
		"closedlic":       {FR: "licence non ouverte", EN: "licence not open"},
		"unknownlic":      {FR: "licence inconnue : ouverture non évaluée", EN: "unknown licence: openness not assessed"},
		"nolic":           {FR: "aucune licence", EN: "no licence"},
		"lic_by_portal":   {FR: "d'après la liste des licences du portail", EN: "per the portal's licence list"},
		"lic_by_isopen":   {FR: "d'après l'indicateur isopen du portail", EN: "per the portal's isopen flag"},
		"lic_by_register": {FR: "d'après le registre de l'Open Definition", EN: "per the Open Definition register"},
		"resource":        {FR: "ressource", EN: "resource"},
		"findings":        {FR: "constat(s)", EN: "finding(s)"},
		"none":            {FR: "Aucun point perdu.", EN: "No point lost."},
		"fix":             {FR: "Correctif", EN: "Fix"},
		"freq":            {FR: "fréquence", EN: "frequency"},
		"evidence":        {FR: "date utilisée", EN: "date used"},
		"ofpoints":        {FR: "points perdus", EN: "points lost"},
		"vis":             {FR: "Visibilité", EN: "Visibility"},
	}
	explainVis = map[string]vigie.Text{
		vigie.VisPrivate: {FR: "privé (non publié : exclu des indicateurs et des rapports sans --include-private)", EN: "private (not published: left out of the indicators, and of reports without --include-private)"},
		vigie.VisDraft:   {FR: "brouillon (non publié : exclu des indicateurs et des rapports sans --include-private)", EN: "draft (not published: left out of the indicators, and of reports without --include-private)"},
		vigie.VisDeleted: {FR: "supprimé sur le portail (non publié : exclu des indicateurs et des rapports sans --include-private)", EN: "deleted on the portal (not published: left out of the indicators, and of reports without --include-private)"},
	}
)

func ew(lang, key string) string { return explainWords[key].In(lang) }

// plural writes a count with its noun: French takes the singular below 2
// ("0 étoile", "1,5 point perdu"), English only for exactly 1.
func plural(n float64, noun, lang string) string {
	forms := map[string][4]string{
		"star":    {"étoile", "étoiles", "star", "stars"},
		"finding": {"constat", "constats", "finding", "findings"},
		"lost":    {"point perdu", "points perdus", "point lost", "points lost"},
	}[noun]
	word := forms[3]
	switch {
	case lang != "en" && n < 2:
		word = forms[0]
	case lang != "en":
		word = forms[1]
	case n == 1:
		word = forms[2]
	}
	return explainNum(n, lang) + " " + word
}

// num writes a score with one or two decimals, with a decimal comma in French.
func explainNum(v float64, lang string) string {
	return l10n.Float(v, 2, lang)
}

func explainScore(p *float64, lang string) string {
	if p == nil {
		return "— (" + ew(lang, "unknown") + ")"
	}
	return explainNum(*p, lang) + " / 100"
}

// writeFindingGroup prints resources failing one rule as a single entry: the
// total points, the first message, the resources named, the fix once.
func writeFindingGroup(b *strings.Builder, fs []vigie.Finding, resName map[string]string, lang string) {
	var pts float64
	names := make([]string, 0, len(fs))
	for _, f := range fs {
		pts += f.Points
		name := resName[f.ResourceID]
		if name == "" {
			name = f.ResourceID
		}
		names = append(names, name)
	}
	f := fs[0]
	word := map[bool]string{true: "ressources", false: "resources"}[lang != "en"]
	fmt.Fprintf(b, "  [%s] %s  −%s  (%d %s)\n", vigie.Label(f.Severity).In(lang), f.Rule, explainNum(explainRound(pts), lang), len(fs), word)
	fmt.Fprintf(b, "      %s\n", oneLine(f.Message.In(lang), 400))
	shown := names
	if len(shown) > 8 {
		shown = shown[:8]
	}
	list := strings.Join(shown, " · ")
	if len(names) > len(shown) {
		more := map[bool]string{true: "autres", false: "more"}[lang != "en"]
		list += fmt.Sprintf(" · … (+%d %s)", len(names)-len(shown), more)
	}
	fmt.Fprintf(b, "      %s%s\n", map[bool]string{true: "Ressources : ", false: "Resources: "}[lang != "en"], oneLine(list, 600))
	fmt.Fprintf(b, "      → %s\n", oneLine(f.Hint.In(lang), 400))
}

func explainRound(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// writeExplain prints the human explanation.
func writeExplain(out io.Writer, d *vigie.Dataset, run *store.ScoreRun, as *vigie.Assessment, lang string) error {
	resName := map[string]string{}
	for _, r := range d.Resources {
		name := oneLine(strings.TrimSpace(r.Name), 60)
		if name == "" {
			name = r.ID
		}
		resName[r.ID] = name
	}
	var b strings.Builder
	colon := " : "
	if lang == "en" {
		colon = ": "
	}
	fmt.Fprintf(&b, "%s%s%s (%s)\n", ew(lang, "dataset"), colon, oneLine(d.TitleIn(lang), 100), d.Name)
	if v, ok := explainVis[d.Visibility()]; ok {
		fmt.Fprintf(&b, "%s%s%s\n", ew(lang, "vis"), colon, v.In(lang))
	}
	org := d.OrganizationTitle
	if org == "" {
		org = d.Organization
	}
	if org != "" {
		fmt.Fprintf(&b, "%s%s%s\n", ew(lang, "org"), colon, oneLine(org, 100))
	}
	fmt.Fprintf(&b, "%s%s%d (%s %s)\n\n", ew(lang, "run"), colon, run.ID, ew(lang, "profile"), run.Profile)

	s := as.Scores
	fmt.Fprintf(&b, "  %-15s %s\n", ew(lang, "overall"), explainScore(s.Overall, lang))
	fmt.Fprintf(&b, "  %-15s %s\n", explainDim(vigie.DimCompleteness, lang), explainScore(s.Completeness, lang))
	fresh := vigie.Label(as.FreshnessStatus).In(lang)
	if as.Frequency != "" {
		fresh += ", " + ew(lang, "freq") + " " + quality.FrequencyLabel(as.Frequency).In(lang)
	}
	if as.FreshnessEvidence != "" && as.FreshnessStatus != vigie.FreshNotApplicable && as.FreshnessStatus != vigie.FreshUnknown {
		fresh += " (" + ew(lang, "evidence") + colon + quality.EvidenceLabel(as.FreshnessEvidence).In(lang) + ")"
	}
	if s.Freshness == nil {
		fmt.Fprintf(&b, "  %-15s — (%s)\n", explainDim(vigie.DimFreshness, lang), fresh)
	} else {
		fmt.Fprintf(&b, "  %-15s %s — %s\n", explainDim(vigie.DimFreshness, lang), explainScore(s.Freshness, lang), fresh)
	}
	lic := ew(lang, "openlic")
	switch {
	case as.LicenceStatus == vigie.LicenceUnknown:
		lic = ew(lang, "unknownlic")
	case as.LicenceStatus == vigie.LicenceMissing:
		lic = ew(lang, "nolic")
	case !as.OpenLicence:
		lic = ew(lang, "closedlic")
	}
	if by := ew(lang, "lic_by_"+as.LicenceBy); as.LicenceBy != "" && by != "" {
		lic += " (" + by + ")"
	}
	if s.Openness == nil {
		fmt.Fprintf(&b, "  %-15s — (%s)\n", explainDim(vigie.DimOpenness, lang), lic)
	} else {
		fmt.Fprintf(&b, "  %-15s %s — %s, %s\n", explainDim(vigie.DimOpenness, lang), explainScore(s.Openness, lang), plural(float64(as.Stars), "star", lang), lic)
	}
	fmt.Fprintf(&b, "  %-15s %s\n", explainDim(vigie.DimAvailability, lang), explainScore(s.Availability, lang))
	fmt.Fprintf(&b, "  %-15s %d / 405 (%s)\n", "MQA", as.MQA.Points, vigie.Label(as.MQA.Rating).In(lang))

	for _, dim := range []vigie.Dimension{vigie.DimCompleteness, vigie.DimFreshness, vigie.DimOpenness, vigie.DimAvailability, vigie.DimMQA} {
		var fs []vigie.Finding
		var lost float64
		for _, f := range as.Findings {
			if f.Dimension == dim {
				fs = append(fs, f)
				lost += f.Points
			}
		}
		if len(fs) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s — %s, %s\n", explainDim(dim, lang), plural(float64(len(fs)), "finding", lang), plural(lost, "lost", lang))
		for i := 0; i < len(fs); {
			f := fs[i]
			// Four or more resources failing the same rule in a row read as one group.
			j := i + 1
			for j < len(fs) && fs[j].Rule == f.Rule && fs[j].ResourceID != "" && f.ResourceID != "" {
				j++
			}
			if j-i >= 4 {
				writeFindingGroup(&b, fs[i:j], resName, lang)
				i = j
				continue
			}
			fmt.Fprintf(&b, "  [%s] %s", vigie.Label(f.Severity).In(lang), f.Rule)
			if f.Points > 0 {
				fmt.Fprintf(&b, "  −%s", explainNum(f.Points, lang))
			}
			if f.ResourceID != "" {
				name := resName[f.ResourceID]
				if name == "" {
					name = f.ResourceID
				}
				fmt.Fprintf(&b, "  (%s %s)", ew(lang, "resource"), name)
			}
			b.WriteString("\n")
			fmt.Fprintf(&b, "      %s\n", oneLine(f.Message.In(lang), 400))
			fmt.Fprintf(&b, "      → %s\n", oneLine(f.Hint.In(lang), 400))
			i++
		}
	}
	if len(as.Findings) == 0 {
		fmt.Fprintf(&b, "\n%s\n", ew(lang, "none"))
	}
	_, err := io.WriteString(out, b.String())
	return err
}

// explainDim is a dimension's label as a line heading: capitalised.
func explainDim(dim vigie.Dimension, lang string) string {
	l := vigie.Label(dim).In(lang)
	r, n := utf8.DecodeRuneInString(l)
	return string(unicode.ToUpper(r)) + l[n:]
}
