package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/reports"
	"github.com/vigie-audit/vigie/store"
)

// formatValues are the --format values of each command.
var formatValues = map[string][]string{
	"vigie datasets": {"table", "json", "csv"}, "vigie orgs": {"table", "json", "csv"}, "vigie portals": {"table", "json", "csv"},
	"vigie runs": {"table", "json"}, "vigie links": {"table", "json"}, "vigie prune": {"table", "json"},
	"vigie diff": {"table", "md", "json"}, "vigie explain": {"text", "json"}, "vigie version": {"text", "json"},
	"vigie config show": {"yaml", "json"}, "vigie export": {"parquet", "csv"},
}

// addCompletions makes shell completion offer flag values: formats,
// languages, profiles, and the portals and organizations of the database.
func addCompletions(root *cobra.Command, a *App) {
	fixed := func(vals ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return vals, cobra.ShellCompDirectiveNoFileComp
		}
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		reg := func(f *pflag.Flag, fn func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective)) {
			if _, ok := c.GetFlagCompletionFunc(f.Name); !ok {
				_ = c.RegisterFlagCompletionFunc(f.Name, fn)
			}
		}
		visit := func(f *pflag.Flag) {
			switch f.Name {
			case "format":
				if v, ok := formatValues[c.CommandPath()]; ok {
					reg(f, fixed(v...))
				} else if c.CommandPath() == "vigie report" {
					reg(f, fixed(reports.Formats...))
				}
			case "lang":
				reg(f, fixed("fr", "en"))
			case "log-format":
				reg(f, fixed("text", "json"))
			case "state":
				reg(f, fixed("active", "missing", "deleted", "all"))
			case "profile":
				reg(f, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
					out := quality.BuiltinProfiles()
					yamls, _ := filepath.Glob("*.yaml")
					return append(out, yamls...), cobra.ShellCompDirectiveNoFileComp
				})
			case "portal":
				reg(f, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
					return completePortals(a), cobra.ShellCompDirectiveNoFileComp
				})
			case "org":
				reg(f, func(_ *cobra.Command, _ []string, prefix string) ([]string, cobra.ShellCompDirective) {
					return completeOrgs(a, prefix), cobra.ShellCompDirectiveNoFileComp
				})
			}
		}
		c.LocalNonPersistentFlags().VisitAll(visit)
		c.PersistentFlags().VisitAll(visit)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}

// openForCompletion opens the database read-only, or nil (completion must
// never fail loudly nor create a file).
func openForCompletion(a *App) *store.DB {
	if _, err := os.Stat(a.DBPath); err != nil && !store.IsPostgres(a.DBPath) {
		return nil
	}
	db, err := store.Open(context.Background(), a.DBPath, store.Options{ReadOnly: true})
	if err != nil {
		return nil
	}
	return db
}

func completePortals(a *App) []string {
	db := openForCompletion(a)
	if db == nil {
		return nil
	}
	defer db.Close()
	ps, err := db.Portals(context.Background())
	if err != nil {
		return nil
	}
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.URL)
	}
	return out
}

func completeOrgs(a *App, prefix string) []string {
	db := openForCompletion(a)
	if db == nil {
		return nil
	}
	defer db.Close()
	ctx := context.Background()
	p, err := db.Portal(ctx, a.Portal)
	if err != nil {
		return nil
	}
	orgs, err := db.Organizations(ctx, p.ID)
	if err != nil {
		return nil
	}
	var out []string
	for _, o := range orgs {
		if strings.HasPrefix(o.Name, prefix) {
			out = append(out, o.Name+"\t"+o.Title)
		}
	}
	return out
}
