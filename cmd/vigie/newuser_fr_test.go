package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/storetest"
)

// The listings and summaries a new user meets after a first audit speak
// French by default and English with --lang en: prune's table and summary,
// export's table, portals' gate and score run, links --list's headers,
// profile list, config show without a file, notify's dry run. Each of them
// printed English under French.
func TestNewUserListingsFollowTheLanguage(t *testing.T) {
	t.Setenv("VIGIE_LANG", "")
	t.Setenv("VIGIE_PORTAL", "")
	t.Setenv("VIGIE_DB", "")
	t.Setenv("VIGIE_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	ctx := context.Background()
	_, srv, _, _ := auditPortal(t, 12)
	db := storetest.NewDSN(t)
	dir := t.TempDir()
	if code, out, errs := cli(ctx, "--db", db, "--portal", srv.URL, "-q", "audit", "--out", filepath.Join(dir, "a"),
		"--allow-private", "--rate", "0"); code != ExitOK {
		t.Fatalf("audit: exit %d %s %s", code, out, errs)
	}
	for _, c := range []struct {
		args          []string
		fr, en, notFR []string
	}{
		{[]string{"prune"},
			[]string{"supprimé", "lignes", "évaluations", "constats", "gardé les dernières passes de http", ", 90 passes au plus par type ; supprimé en une transaction ; base de données ", "io → "},
			[]string{"removed", "score runs", "kept the last runs of http", ", 90 runs at most of each kind; deleted in one transaction; database ", "iB → "},
			[]string{"removed", "score runs", "kept", "every portal", "MiB"}},
		{[]string{"export", filepath.Join(dir, "x")},
			[]string{"table", "lignes", "fichier"}, []string{"table", "rows", "file"}, []string{"rows", "file "}},
		{[]string{"portals"},
			[]string{"aucun", "n° 1, "}, []string{"none", "#1 "}, []string{"none", "#1"}},
		{[]string{"links", "--list"},
			[]string{"état", "échecs", "en échec depuis", "raison"}, []string{"class", "fails", "since", "reason"}, []string{"CLASS", "REASON", "DATASETS"}},
		{[]string{"links", "--list", "--class", "broken"},
			[]string{"aucun lien vérifié ne correspond : lancez d'abord « vigie links »"}, []string{"no checked links match: run 'vigie links' first"}, []string{"no checked"}},
		{[]string{"profile", "list"},
			[]string{"profil ", "description"}, []string{"profile ", "description"}, []string{"PROFIL", "DESCRIPTION"}},
		{[]string{"config", "show"},
			[]string{"(aucun : --config, VIGIE_CONFIG"}, []string{"(none: --config, VIGIE_CONFIG"}, []string{"none:"}},
		{[]string{"notify", "-q", "--dir", filepath.Join(dir, "pub")},
			[]string{"simulation : ", "serai", "aux éditeurs", "ajoutez --send pour envoyer"},
			[]string{"dry run: ", "would be sent to publishers", "add --send to send"},
			[]string{"dry run", "would send", "would be sent", "without an address", " KB"}},
	} {
		for _, lang := range []string{"fr", "en"} {
			code, out, errs := cli(ctx, append([]string{"--db", db, "--portal", srv.URL, "--lang", lang}, c.args...)...)
			if code != ExitOK {
				t.Fatalf("%s (%s): exit %d %s", strings.Join(c.args, " "), lang, code, errs)
			}
			want := c.fr
			if lang == "en" {
				want = c.en
			}
			for _, w := range want {
				if !strings.Contains(out, w) {
					t.Errorf("%s (%s) lacks %q:\n%s", strings.Join(c.args, " "), lang, w, out)
				}
			}
			if lang == "fr" {
				for _, w := range c.notFR {
					if strings.Contains(out, w) {
						t.Errorf("%s in French holds %q:\n%s", strings.Join(c.args, " "), w, out)
					}
				}
			}
		}
	}
}

// A real portal's saved answers imported in French and English, from a
// gzip file and from standard input: the summary says "par importation",
// never "moissonnage importation".
func TestImportSummaryInBothLanguages(t *testing.T) {
	ctx := context.Background()
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "real", "data.birmingham.gov.uk", "package_search_2021-09.json"))
	if err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(t.TempDir(), "birmingham.json.gz")
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(gz, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ lang, from, want string }{
		{"fr", gz, "moissonnage par importation (--from " + gz + ") : 10 jeux : 10 nouveaux, "},
		{"en", "-", "harvest import (--from -): 10 datasets: "},
	} {
		db := storetest.NewDSN(t)
		var out, errb bytes.Buffer
		code := run(ctx, []string{"--lang", c.lang, "--db", db, "harvest", "--from", c.from, "--portal", "https://data.birmingham.gov.uk", "--max-missing", "100"},
			bytes.NewReader(raw), &out, &errb)
		if code != ExitOK || !strings.Contains(out.String(), c.want) {
			t.Errorf("%s --from %s: exit %d %q %q, want %q", c.lang, c.from, code, out.String(), errb.String(), c.want)
		}
	}
}

// Mistyped values read as French sentences under French: a report's
// --compare reference and notify's --to address.
func TestMistypedValuesInFrench(t *testing.T) {
	t.Setenv("VIGIE_LANG", "")
	db, portal := harvestedDB(t, 3)
	ctx := context.Background()
	for _, c := range []struct {
		args   []string
		fr, en string
	}{
		{[]string{"report", "--format", "md", "--compare", "xyz"}, "vigie: --compare : « xyz » n'est pas une évaluation : ", `vigie: --compare: "xyz" is not a score run: `},
		{[]string{"notify", "--to", "bad"}, "vigie: --to : « bad » n'est pas une adresse de courriel\n", "vigie: --to: \"bad\" is not an e-mail address\n"},
	} {
		for _, lang := range []string{"fr", "en"} {
			code, _, errs := cli(ctx, append([]string{"--lang", lang, "--db", db, "--portal", portal}, c.args...)...)
			want := c.fr
			if lang == "en" {
				want = c.en
			}
			if code != ExitUsage || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("%s (%s): exit %d %q, want %q", strings.Join(c.args, " "), lang, code, errs, want)
			}
		}
	}
}
