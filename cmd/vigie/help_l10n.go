package main

import (
	"strconv"
	"strings"
	"unicode/utf8"

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
		c.Example = examplesFR.Replace(c.Example)
		c.SetUsageTemplate(frenchUsage(c.UsageTemplate()))
	}
	return missing
}

// examplesFR translates the comments of the commands' examples; the
// commands themselves stay as they are typed.
var examplesFR = strings.NewReplacer(
	"# after the nightly audit", "# après l'audit de nuit",
	"# audits what is due, then exits", "# audite ce qui est dû, puis s'arrête",
	"# check URLs not checked in the last 24 h (new ones first)", "# vérifier les URL non vérifiées depuis 24 h (les nouvelles d'abord)",
	"# check everything, faster, with a 30 s limit per request", "# tout vérifier, plus vite, avec 30 s au plus par requête",
	"# crontab: every hour, audit what is due", "# crontab : chaque heure, auditer ce qui est dû",
	"# crontab: every night at 02:30", "# crontab : chaque nuit à 2 h 30",
	"# dry run: what would be sent", "# simulation : ce qui serait envoyé",
	"# every portal of vigie.yaml", "# chaque portail de vigie.yaml",
	"# everything to me first", "# tout à moi d'abord",
	"# one organization, then print this run's results as JSON", "# une organisation, puis les résultats de cette vérification en JSON",
	"# list stored results without checking: broken and failing links", "# lister les résultats enregistrés sans vérifier : liens brisés et en échec",
	"# runs until stopped", "# tourne jusqu'à son arrêt",
)

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
	cobra.AddTemplateFunc("frFlags", frenchFlagUsages)
}

// valueNamesFR are the French names of the flag value types pflag shows
// after a flag ("--timeout durée"); a bool flag shows none.
var valueNamesFR = map[string]string{
	"string": "texte", "stringArray": "textes", "stringSlice": "textes", "int": "entier", "int64": "entier",
	"uint": "entier", "float64": "nombre", "duration": "durée", "percent": "pourcentage", "name": "nom",
}

// frenchValue is a flag's value under its French type name, for help only.
type frenchValue struct {
	pflag.Value
	name string
}

func (v frenchValue) Type() string { return v.name }

// frenchFlagUsages is fs's usage lines with the value types named in
// French; defaults show as pflag shows them.
func frenchFlagUsages(fs *pflag.FlagSet) string {
	out := pflag.NewFlagSet("fr", pflag.ContinueOnError)
	out.SortFlags = fs.SortFlags
	fs.VisitAll(func(f *pflag.Flag) {
		nf := *f
		if name, ok := valueNamesFR[f.Value.Type()]; ok {
			one := pflag.NewFlagSet("one", pflag.ContinueOnError)
			one.AddFlag(f)
			switch {
			case !strings.Contains(one.FlagUsages(), "(default "):
				nf.DefValue = "" // pflag's own zero-value test reads the value's Go type
			case f.Value.Type() == "string":
				nf.DefValue = strconv.Quote(f.DefValue)
			}
			nf.Value = frenchValue{f.Value, name}
		}
		out.AddFlag(&nf)
	})
	return realign(out.FlagUsages())
}

// realign lines up the descriptions of pflag's usage lines by display
// width: pflag pads by bytes, so a value name with an accent ("durée")
// would push its description one column left.
func realign(usages string) string {
	lines := strings.Split(usages, "\n")
	type split struct{ flag, desc string }
	parts := make([]split, len(lines))
	width := 0
	for i, l := range lines {
		body := strings.TrimLeft(l, " ")
		if !strings.HasPrefix(body, "-") {
			continue
		}
		indent := len(l) - len(body)
		j := strings.Index(body, "   ")
		if j < 0 {
			continue
		}
		parts[i] = split{l[:indent+j], strings.TrimLeft(body[j:], " ")}
		width = max(width, utf8.RuneCountInString(parts[i].flag))
	}
	for i, p := range parts {
		if p.flag != "" {
			lines[i] = p.flag + strings.Repeat(" ", width-utf8.RuneCountInString(p.flag)+3) + p.desc
		}
	}
	return strings.Join(lines, "\n")
}

// frenchUsage translates the headings of cobra's usage template.
func frenchUsage(t string) string {
	return strings.NewReplacer(
		".LocalFlags.FlagUsages | trimTrailingWhitespaces", "frFlags .LocalFlags | frDefaults | trimTrailingWhitespaces",
		".InheritedFlags.FlagUsages | trimTrailingWhitespaces", "frFlags .InheritedFlags | frDefaults | trimTrailingWhitespaces",
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
