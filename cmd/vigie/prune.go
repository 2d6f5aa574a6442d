package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/spf13/cobra"

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
			scope := "every portal"
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
				return printJSON(a.Stdout, st)
			}
			n := func(v int64) string { return strconv.FormatInt(v, 10) }
			rows := [][]string{
				{"score runs", n(st.ScoreRuns)}, {"scores", n(st.Scores)}, {"findings", n(st.Findings)},
				{"link runs", n(st.LinkRuns)}, {"link checks", n(st.LinkChecks)}, {"unused links", n(st.Links)},
				{"harvest runs", n(st.HarvestRuns)}, {"dataset events", n(st.DatasetEvents)}, {"dataset versions", n(st.DatasetVersions)},
			}
			if err := printTable(a.Stdout, []string{"removed", "rows"}, rows); err != nil {
				return err
			}
			how := "in one transaction"
			if st.InSteps {
				how = "in small transactions (the disk was too full for one)"
			}
			fmt.Fprintf(a.Stdout, "kept the last %d runs of %s; deleted %s; database %s → %s; %s\n",
				keep, scope, how, humanBytes(st.SizeBefore), humanBytes(st.SizeAfter), reclaimNote(st))
			return nil
		},
	}
	cmd.Flags().IntVar(&keep, "keep", 90, "number of runs of each kind to keep per portal")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

// reclaimNote says how prune gave the freed space back.
func reclaimNote(st store.PruneStats) string {
	switch st.Reclaim {
	case "incremental":
		return "space given back with incremental vacuum"
	case "vacuum":
		return "file rewritten with VACUUM (later prunes give space back incrementally)"
	case "server":
		return "tables vacuumed: the server reuses the space for the next runs"
	}
	if st.FreeInFile == 0 {
		return "nothing to give back"
	}
	msg := humanBytes(st.FreeInFile) + " free inside the file, reused by the next runs"
	if st.NeedFree > 0 {
		msg += "; to shrink the file, free " + humanBytes(st.NeedFree) + " on its disk and run prune again"
	}
	return msg
}

// humanBytes prints a size with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
