package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newPruneCmd) }

func newPruneCmd(a *App) *cobra.Command {
	var (
		keep   int
		format string
	)
	cmd := &cobra.Command{
		Use:   "prune",
		Short: "Forget old runs and compact the database",
		Long: `Keep the last --keep harvest, link and score runs of the portal given with
--portal, or of every portal when --portal (and VIGIE_PORTAL) is not set (with
their scores, findings, link checks and dataset events, and the harvest and link
runs a kept score run was computed from), every dataset's current state and
latest version plus the versions current during kept runs; delete the rest in
one transaction, then give the space back to the disk. Takes the writer lock,
like harvest.

prune works on a full disk: when the one transaction does not fit, rows go in
small transactions with the write-ahead log emptied after each, and space goes
back a few pages at a time (incremental vacuum) rather than by rewriting the
file. A database made before vigie enabled that is rewritten once (VACUUM) if
the disk has room for the copy; otherwise its free pages stay inside the file,
reused by the next runs, and prune says how much room a rewrite needs.`,
		Example: `  $ vigie prune --keep 90
  $ vigie prune --keep 30 --portal https://open.canada.ca/data
  $ vigie prune --keep 30 --db /srv/vigie/vigie.db --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			if keep < 1 {
				return usage("usage.keep", keep)
			}
			ctx := cmd.Context()
			db, release, err := a.OpenDBLocked(ctx, "prune")
			if err != nil {
				return err
			}
			defer release()
			var opts store.PruneOptions
			scope := l10n.T(a.Lang, "prune.every_portal")
			if cmd.Flags().Changed("portal") || os.Getenv("VIGIE_PORTAL") != "" {
				p, err := db.Portal(ctx, a.Portal)
				if err != nil {
					return err
				}
				opts.PortalID, scope = p.ID, p.URL
			}
			st, err := db.Prune(ctx, keep, opts)
			if err != nil {
				return err
			}
			if opts.PortalID != 0 {
				st.Portal = scope
			}
			if format == "json" {
				return printJSON(a.Stdout, reports.NewPruneResult(st))
			}
			row := func(what string, v int64) []string {
				return []string{l10n.T(a.Lang, "prune.row."+what), l10n.Int(v, a.Lang)}
			}
			rows := [][]string{
				row("score runs", st.ScoreRuns), row("scores", st.Scores), row("findings", st.Findings),
				row("link runs", st.LinkRuns), row("link checks", st.LinkChecks), row("unused links", st.Links),
				row("harvest runs", st.HarvestRuns), row("dataset events", st.DatasetEvents), row("dataset versions", st.DatasetVersions),
			}
			if err := printTable(a.Stdout, tableHeader(a.Lang, []string{"removed", "rows"}), rows); err != nil {
				return err
			}
			how := l10n.T(a.Lang, "prune.one_transaction")
			if st.InSteps {
				how = l10n.T(a.Lang, "prune.in_steps")
			}
			fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "prune.summary", scope, l10n.N(a.Lang, "n.runs.kept", keep), how,
				humanBytes(st.SizeBefore, a.Lang), humanBytes(st.SizeAfter, a.Lang), reclaimNote(st, a.Lang)))
			return nil
		},
	}
	cmd.Flags().IntVar(&keep, "keep", 90, "number of runs of each kind to keep per portal")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

// reclaimNote says how prune gave the freed space back, in lang.
func reclaimNote(st store.PruneStats, lang string) string {
	switch st.Reclaim {
	case "incremental", "vacuum", "server":
		return l10n.T(lang, "prune.reclaim."+st.Reclaim)
	}
	if st.FreeInFile == 0 {
		return l10n.T(lang, "prune.reclaim.nothing")
	}
	if st.NeedFree > 0 {
		return l10n.T(lang, "prune.reclaim.free_need", humanBytes(st.FreeInFile, lang), humanBytes(st.NeedFree, lang))
	}
	return l10n.T(lang, "prune.reclaim.free", humanBytes(st.FreeInFile, lang))
}

// humanBytes prints a size with a binary unit, in lang's number style
// ("22,8 Mio" in French, "22.8 MiB" in English).
func humanBytes(n int64, lang string) string {
	const unit = 1024
	if n < unit {
		return l10n.T(lang, "prune.bytes", l10n.Int(n, lang))
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return l10n.T(lang, "prune.size", l10n.Fixed(float64(n)/float64(div), 1, lang), string("KMGTPE"[exp]))
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"table.removed":              {FR: "supprimé", EN: "removed"},
		"table.rows":                 {FR: "lignes", EN: "rows"},
		"table.table":                {FR: "table", EN: "table"},
		"table.file":                 {FR: "fichier", EN: "file"},
		"prune.row.score runs":       {FR: "évaluations", EN: "score runs"},
		"prune.row.scores":           {FR: "scores", EN: "scores"},
		"prune.row.findings":         {FR: "constats", EN: "findings"},
		"prune.row.link runs":        {FR: "vérifications de liens", EN: "link runs"},
		"prune.row.link checks":      {FR: "résultats de liens", EN: "link checks"},
		"prune.row.unused links":     {FR: "liens plus utilisés", EN: "unused links"},
		"prune.row.harvest runs":     {FR: "moissonnages", EN: "harvest runs"},
		"prune.row.dataset events":   {FR: "événements de jeux", EN: "dataset events"},
		"prune.row.dataset versions": {FR: "versions de jeux", EN: "dataset versions"},
		"prune.every_portal":         {FR: "chaque portail", EN: "every portal"},
		"prune.one_transaction":      {FR: "en une transaction", EN: "in one transaction"},
		"prune.in_steps":             {FR: "en petites transactions (le disque était trop plein pour une seule)", EN: "in small transactions (the disk was too full for one)"},
		"prune.summary":              {FR: "gardé les dernières passes de %s, %s au plus par type ; supprimé %s ; base de données %s → %s ; %s", EN: "kept the last runs of %s, %s at most of each kind; deleted %s; database %s → %s; %s"},
		"n.runs.kept":                {FR: "%s passe|%s passes", EN: "%s run|%s runs"},
		"prune.reclaim.incremental":  {FR: "espace rendu par vacuum incrémental", EN: "space given back with incremental vacuum"},
		"prune.reclaim.vacuum":       {FR: "fichier réécrit par VACUUM (les prochains élagages rendront l'espace peu à peu)", EN: "file rewritten with VACUUM (later prunes give space back incrementally)"},
		"prune.reclaim.server":       {FR: "tables passées au vacuum : le serveur réutilise l'espace pour les prochaines passes", EN: "tables vacuumed: the server reuses the space for the next runs"},
		"prune.reclaim.nothing":      {FR: "rien à rendre", EN: "nothing to give back"},
		"prune.reclaim.free":         {FR: "%s libres dans le fichier, réutilisés par les prochaines passes", EN: "%s free inside the file, reused by the next runs"},
		"prune.reclaim.free_need":    {FR: "%s libres dans le fichier, réutilisés par les prochaines passes ; pour réduire le fichier, libérez %s sur son disque et relancez « vigie prune »", EN: "%s free inside the file, reused by the next runs; to shrink the file, free %s on its disk and run 'vigie prune' again"},
		"prune.bytes":                {FR: "%s o", EN: "%s B"},
		"prune.size":                 {FR: "%s %sio", EN: "%s %siB"},
	})
}
