package main

import (
	"context"
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
			[]string{"supprimé", "lignes", "évaluations", "constats", "gardé les 90 dernières passes de http", " ; supprimé en une transaction ; base de données ", " Kio → "},
			[]string{"removed", "score runs", "kept the last 90 runs of http", "; deleted in one transaction; database ", " KiB → "},
			[]string{"removed", "score runs", "kept", "every portal", "MiB"}},
		{[]string{"export", filepath.Join(dir, "x")},
			[]string{"table", "lignes", "fichier"}, []string{"table", "rows", "file"}, []string{"rows", "file "}},
		{[]string{"portals"},
			[]string{"aucun", "n° 1, "}, []string{"none", "#1 "}, []string{"none", "#1"}},
		{[]string{"links", "--list"},
			[]string{"classe", "échecs", "depuis", "raison"}, []string{"class", "fails", "since", "reason"}, []string{"CLASS", "REASON", "DATASETS"}},
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
