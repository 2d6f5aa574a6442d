package main

import (
	"bufio"
	"context"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

// reportManyOptions are the report flags that go beyond one portal's report.
type reportManyOptions struct {
	portals string // all, or a comma-separated list of names or URLs
	perOrg  string // folder of the per-publisher bundle
}

func (m *reportManyOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&m.portals, "portals", "", "compare portals side by side: all, or a comma-separated list of names or URLs")
	f.StringVar(&m.perOrg, "per-org", "", "write one report per organization (html, xlsx, md), index.html and contacts.csv into this folder")
}

const reportManyHelp = `

Several portals: --portals all|LIST writes a comparison instead, one row per
portal from its latest complete score run (datasets, publishers, mean score per
dimension, MQA ratings, open-licence and machine-readable shares, tau, working
links, broken links, and the baseline set in the configuration) and each
portal's trend over its score runs; the html and xlsx draw the trends as charts
(the html as inline SVG, still one offline file); csv writes portals.csv and
trend.csv into the --out folder; json follows docs/comparison.schema.json.
"all" is every portal of the configuration and of the database that was scored.

Per publisher: --per-org DIR writes, for the portal, one report per organization
(NAME.html, NAME.xlsx, NAME.md, named after the organization), index.html (the
organizations ranked, with links to their reports) and contacts.csv for a mail
merge: organization, title, the e-mail addresses found in its datasets'
metadata, datasets, overall score, errors, broken links, worst datasets and the
paths of its reports.`

// runReportMany writes the comparison (--portals) or the per-publisher
// bundle (--per-org).
func runReportMany(ctx context.Context, a *App, m *reportManyOptions, format, out string, csvf *csvFlags) error {
	if m.portals != "" && m.perOrg != "" {
		return usage("usage.portals_per_org")
	}
	csvOpts, err := csvf.options(a.Lang)
	if err != nil {
		return err
	}
	db, err := a.OpenDBReadOnly(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if m.perOrg != "" {
		if format != "" || out != "" {
			return usage("usage.per_org")
		}
		bar := newProgress(a, "log.progress.per_org")
		b, err := reports.WritePerOrg(ctx, db, reports.PerOrgOptions{PortalURL: a.Portal, Dir: m.perOrg, Lang: a.Lang, CSV: csvOpts, Progress: bar.Set})
		bar.Done()
		if err != nil {
			return err
		}
		a.Log.Info("reports per organization written", "folder", m.perOrg, "organizations", len(b.Orgs), "index", "index.html", "contacts", "contacts.csv")
		return nil
	}
	format, err = reportFormat(format, out)
	if err != nil {
		return err
	}
	refs, all, err := a.comparedPortals(ctx, db, m.portals)
	if err != nil {
		return err
	}
	c, err := reports.BuildComparison(ctx, db, reports.CompareOptions{Portals: refs, Lang: a.Lang, SkipEmpty: all})
	if err != nil {
		return err
	}
	switch {
	case format == "csv":
		if err := reports.WriteComparisonCSV(out, c, csvOpts); err != nil {
			return err
		}
	case out == "" || out == "-":
		bw := bufio.NewWriter(a.Stdout)
		if err := reports.WriteComparison(ctx, bw, c, format); err != nil {
			return err
		}
		return bw.Flush()
	default:
		if err := reports.WriteFileAtomic(out, func(f *os.File) error { return reports.WriteComparison(ctx, f, c, format) }); err != nil {
			return err
		}
	}
	a.Log.Info("comparison written", "format", format, "out", out, "portals", len(c.Portals))
	return nil
}

// comparedPortals resolves --portals: "all" (the configuration's portals,
// then the database's others) or a list of names and URLs.
func (a *App) comparedPortals(ctx context.Context, db *store.DB, list string) ([]reports.PortalRef, bool, error) {
	ref := func(u string) reports.PortalRef {
		u = store.NormalizePortalURL(u)
		r := reports.PortalRef{Name: slugURL(u), URL: u}
		if p, ok := a.Config.Lookup(u); ok {
			r.Name, r.Baseline = p.Name, p.Baseline
		}
		return r
	}
	var out []reports.PortalRef
	if strings.TrimSpace(list) == "all" {
		seen := map[string]bool{}
		if a.Config != nil {
			for _, p := range a.Config.Portals {
				if _, err := db.Portal(ctx, p.URL); err != nil {
					continue // configured but never harvested
				}
				out = append(out, ref(p.URL))
				seen[store.NormalizePortalURL(p.URL)] = true
			}
		}
		ps, err := db.Portals(ctx)
		if err != nil {
			return nil, false, err
		}
		for _, p := range ps {
			if !seen[p.URL] {
				out = append(out, ref(p.URL))
			}
		}
		return out, true, nil
	}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, ok := a.Config.Lookup(s); ok {
			s = p.URL
		} else if !strings.Contains(s, "://") {
			return nil, false, usage("usage.portals_unknown", s)
		}
		out = append(out, ref(s))
	}
	if len(out) == 0 {
		return nil, false, usage("usage.portals_list")
	}
	return out, false, nil
}

// bindReportMany adds the flags to the report command and returns the hook
// its RunE calls first.
func bindReportMany(cmd *cobra.Command) *reportManyOptions {
	m := &reportManyOptions{}
	m.addFlags(cmd.Flags())
	cmd.Long += reportManyHelp
	cmd.Example += `
  $ vigie report --portals all --out portals.html
  $ vigie report --portals quebec,montreal --format csv --out comparison/
  $ vigie report --per-org publishers/`
	return m
}

func (m *reportManyOptions) active() bool { return m.portals != "" || m.perOrg != "" }
