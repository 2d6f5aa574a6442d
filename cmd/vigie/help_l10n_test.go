package main

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
