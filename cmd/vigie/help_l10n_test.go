package main

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vigie-audit/vigie/internal/l10n"
)

// Every command's short and long help and every flag's usage has French,
// and English stays available: a text added without its French fails here.
func TestHelpIsTranslated(t *testing.T) {
	root := NewRootCmd(&App{})
	if missing := localizeHelp(root, "fr"); len(missing) > 0 {
		t.Fatalf("help texts without French (add them to helpFR in help_fr.go):\n  %s", strings.Join(missing, "\n  "))
	}
	en := NewRootCmd(&App{})
	localizeHelp(en, "en")
	var walk func(c, e *cobra.Command)
	walk = func(c, e *cobra.Command) {
		if generated(c) {
			return
		}
		if c.Short == "" || e.Short == "" || c.Short == e.Short && c.Name() != "version" {
			t.Errorf("%s: short help fr %q / en %q", c.CommandPath(), c.Short, e.Short)
		}
		if e.Long != "" && c.Long == e.Long {
			t.Errorf("%s: the long help is not in French", c.CommandPath())
		}
		for _, l := range strings.Split(e.Example, "\n") { // comments in French, commands as typed
			if i := strings.Index(l, "# "); i >= 0 && strings.Contains(c.Example, l[i:]) {
				t.Errorf("%s: the example comment %q is not in French (examplesFR in help_l10n.go)", c.CommandPath(), l[i:])
			}
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" || f.Name == "version" { // cobra's, added when help is shown
				if f.Usage == "" || !strings.Contains(f.Usage, "afficher") {
					t.Errorf("%s --%s: usage %q", c.CommandPath(), f.Name, f.Usage)
				}
				return
			}
			if g := e.LocalFlags().Lookup(f.Name); g == nil || f.Usage == g.Usage || f.Usage == "" || g.Usage == "" {
				t.Errorf("%s --%s: usage fr %q", c.CommandPath(), f.Name, f.Usage)
			}
		})
		for _, s := range c.Commands() {
			for _, es := range e.Commands() {
				if es.Name() == s.Name() {
					walk(s, es)
				}
			}
		}
	}
	walk(root, en)
}

func TestHelpFollowsLang(t *testing.T) {
	ctx := context.Background()
	_, fr, _ := cli(ctx, "report", "--help")
	_, en, _ := cli(ctx, "--lang", "en", "report", "--help")
	t.Setenv("VIGIE_LANG", "en")
	_, env, _ := cli(ctx, "report", "--help")
	if !strings.Contains(fr, "Écrit un rapport") || !strings.Contains(fr, "Options globales :") || strings.Contains(fr, "(default ") {
		t.Errorf("French help:\n%.400s", fr)
	}
	if !strings.Contains(en, "Write a report") || !strings.Contains(en, "Global Flags:") || !strings.Contains(env, "Write a report") {
		t.Errorf("English help:\n%.400s\n%.200s", en, env)
	}
}

// The summaries and counts speak French by default and English on request,
// with French numbers; every message has both languages.
func TestMessagesFollowLang(t *testing.T) {
	l10n.CheckCatalog(t)
	ctx := context.Background()
	db, portal := harvestedDB(t, 12)
	code, fr, _ := cli(ctx, "--db", db, "--portal", portal, "-q", "score")
	_, en, _ := cli(ctx, "--db", db, "--portal", portal, "-q", "--lang", "en", "score")
	if code != 0 || !strings.HasPrefix(fr, "12 jeux évalués avec le profil") || strings.Contains(fr, "delinquent") ||
		strings.Contains(fr, "not applicable") || !strings.HasPrefix(en, "scored 12 datasets") {
		t.Errorf("score summary:\nfr %s\nen %s", fr, en)
	}
	_, list, _ := cli(ctx, "--db", db, "--portal", portal, "datasets")
	if !strings.Contains(list, "organisation") || !strings.Contains(list, "12 jeux de données") || strings.Contains(list, " active ") {
		t.Errorf("datasets table in French:\n%s", list)
	}
}

