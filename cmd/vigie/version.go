package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie"
)

func init() { register(newVersionCmd) }

// versionText is what `vigie version` and `vigie --version` print.
func versionText() string {
	b := vigie.BuildInfo()
	var s strings.Builder
	fmt.Fprintf(&s, "vigie %s\n", b.Version)
	if b.Commit != "" {
		c := b.Commit
		if b.Time != "" {
			c += " (" + b.Time + ")"
		}
		if b.Modified {
			c += " modified"
		}
		fmt.Fprintf(&s, "commit  %s\n", c)
	}
	fmt.Fprintf(&s, "go      %s\n", b.GoVersion)
	fmt.Fprintf(&s, "user-agent  %s\n", vigie.UserAgent())
	return s.String()
}

func newVersionCmd(a *App) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print vigie's version, the commit it was built from and the Go version",
		Long: `Print vigie's version, the commit it was built from (from the Go build's VCS
stamp; "modified" when the work tree had changes) and the Go version. Every
harvest, link and score run and every report records the version, and score
runs the hash of their profile's rules: 'vigie runs' and the reports show them.`,
		Example: `  $ vigie version
  $ vigie --version
  $ vigie version --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			if format == "json" {
				return printJSON(a.Stdout, vigie.BuildInfo())
			}
			_, err := fmt.Fprint(a.Stdout, versionText())
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output: text or json")
	return cmd
}
