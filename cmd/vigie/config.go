package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/vigie-audit/vigie/config"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/store"
)

func init() { register(newConfigCmd) }

// applyConfig reads the configuration file, if any, and fills in what the
// command line and the environment left unsaid: --db, the portal (the
// first of the file when --portal is absent; a portal's name is accepted
// wherever a URL is), --lang, and the selected portal's own settings on
// the command's flags. Flags and environment variables always win.
func (a *App) applyConfig(cmd *cobra.Command) error {
	path, err := config.Find(a.ConfigPath)
	if err != nil {
		return usageErr("%v", err)
	}
	if path == "" {
		return nil
	}
	f, err := config.Load(path)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return usageErr("%v", err)
		}
		return err
	}
	a.Config = f
	given := func(flag, env string) bool {
		if fl := cmd.Flags().Lookup(flag); fl != nil && fl.Changed {
			return true
		}
		return env != "" && os.Getenv(env) != ""
	}
	if !given("db", "VIGIE_DB") && f.DB != "" {
		a.DBPath = f.DB
	}
	var sel config.Portal
	found := false
	if fl := cmd.Flags().Lookup("portal"); fl != nil && fl.Changed {
		if sv, ok := fl.Value.(pflag.SliceValue); ok { // vigie audit --portal, repeatable
			if v := sv.GetSlice(); len(v) == 1 {
				a.Portal = v[0]
			}
		}
	}
	if given("portal", "VIGIE_PORTAL") {
		sel, found = f.Lookup(a.Portal)
		if found {
			a.Portal = sel.URL
		}
	} else if len(f.Portals) > 0 {
		sel, found = f.Effective(f.Portals[0]), true
		a.Portal = sel.URL
	}
	lang := f.Defaults.Lang
	if found && sel.Lang != "" {
		lang = sel.Lang
	}
	if !given("lang", "VIGIE_LANG") && lang != "" {
		a.Lang = lang
	}
	flags := cmd.Flags()
	if f.Out != "" && (cmd.Name() == "audit" || cmd.Name() == "worker") { // report's --out is a file
		setDefault(flags, "out", f.Out)
	}
	if f.Parallel > 0 {
		setDefault(flags, "parallel", strconv.Itoa(f.Parallel))
	}
	if found {
		timeout := "links-timeout"
		if cmd.Name() == "links" {
			timeout = "timeout"
		}
		applyPortalValues(flags, sel.Values(timeout))
	}
	return nil
}

// applyPortalValues sets each flag the user did not give from the file. It
// sets the value, not the flag, so Changed keeps saying what the user typed.
func applyPortalValues(flags *pflag.FlagSet, values map[string][]string) {
	for name, vals := range values {
		fl := flags.Lookup(name)
		if fl == nil || fl.Changed {
			continue
		}
		if sv, ok := fl.Value.(pflag.SliceValue); ok {
			_ = sv.Replace(vals)
			continue
		}
		_ = fl.Value.Set(vals[0])
	}
}

func setDefault(flags *pflag.FlagSet, name, value string) {
	if fl := flags.Lookup(name); fl != nil && !fl.Changed {
		_ = fl.Value.Set(value)
	}
}

// shownConfig is what `vigie config show` prints: the file with every
// portal's defaults filled in and the global settings in force.
type shownConfig struct {
	File     string          `yaml:"file" json:"file"`
	DB       string          `yaml:"db" json:"db"`
	Lang     string          `yaml:"lang" json:"lang"`
	Portal   string          `yaml:"portal" json:"portal"` // the one single-portal commands use
	Out      string          `yaml:"out,omitempty" json:"out,omitempty"`
	Parallel int             `yaml:"parallel" json:"parallel"`
	Portals  []config.Portal `yaml:"portals" json:"portals"`
	SMTP     *config.SMTP    `yaml:"smtp,omitempty" json:"smtp,omitempty"`
}

func newConfigCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Show the configuration in force (vigie.yaml with defaults and flags applied)",
		Args:  cobra.NoArgs,
	}
	var example bool
	var format string
	show := &cobra.Command{
		Use:   "show",
		Short: "Print the effective configuration; tokens and passwords are never shown, only their files",
		Long: `Print the configuration in force: the file found (--config, VIGIE_CONFIG,
./vigie.yaml, then the user config folder), every portal with the shared
defaults filled in, and the global settings after flags and environment.

The file holds paths to secrets (token_file, smtp.password_file), never the
secrets: a token put in the file is refused. --example prints a commented
file to start from.`,
		Example: `  $ vigie config show
  $ vigie config show --example > vigie.yaml
  $ vigie --config /etc/vigie/vigie.yaml config show --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if example {
				_, err := fmt.Fprint(a.Stdout, config.Example)
				return err
			}
			if err := checkFormat(format, "yaml", "json"); err != nil {
				return err
			}
			s := shownConfig{DB: store.RedactDSN(a.DBPath), Lang: a.Lang, Portal: store.NormalizePortalURL(a.Portal), Parallel: defaultParallel, Portals: []config.Portal{}}
			if f := a.Config; f != nil {
				s.File, s.Out, s.SMTP = f.Path, f.Out, f.SMTP
				if f.Parallel > 0 {
					s.Parallel = f.Parallel
				}
				for _, p := range f.Portals {
					s.Portals = append(s.Portals, f.Effective(p))
				}
			} else {
				s.File = "(none: " + strings.Join(configPlaces(), ", ") + ")" // JSON: for machines
				if format == "yaml" {
					s.File = l10n.T(a.Lang, "config.show.no_file", strings.Join(configPlaces(), ", "))
				}
			}
			if format == "json" {
				b, err := yaml.Marshal(s) // the YAML names, for both formats
				if err != nil {
					return err
				}
				var v any
				if err := yaml.Unmarshal(b, &v); err != nil {
					return err
				}
				return printJSON(a.Stdout, v)
			}
			enc := yaml.NewEncoder(a.Stdout)
			enc.SetIndent(2)
			if err := enc.Encode(s); err != nil {
				return err
			}
			return enc.Close()
		},
	}
	show.Flags().BoolVar(&example, "example", false, "print a commented example file instead")
	show.Flags().StringVar(&format, "format", "yaml", "yaml or json")
	cmd.AddCommand(show)
	return cmd
}

// configPlaces are where vigie looks for the file, in order.
func configPlaces() []string {
	places := []string{"--config", "VIGIE_CONFIG", "./" + config.FileName}
	if dir, err := os.UserConfigDir(); err == nil {
		places = append(places, dir+"/vigie/"+config.FileName)
	}
	return places
}