// A French usage line is French to its end: the arguments' placeholders and
// the "[options]" cobra appends (observed: "vigie explain <dataset name or
// id> [flags]" under a French help).
func TestUsageLinesInFrench(t *testing.T) {
	ctx := context.Background()
	for cmd, want := range map[string]string{
		"explain": "vigie explain NOM [options]", "export": "vigie export DOSSIER [options]",
		"profile show": "vigie profile show NOM [options]", "report": "vigie report [options]", "help": "vigie help [commande] [options]",
	} {
		_, fr, _ := cli(ctx, append(strings.Fields(cmd), "--help")...)
		if !strings.Contains(fr, "Utilisation :\n  "+want+"\n") || strings.Contains(fr, "[flags]") || strings.Contains(fr, "[command]") {
			t.Errorf("vigie %s --help in French:\n%.300s", cmd, fr)
		}
		_, en, _ := cli(ctx, append([]string{"--lang", "en"}, append(strings.Fields(cmd), "--help")...)...)
		if strings.Contains(en, "[options]") || strings.Contains(en, "NOM") || !strings.Contains(en, "[flags]") {
			t.Errorf("vigie %s --help in English:\n%.300s", cmd, en)
		}
	}
	_, _, stderr := cli(ctx, "export")
	if !strings.Contains(stderr, "attend un argument, DOSSIER,") {
		t.Errorf("French argument error: %s", stderr)
	}
}

// French help names no English word in its usage line and flag list: the
// usage line says [options], value types are French ("--timeout durée",
// not "duration"), and the descriptions still line up although "durée" has
// an accent (pflag pads by bytes). English keeps pflag's own words.
func TestHelpUsageLineAndValueNamesInFrench(t *testing.T) {
	t.Setenv("VIGIE_LANG", "")
	ctx := context.Background()
	_, fr, _ := cli(ctx, "harvest", "--help")
	_, en, _ := cli(ctx, "--lang", "en", "harvest", "--help")
	for _, w := range []string{"vigie harvest [options]", "--timeout durée", "--from texte", "--rows entier", "--rate nombre",
		"--max-missing pourcentage", "--org nom", "--db texte", `(par défaut "vigie.db")`} {
		if !strings.Contains(fr, w) {
			t.Errorf("French help lacks %q:\n%s", w, fr)
		}
	}
	for _, w := range []string{"[flags]", " string ", " duration ", " int ", " float ", " percent "} {
		if strings.Contains(fr, w) {
			t.Errorf("French help holds %q", w)
		}
	}
	for _, w := range []string{"vigie harvest [flags]", "--timeout duration", "--from string"} {
		if !strings.Contains(en, w) {
			t.Errorf("English help lacks %q", w)
		}
	}
	col := -1
	for _, l := range strings.Split(fr[strings.Index(fr, "Options :"):strings.Index(fr, "Options globales :")], "\n") {
		if !strings.HasPrefix(strings.TrimLeft(l, " "), "-") {
			continue
		}
		body := strings.TrimLeft(l, " ")
		flag := l[:len(l)-len(body)+strings.Index(body, "   ")]
		rest := l[len(flag):]
		c := utf8.RuneCountInString(flag) + len(rest) - len(strings.TrimLeft(rest, " "))
		if col >= 0 && c != col {
			t.Errorf("description of %q starts at column %d, others at %d", strings.TrimSpace(flag), c, col)
		}
		col = c
	}
}

// cobra's own completion commands speak French too under French.
func TestCompletionHelpInFrench(t *testing.T) {
	t.Setenv("VIGIE_LANG", "")
	ctx := context.Background()
	for _, args := range [][]string{{"completion", "--help"}, {"completion", "bash", "--help"}, {"completion", "zsh", "--help"},
		{"completion", "fish", "--help"}, {"completion", "powershell", "--help"}} {
		_, fr, _ := cli(ctx, args...)
		_, en, _ := cli(ctx, append([]string{"--lang", "en"}, args...)...)
		if !strings.Contains(fr, "autocomplétion") || strings.Contains(fr, "Generate") || strings.Contains(fr, "disable completion") || !strings.Contains(en, "Generate") {
			t.Errorf("vigie %s:\n%s", strings.Join(args, " "), fr)
		}
	}
}
