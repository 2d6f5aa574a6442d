package main

import (
	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/pipeline"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newDiffCmd) }

func newDiffCmd(a *App) *cobra.Command {
	var (
		from, to  string
		threshold float64
		orgs      []string
		format    string
		limit     int

		includePrivate bool
	)
	cmd := &cobra.Command{
		Use:   "diff",
		Short: "Show what changed between two score runs",
		Long: `Compare two score runs of the portal: datasets that appeared, went missing, were
deleted or came back; datasets whose overall score dropped or rose by more than
--threshold points; findings that appeared or were resolved; links that broke or
were repaired; freshness status changes; and the same per organization.

--from and --to take latest, previous, a score run id, or a date YYYY-MM-DD (the
last complete score run finished on or before the end of that day, local time).
By default the latest score run is compared with the one before it (same profile).
Only published datasets are compared unless --include-private is given.`,
		Example: `  $ vigie diff
  $ vigie diff --from 2026-11-01 --to latest --format md
  $ vigie diff --org ville-de-laval --threshold 10 --format json
  $ vigie diff --from 12 --to 15 --lang en`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "md", "json"); err != nil {
				return err
			}
			if threshold < 0 {
				return usage("usage.threshold", threshold)
			}
			fromRef, err := store.ParseRunRef(from)
			if err != nil {
				return usage("usage.from", err)
			}
			toRef, err := store.ParseRunRef(to)
			if err != nil {
				return usage("usage.to", err)
			}
			ctx := cmd.Context()
			db, p, err := a.openPortal(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if err := checkOrgs(ctx, db, p.ID, orgs); err != nil {
				return err
			}
			d, err := pipeline.Diff(ctx, db, p.ID, fromRef, toRef, pipeline.DiffOptions{Threshold: threshold, Orgs: orgs, IncludePrivate: includePrivate, Lang: a.Lang})
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return printJSON(a.Stdout, reports.NewDiffDocument(p.URL, d))
			case "md":
				return reports.WriteDiffMD(a.Stdout, d, p.URL, a.Lang, limit, 1)
			}
			return reports.WriteDiffTable(a.Stdout, d, a.Lang, limit)
		},
	}
	f := cmd.Flags()
	f.StringVar(&from, "from", "previous", "older score run: latest, previous, a run id or YYYY-MM-DD")
	f.StringVar(&to, "to", "latest", "newer score run: latest, previous, a run id or YYYY-MM-DD")
	f.Float64Var(&threshold, "threshold", pipeline.DefaultDiffThreshold, "overall score change (points) that counts as a drop or a rise")
	addOrgFlag(f, &orgs, "only this organization")
	f.StringVar(&format, "format", "table", "output: table, md or json")
	f.BoolVar(&includePrivate, "include-private", false, "also compare private, draft and deleted datasets (marked); without it only published ones")
	f.IntVar(&limit, "limit", 20, "rows per section in table and md output (0 = all); json is always complete")
	return cmd
}
