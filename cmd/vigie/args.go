package main

import (
	"github.com/spf13/cobra"

	"github.com/vigie-audit/vigie/internal/l10n"
)

func init() {
	l10n.Add(map[string]l10n.Msg{
		"args.one": {FR: "%s attend un argument, %s, et en a reçu %s : voir « %s --help »",
			EN: "%s takes one argument, %s, and was given %s: see '%s --help'"},
		// The placeholders of the commands' arguments, as --help shows them.
		"arg.NAME": {FR: "NOM", EN: "NAME"},
		"arg.DIR":  {FR: "DOSSIER", EN: "DIR"},
	})
}

// oneArg is cobra.ExactArgs(1) with an error that names the argument and
// where to read about it, in the user's language, as a usage error (exit 2).
func oneArg(a *App, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 1 {
			return nil
		}
		return usageErr("%s", l10n.T(a.Lang, "args.one", cmd.CommandPath(), l10n.T(a.Lang, "arg."+what), l10n.Int(len(args), a.Lang), cmd.CommandPath()))
	}
}
