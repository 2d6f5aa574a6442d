package main

import (
	"errors"
	"github.com/vigie-audit/vigie/internal/l10n"
	"os"
	"slices"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newOrgsCmd) }

// portalGiven says whether the user chose a portal (flag or environment).
func portalGiven(cmd *cobra.Command) bool {
	return cmd.Flags().Changed("portal") || os.Getenv("VIGIE_PORTAL") != ""
}

func newOrgsCmd(a *App) *cobra.Command {
	var (
		format string
		csvf   *csvFlags
		only   []string
	)
	cmd := &cobra.Command{
		Use:   "orgs",
		Short: "List the organizations with datasets: mean scores per dimension, broken links, rank",
		Long: `List the organizations (publishers) that have scored datasets, ranked within
their portal by mean overall score (best first, unknown last), with their
datasets, mean score per dimension, mean MQA points, findings of severity
error and distinct broken links, from each portal's latest complete score
run. Every portal of the database, or only --portal (a URL or, with a
configuration file, a portal's name).

The name column is what --org takes; --org keeps only those organizations.`,
		Example: `  $ vigie orgs
  $ vigie orgs --portal https://www.donneesquebec.ca/recherche --format csv > orgs.csv
  $ vigie orgs --org ville-de-laval,ville-de-quebec
  $ vigie orgs --format json | jq '.[] | select(.broken_links > 0) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json", "csv"); err != nil {
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
			var portals []store.Portal
			if portalGiven(cmd) {
				p, err := db.Portal(ctx, a.Portal)
				if err != nil {
					return err
				}
				portals = []store.Portal{*p}
			} else if portals, err = db.Portals(ctx); err != nil {
				return err
			}
			urls := make([]string, len(portals))
			for i := range portals {
				urls[i] = portals[i].URL
			}
			ordered := make([]store.Portal, 0, len(portals))
			for _, i := range a.portalOrder(urls) {
				ordered = append(ordered, portals[i])
			}
			portals = ordered
			rows := []reports.OrgRow{}
			scored := 0
			for _, p := range portals {
				run, err := db.LatestScoreRun(ctx, p.ID)
				if errors.Is(err, store.ErrNotFound) {
					continue
				}
				if err != nil {
					return err
				}
				scored++
				orgs, err := reports.OrganizationsOf(ctx, db, p.URL, run.ID)
				if err != nil {
					return err
				}
				if len(portals) == 1 {
					if err := checkOrgs(ctx, db, p.ID, only); err != nil {
						return err
					}
				}
				for _, o := range orgs {
					if len(only) > 0 && !slices.Contains(only, o.Name) {
						continue
					}
					rows = append(rows, reports.NewOrgRow(a.portalName(p.URL), run.ID, &o))
				}
			}
			if scored == 0 && len(portals) > 0 {
				return &vigie.Error{Kind: vigie.KindNotScored, ID: "store.no_score_run.in", Args: []any{db.Path()}, Path: db.Path()}
			}
			if len(portals) > 1 {
				if err := checkOrgsAnywhere(ctx, db, portals, only); err != nil {
					return err
				}
			}
			if format == "json" {
				return printJSON(a.Stdout, rows)
			}
			header := []string{"portal", "rank", "name", "title", "datasets", "overall", "completeness", "freshness", "openness", "availability", "mqa", "errors", "broken links"}
			num := func(p *float64) string { return reports.FormatMean(p, a.Lang) }
			itoa := func(n int) string { return l10n.Int(n, a.Lang) }
			unknown := "—"
			if format == "csv" {
				num = func(p *float64) string { return csvNum(p, csvOpts) } // unknown: an empty cell
				itoa = strconv.Itoa
				unknown = ""
			}
			count := func(p *int) string {
				if p == nil {
					return unknown
				}
				return itoa(*p)
			}
			cells := make([][]string, 0, len(rows))
			for _, r := range rows {
				s := r.Scores
				cells = append(cells, []string{r.Portal, itoa(r.Rank), r.Name, r.Title, itoa(r.Datasets),
					num(s.Overall), num(s.Completeness), num(s.Freshness), num(s.Openness), num(s.Availability), num(r.MQAPoints),
					itoa(r.Errors), count(r.BrokenLinks)})
			}
			if format == "csv" {
				return printCSV(a.Stdout, csvOpts, header, cells)
			}
			return printTable(a.Stdout, tableHeader(a.Lang, header), cells)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output: table, json or csv")
	csvf = addCSVFlags(cmd)
	addOrgFlag(cmd.Flags(), &only, "only this organization")
	return cmd
}
