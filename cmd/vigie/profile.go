package main

import (
	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/quality"
)

func init() { register(newProfileCmd) }

func newProfileCmd(a *App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "profile",
		Short: "List and print the scoring profiles",
		Long: `A profile sets the completeness rules and their points, the allowed values,
the freshness thresholds, the openness scale and the weights of the overall
score. The built-in profiles are YAML files inside vigie; print one, edit it,
and pass the file to 'vigie score --profile FILE'. A file that starts with
'extends: <built-in>' only needs the settings it changes.`,
		Example: `  $ vigie profile list
  $ vigie profile show donneesquebec > my-rules.yaml
  $ vigie score --profile ./my-rules.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "list",
		Short:   "List the built-in profiles",
		Example: `  $ vigie profile list`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var rows [][]string
			for _, name := range quality.BuiltinProfiles() {
				p := quality.MustProfile(name)
				rows = append(rows, []string{name, p.Title.In(a.Lang)})
			}
			return printTable(a.Stdout, tableHeader(a.Lang, []string{"profile", "description"}), rows)
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print a built-in profile as an editable YAML file",
		Example: `  $ vigie profile show ckan
  $ vigie profile show donneesquebec > my-rules.yaml`,
		Args: oneArg(a, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := quality.ProfileYAML(args[0])
			if err != nil {
				return usageErr("%v", err)
			}
			_, err = a.Stdout.Write(b)
			return err
		},
	})
	return cmd
}
