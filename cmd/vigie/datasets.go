package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/reports"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newDatasetsCmd) }

// datasetCells is r as a table or CSV row.
func datasetCells(r *reports.DatasetRow) []string {
	mod := ""
	if r.MetadataModified != nil {
		mod = r.MetadataModified.UTC().Format("2006-01-02")
	}
	score, fresh := "", ""
	if r.Scores.Overall != nil {
		score = strconv.FormatFloat(*r.Scores.Overall, 'f', 0, 64)
	}
	if r.FreshnessStatus != nil {
		fresh = string(*r.FreshnessStatus)
	}
	return []string{r.Name, r.Title, r.Organization, mod, strconv.Itoa(r.NumResources), r.State, r.Visibility, score, fresh}
}

var datasetHeader = []string{"name", "title", "organization", "modified", "resources", "state", "visibility", "score", "freshness"}

func newDatasetsCmd(a *App) *cobra.Command {
	var (
		orgs       []string
		state      string
		format     string
		visibility string
		csvf       *csvFlags
	)
	cmd := &cobra.Command{
		Use:   "datasets",
		Short: "List the datasets the database holds for a portal",
		Long: `List the portal's datasets as last harvested, in name order, with their latest
scores once 'vigie score' has run. --state picks active (default), missing,
deleted or all. JSON is an array of objects with id, name, title, organization,
organization_title, metadata_modified, num_resources, state (vigie's: was the
dataset listed by the last passes), visibility (public = published; private,
draft or deleted on the portal: never counted as published), private and
ckan_state (CKAN's own flag and state), license_id,
update_frequency, scores (overall, completeness, freshness, openness,
availability: 0–100 or null), mqa {points, rating}, freshness_status and stars
(null until scored).`,
		Example: `  $ vigie datasets
  $ vigie datasets --org ville-de-montreal --format csv > montreal.csv
  $ vigie datasets --state missing
  $ vigie datasets --state all --format json | jq '.[] | select(.scores.overall < 50) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json", "csv"); err != nil {
				return err
			}
			f := store.DatasetFilter{Scope: vigie.Scope{Orgs: orgs}}
			switch state {
			case vigie.StateActive, vigie.StateMissing, vigie.StateDeleted:
				f.States = []string{state}
			case "all":
				f.States = []string{vigie.StateActive, vigie.StateMissing, vigie.StateDeleted}
			default:
				return usage("usage.state", state)
			}
			switch visibility {
			case "", "all", vigie.VisPublic, vigie.VisPrivate, vigie.VisDraft, vigie.VisDeleted, "unpublished":
			default:
				return usage("usage.visibility", visibility)
			}
			keep := func(d *vigie.Dataset) bool {
				v := d.Visibility()
				switch visibility {
				case "", "all":
					return true
				case "unpublished":
					return v != vigie.VisPublic
				}
				return v == visibility
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
			f.Portal = p.URL
			scores, err := db.LatestAssessments(ctx, p.ID)
			if err != nil {
				return err
			}
			assessment := func(id string) *vigie.Assessment {
				if s, ok := scores[id]; ok {
					return &s
				}
				return nil
			}
			w := bufio.NewWriter(a.Stdout)
			defer w.Flush()
			switch format {
			case "json":
				// streamed: one element at a time
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				n := 0
				fmt.Fprint(w, "[")
				err := db.EachDatasetState(ctx, f, func(d *vigie.Dataset, st string) error {
					if !keep(d) {
						return nil
					}
					if n > 0 {
						fmt.Fprint(w, ",")
					}
					n++
					buf.Reset()
					if err := enc.Encode(reports.NewDatasetRow(d, st, assessment(d.ID), a.Lang)); err != nil {
						return err
					}
					fmt.Fprint(w, "\n  ")
					_, err := w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
					return err
				})
				if err != nil {
					return err
				}
				if n > 0 {
					fmt.Fprint(w, "\n")
				}
				fmt.Fprintln(w, "]")
				return w.Flush()
			case "csv":
				o, err := csvf.options(a.Lang)
				if err != nil {
					return err
				}
				if o.BOM {
					w.WriteString("\uFEFF")
				}
				cw := csv.NewWriter(w)
				cw.Comma = o.Sep
				cw.Write(append([]string{"id"}, datasetHeader...))
				err = db.EachDatasetState(ctx, f, func(d *vigie.Dataset, st string) error {
					if !keep(d) {
						return nil
					}
					r := reports.NewDatasetRow(d, st, assessment(d.ID), a.Lang)
					cells := append([]string{r.ID}, datasetCells(&r)...)
					for i := range cells {
						cells[i] = defuse(cells[i])
					}
					return cw.Write(cells)
				})
				if err != nil {
					return err
				}
				cw.Flush()
				return cw.Error()
			}
			var rows [][]string
			err = db.EachDatasetState(ctx, f, func(d *vigie.Dataset, st string) error {
				if !keep(d) {
					return nil
				}
				r := reports.NewDatasetRow(d, st, assessment(d.ID), a.Lang)
				rows = append(rows, datasetCells(&r))
				return nil
			})
			if err != nil {
				return err
			}
			header := datasetHeader
			if a.Lang != "en" {
				header = make([]string, len(datasetHeader))
				for i, h := range datasetHeader {
					header[i] = datasetHeadersFR[h]
					if header[i] == "" {
						header[i] = h
					}
				}
				for _, r := range rows { // statuses in words, as the reports say them
					for i, h := range datasetHeader {
						if (h == "freshness" || h == "state" || h == "visibility") && r[i] != "" {
							if fr, ok := stateFR[r[i]]; ok {
								r[i] = fr
							} else {
								r[i] = reports.T(a.Lang, r[i])
							}
						}
					}
				}
			} else {
				for _, r := range rows { // "not applicable", as the English reports say it, not the code
					for i, h := range datasetHeader {
						if h == "freshness" && vigie.HasLabel(r[i]) {
							r[i] = vigie.Label(r[i]).In("en")
						}
					}
				}
			}
			if err := printTable(w, header, rows); err != nil {
				return err
			}
			if len(rows) == 1 {
				fmt.Fprintln(w, l10n.N(a.Lang, "n.datasets.long", 1))
			} else {
				fmt.Fprintln(w, l10n.N(a.Lang, "n.datasets.long", len(rows)))
			}
			return nil
		},
	}
	addOrgFlag(cmd.Flags(), &orgs, "only this organization")
	cmd.Flags().StringVar(&state, "state", vigie.StateActive, "active, missing, deleted or all")
	cmd.Flags().StringVar(&format, "format", "table", "output: table, json or csv")
	csvf = addCSVFlags(cmd)
	cmd.Flags().StringVar(&visibility, "visibility", "all", "public (published), private, draft, deleted, unpublished or all")
	return cmd
}
