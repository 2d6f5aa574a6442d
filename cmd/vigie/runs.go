package main

import (
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/reports"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

func init() { register(newRunsCmd) }

func newRunsCmd(a *App) *cobra.Command {
	var (
		format string
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "runs",
		Short: "Show the portal's harvest history",
		Long: `Show the portal's harvest runs, newest first: when, mode (full, incremental,
import), status (running, complete, failed, interrupted), whether a full pass
saw the whole listing, the portal's count, and datasets new, changed,
unchanged, missing and deleted.`,
		Example: `  $ vigie runs
  $ vigie runs --limit 5 --format json
  $ vigie runs --portal https://donnees.montreal.ca`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			db, p, err := a.openPortal(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			runs, err := db.HarvestRuns(ctx, p.ID, limit)
			if err != nil {
				return err
			}
			if format == "json" {
				return printJSON(a.Stdout, reports.HarvestRunRows(runs))
			}
			n := func(i int) string { return l10n.Int(i, a.Lang) }
			var rows [][]string
			for _, r := range runs {
				took := ""
				if !r.FinishedAt.IsZero() {
					took = r.FinishedAt.Sub(r.StartedAt).Round(time.Second).String()
				}
				mode := r.Mode
				if l10n.Has("mode." + mode) {
					mode = l10n.T(a.Lang, "mode."+mode)
				}
				status := runWord(a.Lang, r.Status)
				if len(r.Orgs) > 0 {
					mode += " [" + strings.Join(r.Orgs, ",") + "]"
				}
				listing := ""
				if r.ListingComplete {
					listing = l10n.T(a.Lang, "table.yes")
				}
				rows = append(rows, []string{n(int(r.ID)), r.StartedAt.UTC().Format("2006-01-02 15:04"), took, mode, status, listing,
					n(r.Expected), n(r.New), n(r.Changed), n(r.Unchanged), n(r.Missing), n(r.Deleted), n(r.Requests), r.VigieVersion, r.Error})
			}
			return printTable(a.Stdout, tableHeader(a.Lang, []string{"run", "started (UTC)", "took", "mode", "status", "complete listing", "count",
				"new", "changed", "unchanged", "missing", "deleted", "requests", "vigie", "error"}), rows)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	cmd.Flags().IntVar(&limit, "limit", 20, "number of runs to show (0 = all)")
	return cmd
}

// runWord is a run status (complete, failed…) in lang; an unknown code is
// shown as it is.
func runWord(lang, status string) string {
	if l10n.Has("run." + status) {
		return l10n.T(lang, "run."+status)
	}
	return status
}
