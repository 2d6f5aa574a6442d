package main

import (
	"bufio"
	"math"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/reports"
)

func init() { register(newReportCmd) }

func newReportCmd(a *App) *cobra.Command {
	var (
		format, out, compare string
		orgs                 []string
		csvf                 *csvFlags
		includePrivate       bool
		baseline             float64
		many                 *reportManyOptions
	)
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write a report from the store: Excel, HTML dashboard, CSV, JSON or Markdown",
		Long: `Write a report of the latest score run, from the database alone (no network):
the commitment indicators ("Démocratiser les données ouvertes") with their change
since the compared run, organizations ranked, every dataset's scores, the findings
with how to fix them, the links that do not work, and the history of past runs.

Formats: xlsx (summary, charts and one sheet per table), html (one self-contained
offline dashboard), csv (one file per table in the --out folder), json (the whole
report; shape in docs/report.schema.json), md (indicators, weakest organizations,
most common findings; to stdout by default).

--format is inferred from --out's extension when absent. --compare takes a score
run id, a date YYYY-MM-DD (the last run finished on or before that day) or
previous (the default: the run before, same profile). Labels follow --lang.

Only published datasets (active and not private on the portal) are counted and
listed. --include-private also lists private, draft and deleted datasets, each
marked ("[privé]", "[private]"…) in every format, for internal use: the
indicators still count published datasets only.

The "datasets published" indicator is compared with the baseline the scoring
profile declares (Données Québec: 1,200 datasets in 2021); --baseline N gives
another one, for any portal.`,
		Example: `  $ vigie report --format xlsx --out audit.xlsx
  $ vigie report --out audit.html --lang en
  $ vigie report --format csv --out reports/ --lang en --sep ';' --decimal ','
  $ vigie report --format json --out audit.json
  $ vigie report --format md
  $ vigie report --org ministere-des-transports --out mtq.xlsx
  $ vigie report --compare 2026-01-31 --format md
  $ vigie report --include-private --out internal.xlsx
  $ vigie report --baseline 350 --format md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if many.active() {
				return runReportMany(cmd.Context(), a, many, format, out, csvf)
			}
			format, err := reportFormat(format, out)
			if err != nil {
				return err
			}
			csvOpts, err := csvf.options(a.Lang)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := a.OpenDBReadOnly(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			if p, err := db.Portal(ctx, a.Portal); err == nil {
				if err := checkOrgs(ctx, db, p.ID, orgs); err != nil {
					return err
				}
			}
			opts := reports.Options{Scope: a.scope(orgs), Lang: a.Lang, Compare: compare, IncludePrivate: includePrivate,
				Now: a.clock}
			if cmd.Flags().Changed("baseline") || baseline != 0 { // the flag, or the portal's baseline in vigie.yaml
				if err := checkBaseline(baseline); err != nil {
					return err
				}
				opts.Baseline = &baseline
			}
			opts.Snapshot = true
			r, err := reports.Build(ctx, db, opts)
			if err != nil {
				return err
			}
			defer r.Close()
			for _, w := range r.Warnings {
				if r.Stale { // the one warning there is: the scores are older than the metadata
					a.Log.Warn(w, "event", "report.warning", "hint", l10n.T(a.Lang, "hint.stale_scores"))
					continue
				}
				a.Log.Warn(w, "event", "report.warning")
			}
			if format == "csv" {
				if err := csvOpts.WriteDir(ctx, out, r); err != nil {
					return err
				}
				a.Log.Info("report written", "format", format, "folder", out, "files", strings.Join(reports.CSVFiles, ","), "datasets", r.Summary.Datasets)
				return nil
			}
			w, err := reports.ForFormat(format, csvOpts)
			if err != nil {
				return usageErr("%v", err)
			}
			if out == "" || out == "-" {
				bw := bufio.NewWriter(a.Stdout)
				if err := w.Write(ctx, bw, r); err != nil {
					return err
				}
				return bw.Flush()
			}
			if err := reports.WriteFileAtomic(out, func(f *os.File) error { return w.Write(ctx, f, r) }); err != nil {
				return err
			}
			a.Log.Info("report written", "format", format, "file", out, "datasets", r.Summary.Datasets)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "", "report format: "+strings.Join(reports.Formats, ", ")+" (default: from --out's extension, else md)")
	f.StringVarP(&out, "out", "o", "", "file to write (a folder for csv); md and json go to stdout without it")
	addOrgFlag(f, &orgs, "only this organization")
	f.StringVar(&compare, "compare", "", "score run to compare with: id, date YYYY-MM-DD or previous (default previous)")
	csvf = addCSVFlags(cmd)
	f.BoolVar(&includePrivate, "include-private", false, "also list private, draft and deleted datasets, marked (internal use); indicators stay published-only")
	f.Float64Var(&baseline, "baseline", 0, "number of datasets the published-datasets indicator is compared with (default: the profile's, if any)")
	many = bindReportMany(cmd)
	return cmd
}

// checkBaseline validates --baseline.
func checkBaseline(v float64) error {
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return usage("usage.baseline", v)
	}
	return nil
}

// reportFormat is the format a report is written in: --format, else told by
// the --out file's extension, else md to standard output. Formats other than
// md and json need --out.
func reportFormat(format, out string) (string, error) {
	if format == "" {
		format = reports.FormatFromPath(out)
		if format == "" && out != "" {
			return "", usage("usage.format_from", out, strings.Join(reports.Formats, "|"))
		}
		if format == "" {
			format = "md"
		}
	}
	if err := checkFormat(format, reports.Formats...); err != nil {
		return "", err
	}
	if out == "" && format != "md" && format != "json" {
		return "", usage("usage.out_report", format)
	}
	return format, nil
}
