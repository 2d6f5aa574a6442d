package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

func writeConfig(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "vigie.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestConfigShowEffectiveAndFlagsWin(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	tok := filepath.Join(dir, "canada.token")
	os.WriteFile(tok, []byte("s3cr3t-token-value\n"), 0o600)
	cfg := writeConfig(t, `db: from-file.db
parallel: 4
defaults:
  lang: en
  links: {per_host: 1}
portals:
  - name: quebec
    url: https://www.donneesquebec.ca/recherche
    lang: fr
    baseline: 1200
  - name: canada
    url: https://open.canada.ca/data/
    token_file: `+tok+`
    include_private: true
`)
	t.Setenv("VIGIE_DB", "")
	t.Setenv("VIGIE_PORTAL", "")
	t.Setenv("VIGIE_LANG", "")
	code, out, errb := cli(ctx, "--config", cfg, "config", "show")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	var s shownConfig
	if err := yaml.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if s.DB != "from-file.db" || s.Lang != "fr" || s.Portal != "https://www.donneesquebec.ca/recherche" || s.Parallel != 4 || len(s.Portals) != 2 {
		t.Fatalf("effective config: %+v\n%s", s, out)
	}
	if s.Portals[1].Links.PerHost != 1 || s.Portals[1].Lang != "en" || s.Portals[1].TokenFile != tok {
		t.Fatalf("defaults not filled in: %+v", s.Portals[1])
	}
	if strings.Contains(out, "s3cr3t") {
		t.Fatal("config show printed the token")
	}
	// Flags and environment win over the file; a portal is named by its name.
	t.Setenv("VIGIE_DB", "from-env.db")
	code, out, _ = cli(ctx, "--config", cfg, "--portal", "canada", "--lang", "fr", "config", "show", "--format", "json")
	if code != 0 || !strings.Contains(out, `"db": "from-env.db"`) || !strings.Contains(out, `"portal": "https://open.canada.ca/data"`) ||
		!strings.Contains(out, `"lang": "fr"`) {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// VIGIE_CONFIG finds the file too.
	t.Setenv("VIGIE_CONFIG", cfg)
	code, out, _ = cli(ctx, "--db", "x.db", "config", "show")
	if code != 0 || !strings.Contains(out, "file: "+cfg) || !strings.Contains(out, "db: x.db") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestConfigBadFileIsOneLineWithItsLine(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	cfg := writeConfig(t, "portals:\n  - name: quebec\n    url: https://www.donneesquebec.ca/recherche\n    link: {}\n")
	code, out, errb := cli(context.Background(), "--config", cfg, "config", "show")
	if code != ExitUsage || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	want := "vigie: " + cfg + ":4: unknown setting \"link\": see 'vigie config show --example' for the settings\n"
	if errb != want {
		t.Fatalf("stderr %q, want %q", errb, want)
	}
	// The hint comes from the command line's kind table, in the reader's language.
	_, _, errb = cli(context.Background(), "--config", cfg, "--lang", "fr", "config", "show")
	if want := "vigie: " + cfg + ":4: réglage inconnu « link » : voir « vigie config show --example » pour les réglages\n"; errb != want {
		t.Fatalf("French: stderr %q, want %q", errb, want)
	}
	code, _, errb = cli(context.Background(), "--config", filepath.Join(t.TempDir(), "none.yaml"), "runs")
	if code != ExitUsage || !strings.Contains(errb, "--config") {
		t.Fatalf("missing file: exit %d %q", code, errb)
	}
}

func TestPortalValuesNeverOverrideFlags(t *testing.T) {
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	orgs := fs.StringArray("org", nil, "")
	rate := fs.Float64("rate", 2, "")
	per := fs.Int("per-host", 2, "")
	if err := fs.Parse([]string{"--per-host", "5"}); err != nil {
		t.Fatal(err)
	}
	applyPortalValues(fs, map[string][]string{"org": {"a", "b"}, "rate": {"0.5"}, "per-host": {"1"}, "unknown": {"x"}})
	if strings.Join(*orgs, ",") != "a,b" || *rate != 0.5 || *per != 5 {
		t.Fatalf("org %v rate %v per-host %v", *orgs, *rate, *per)
	}
	if fs.Lookup("rate").Changed {
		t.Fatal("a value from the file must not look typed by the user")
	}
}

func TestConfigExample(t *testing.T) {
	code, out, _ := cli(context.Background(), "config", "show", "--example")
	if code != 0 || !strings.Contains(out, "portals:") || !strings.Contains(out, "password_file") {
		t.Fatalf("exit %d\n%s", code, out)
	}
}
