package main

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newPortalsCmd) }

// portalName is the portal's name in the configuration, or one made from
// its address (host and path, "-" for every other character).
func (a *App) portalName(portalURL string) string {
	u := store.NormalizePortalURL(portalURL)
	if a.Config != nil {
		if p, ok := a.Config.Lookup(u); ok {
			return p.Name
		}
	}
	return slugURL(u)
}

func slugURL(u string) string {
	pu, err := url.Parse(u)
	s := u
	if err == nil && pu.Host != "" {
		s = pu.Host + pu.Path
	}
	s = strings.TrimPrefix(strings.ToLower(s), "www.")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-.")
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func newPortalsCmd(a *App) *cobra.Command {
	var (
		format string
		csvf   *csvFlags
	)
	cmd := &cobra.Command{
		Use:   "portals",
		Short: "List every portal the database holds: datasets, last harvest, score run and audit",
		Long: `List every portal the database holds (those of the configuration first, in its order): its name
(from the configuration, else made from its address), CKAN version, datasets
published (active and public), private (active, never counted as published)
and missing (gone from the last complete listing), the last harvest and its
status, the last complete score run, and the last audit with its quality
gate (passed, failed, or none when no gate was set).

JSON is an array of objects: name, url, title, ckan_version, published,
private, missing, last_harvest, last_score_run {id, status, mode, profile,
started_at, finished_at}, last_audit {id, status, score_run, out_dir, gate,
gate_reasons, started_at, finished_at}; null when there is none.`,
		Example: `  $ vigie portals
  $ vigie portals --format json | jq '.[] | select(.last_audit.gate == "failed") | .name'
  $ vigie portals --format csv > portals.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json", "csv"); err != nil {
				return err
			}
			ctx := cmd.Context()
			db, err := a.OpenDBReadOnly(ctx)
			if err != nil {
				return err
			}
			defer db.Close()
			ovs, err := db.PortalOverviews(ctx)
			if err != nil {
				return err
			}
			urls := make([]string, len(ovs))
			for i := range ovs {
				urls[i] = ovs[i].URL
			}
			sorted := make([]store.PortalOverview, 0, len(ovs))
			for _, i := range a.portalOrder(urls) {
				sorted = append(sorted, ovs[i])
			}
			ovs = sorted
			rows := make([]reports.PortalRow, 0, len(ovs))
			for i := range ovs {
				rows = append(rows, reports.NewPortalRow(a.portalName(ovs[i].URL), &ovs[i]))
			}
			if format == "json" {
				return printJSON(a.Stdout, rows)
			}
			header := []string{"name", "url", "ckan", "published", "private", "missing", "last harvest", "harvest status",
				"last score run", "last audit", "audit status", "gate"}
			cells := make([][]string, 0, len(rows))
			for _, r := range rows {
				c := []string{r.Name, r.URL, r.CKANVersion, strconv.Itoa(r.Published), strconv.Itoa(r.Private), strconv.Itoa(r.Missing), "", "", "", "", "", ""}
				if h := r.LastHarvest; h != nil {
					c[6], c[7] = day(h.StartedAt), h.Status
				}
				if s := r.LastScore; s != nil {
					c[8] = fmt.Sprintf("#%d %s", s.ID, day(s.StartedAt))
				}
				if au := r.LastAudit; au != nil {
					c[9], c[10], c[11] = day(au.StartedAt), au.Status, au.Gate
				}
				cells = append(cells, c)
			}
			if format == "csv" {
				o, err := csvf.options(a.Lang)
				if err != nil {
					return err
				}
				return printCSV(a.Stdout, o, header, cells)
			}
			if len(cells) == 0 {
				fmt.Fprintln(a.Stdout, l10n.T(a.Lang, "portals.none", db.Path()))
				return nil
			}
			for i, c := range cells { // the table speaks the reader's language; CSV keeps the codes
				c[7], c[10] = runWord(a.Lang, c[7]), runWord(a.Lang, c[10])
				r := rows[i]
				c[3], c[4], c[5] = l10n.Int(r.Published, a.Lang), l10n.Int(r.Private, a.Lang), l10n.Int(r.Missing, a.Lang)
				if s := r.LastScore; s != nil {
					c[8] = l10n.T(a.Lang, "portals.score_run", l10n.Int(s.ID, a.Lang), day(s.StartedAt))
				}
				if c[11] != "" && l10n.Has("portals.gate."+c[11]) {
					c[11] = l10n.T(a.Lang, "portals.gate."+c[11])
				}
			}
			return printTable(a.Stdout, tableHeader(a.Lang, header), cells)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output: table, json or csv")
	csvf = addCSVFlags(cmd)
	return cmd
}

// portalOrder returns the indexes of urls in display order: the portals of
// the configuration first, as it lists them, then the others by address.
func (a *App) portalOrder(urls []string) []int {
	rank := func(u string) int {
		if a.Config != nil {
			for k, p := range a.Config.Portals {
				if store.NormalizePortalURL(p.URL) == u {
					return k
				}
			}
		}
		return len(urls) + 1<<20
	}
	idx := make([]int, len(urls))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(x, y int) bool {
		ri, rj := rank(urls[idx[x]]), rank(urls[idx[y]])
		if ri != rj {
			return ri < rj
		}
		return urls[idx[x]] < urls[idx[y]]
	})
	return idx
}
