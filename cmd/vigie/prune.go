package main

import (
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
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
		Long: `Keep the last --keep harvest, link and score runs of each portal (with their
scores, findings, link checks and dataset events, and the harvest and link runs
a kept score run was computed from), every dataset's current state and latest
version plus the versions current during kept runs; delete the rest in one
transaction, then compact the file. Takes the writer lock, like harvest.`,
		Example: `  $ vigie prune --keep 90
  $ vigie prune --keep 30 --db /srv/vigie/vigie.db --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			if keep < 1 {
				return usageErr("--keep must be at least 1, not %d", keep)
			}
			ctx := cmd.Context()
			db, release, err := a.OpenDBLocked(ctx, "prune")
			if err != nil {
				return err
			}
			defer release()
			st, err := db.Prune(ctx, keep)
			if err != nil {
				return err
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
			fmt.Fprintf(a.Stdout, "kept the last %d runs per portal; database %s → %s\n", keep, humanBytes(st.SizeBefore), humanBytes(st.SizeAfter))
			return nil
		},
	}
	cmd.Flags().IntVar(&keep, "keep", 90, "number of runs of each kind to keep per portal")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
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
