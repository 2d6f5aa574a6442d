package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// localizeHelp puts the command tree's help texts in lang: French comes from
// helpFR, English is the source. It returns the texts it found no French for
// (TestHelpIsTranslated requires none).
func localizeHelp(root *cobra.Command, lang string) (missing []string) {
	if lang == "en" {
		return nil
	}
	byUsage := map[string]string{} // flag name + English usage → French
	var resolve func(c *cobra.Command, f *pflag.Flag) (string, bool)
	resolve = func(c *cobra.Command, f *pflag.Flag) (string, bool) {
		if fr, ok := helpFR[c.CommandPath()+" --"+f.Name]; ok {
			return fr, true
		}
		if fr, ok := helpFR["--"+f.Name]; ok {
			return fr, true
		}
		fr, ok := byUsage[f.Name+"\x00"+f.Usage]
		return fr, ok
	}
	var all []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.InitDefaultHelpFlag()
		all = append(all, c)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	// First the flags named for their own command (or shared by name), then
	// the same flag and usage where another command reuses it (audit takes
	// harvest's and links's).
	for pass := 0; pass < 2; pass++ {
		for _, c := range all {
			visit := func(f *pflag.Flag) {
				if strings.HasPrefix(f.Usage, "\x01") { // already French
					return
				}
				fr, ok := resolve(c, f)
				if ok {
					byUsage[f.Name+"\x00"+f.Usage] = fr
					if pass == 1 {
						f.Usage = fr
					}
				} else if pass == 1 && !generated(c) {
					missing = append(missing, c.CommandPath()+" --"+f.Name)
				}
			}
			c.LocalFlags().VisitAll(visit)
		}
	}
	for _, c := range all {
		p := c.CommandPath()
		if fr, ok := helpFR[p]; ok {
			c.Short = fr
		} else if !generated(c) {
			missing = append(missing, p)
		}
		if i := strings.IndexByte(c.Use, ' '); i > 0 && !generated(c) { // the arguments' placeholders
			if fr, ok := helpFR[p+"/use"]; ok {
				c.Use = c.Use[:i] + " " + fr
			} else {
				missing = append(missing, p+"/use")
			}
		}
		if fr, ok := helpFR[p+"/long"]; ok && fr != "" {
			c.Long = fr
		} else if c.Long != "" && !generated(c) {
			missing = append(missing, p+"/long")
		}
		c.SetUsageTemplate(frenchUsage(c.UsageTemplate()))
	}
	return missing
}

// generated says whether cobra made the command (help, completion scripts).
func generated(c *cobra.Command) bool {
	for p := c; p != nil; p = p.Parent() {
		if p.Name() == "completion" || p.Name() == "help" && p.Parent() != nil && p.Parent().Parent() == nil {
			return true
		}
	}
	return false
}

func init() {
	cobra.AddTemplateFunc("frDefaults", func(s string) string {
		return strings.ReplaceAll(s, "(default ", "(par défaut ")
	})
	// cobra adds " [flags]" to a usage line after the template is chosen.
	cobra.AddTemplateFunc("frUseLine", func(s string) string {
		return strings.NewReplacer(" [flags]", " [options]", " [command]", " [commande]").Replace(s)
	})
}

// frenchUsage translates the headings of cobra's usage template.
func frenchUsage(t string) string {
	return strings.NewReplacer(
		"FlagUsages | trimTrailingWhitespaces", "FlagUsages | frDefaults | trimTrailingWhitespaces",
		"{{.UseLine}}", "{{frUseLine .UseLine}}",
		"Usage:", "Utilisation :",
		"Aliases:", "Alias :",
		"Examples:", "Exemples :",
		"Available Commands:", "Commandes :",
		"Additional Commands:", "Autres commandes :",
		"Global Flags:", "Options globales :",
		"Flags:", "Options :",
		"Additional help topics:", "Autres sujets d'aide :",
		`Use "{{.CommandPath}} [command] --help" for more information about a command.`,
		`« {{.CommandPath}} [commande] --help » en dit plus sur une commande.`,
		"[flags]", "[options]",
		"[command]", "[commande]",
	).Replace(t)
}
