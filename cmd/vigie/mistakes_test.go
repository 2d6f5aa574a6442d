package main

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/store"
)

// The mistakes a new user makes most, in French (the default) and in
// English: one line that says what went wrong and what to do, the exit code
// of its kind, and no English left in the French line.
func TestCommonMistakesInBothLanguages(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(12, 31, ckantest.GenOptions{Orgs: 3})
	srv := p.Serve()
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	db := filepath.Join(dir, "vigie.db")
	if code, _, errs := cli(ctx, "harvest", "--rate", "0", "--quiet", "--db", db, "--portal", srv.URL); code != 0 {
		t.Fatalf("harvest: %s", errs)
	}
	orgs, err := func() ([]string, error) {
		s, err := store.Open(ctx, db, store.Options{ReadOnly: true})
		if err != nil {
			return nil, err
		}
		defer s.Close()
		pt, err := s.Portal(ctx, srv.URL)
		if err != nil {
			return nil, err
		}
		return s.OrgNames(ctx, pt.ID)
	}()
	if err != nil || len(orgs) == 0 {
		t.Fatalf("organizations: %v %v", orgs, err)
	}
	typo := orgs[0][:len(orgs[0])-1] + "x"
	missing := filepath.Join(dir, "vigei.db")
	g := []string{"--db", db, "--portal", srv.URL}

	cases := []struct {
		name string
		args []string
		code int
		fr   []string
		en   []string
	}{
		{"missing database", []string{"--db", missing, "datasets"}, ExitFailure,
			[]string{"la base de données " + missing + " n'existe pas", "lancez d'abord « vigie harvest », ou passez le bon --db"},
			[]string{"database " + missing + " does not exist", "run 'vigie harvest' first, or pass the right --db"}},
		{"unknown portal", []string{"--db", db, "--portal", "https://nowhere.example", "datasets"}, ExitFailure,
			[]string{"le portail https://nowhere.example n'a pas été moissonné dans", "passez --portal " + srv.URL + " (ou VIGIE_PORTAL), ou lancez « vigie harvest --portal https://nowhere.example »"},
			[]string{"portal https://nowhere.example has not been harvested into", "pass --portal " + srv.URL + " (or VIGIE_PORTAL), or run 'vigie harvest --portal https://nowhere.example'"}},
		{"unknown organization", append(append([]string{}, g...), "datasets", "--org", typo), ExitUsage,
			[]string{"--org « " + typo + " » : aucune organisation de ce nom", "vouliez-vous dire " + orgs[0] + " ? (« vigie orgs » les liste toutes)"},
			[]string{`--org "` + typo + `": no such organization`, "did you mean " + orgs[0] + "? ('vigie orgs' lists them all)"}},
		{"not scored yet", append(append([]string{}, g...), "report", "--format", "md", "--out", filepath.Join(dir, "r.md")), ExitFailure,
			[]string{"n'a aucune évaluation terminée", "lancez d'abord « vigie score » (ou « vigie audit »)"},
			[]string{"has no complete score run", "run 'vigie score' (or 'vigie audit') first"}},
		{"bad flag value", append(append([]string{}, g...), "harvest", "--rows", "many"), ExitUsage,
			[]string{"valeur « many » invalide pour --rows : un nombre entier est attendu (voir « vigie harvest --help »)"},
			[]string{`invalid value "many" for --rows: a whole number is expected (see 'vigie harvest --help')`}},
		{"bad percentage", append(append([]string{}, g...), "harvest", "--max-missing", "150"), ExitUsage,
			[]string{"valeur « 150 » invalide pour --max-missing : un pourcentage de 0 à 100 est attendu, comme 10 (voir « vigie harvest --help »)"},
			[]string{`invalid value "150" for --max-missing: want a percentage from 0 to 100, such as 10 (see 'vigie harvest --help')`}},
		{"--from a folder", append(append([]string{}, g...), "harvest", "--from", dir), ExitUsage,
			[]string{"importation de " + dir + " : lecture impossible : c'est un dossier"},
			[]string{"import " + dir + ": cannot read it: is a directory"}},
		{"bad flag choice", append(append([]string{}, g...), "datasets", "--format", "pdf"), ExitUsage,
			[]string{"--format doit être l'un de", "et non « pdf »"},
			[]string{"--format must be one of", `not "pdf"`}},
		{"unknown flag", append(append([]string{}, g...), "score", "--frobnicate"), ExitUsage,
			[]string{"option inconnue : --frobnicate (voir « vigie score --help »)"},
			[]string{"unknown flag: --frobnicate (see 'vigie score --help')"}},
		{"stray argument", append(append([]string{}, g...), "harvest", "--from", "--org", "x"), ExitUsage,
			[]string{"vigie harvest ne prend aucun argument, et a reçu « x » (une valeur d'option oubliée ?)"},
			[]string{`vigie harvest takes no argument, and got "x" (a flag's value left out?)`}},
		{"unknown command", []string{"harvset"}, ExitUsage,
			[]string{"commande inconnue « harvset » : voir « vigie --help »"},
			[]string{`unknown command "harvset": see 'vigie --help'`}},
		{"bad portal address", []string{"--db", db, "--portal", "ftp://files.example", "harvest"}, ExitUsage,
			[]string{"le portail « ftp://files.example » n'est pas une adresse http(s) : passez --portal https://hôte/chemin"},
			[]string{`portal "ftp://files.example" is not an http(s) URL: pass --portal https://host/path`}},
	}
	for _, c := range cases {
		for _, lang := range []string{"fr", "en"} {
			want := c.fr
			if lang == "en" {
				want = c.en
			}
			code, out, errs := cli(ctx, append([]string{"--lang", lang}, c.args...)...)
			line := strings.TrimSpace(errs)
			if code != c.code || out != "" || strings.Count(errs, "\n") != 1 || !strings.HasPrefix(line, "vigie: ") {
				t.Errorf("%s (%s): exit %d (want %d), stdout %q, stderr %q", c.name, lang, code, c.code, out, errs)
				continue
			}
			for _, w := range want {
				if !strings.Contains(line, w) {
					t.Errorf("%s (%s): %q lacks %q", c.name, lang, line, w)
				}
			}
			if lang == "fr" {
				if w := englishWord(line); w != "" {
					t.Errorf("%s: the French line holds the English word %q: %s", c.name, w, line)
				}
			}
			t.Logf("%s (%s): %s", c.name, lang, line)
		}
	}

	// VIGIE_LANG chooses the language too.
	t.Setenv("VIGIE_LANG", "en")
	if _, _, errs := cli(ctx, "--db", missing, "datasets"); !strings.Contains(errs, "does not exist: run 'vigie harvest' first") {
		t.Errorf("VIGIE_LANG=en: %q", errs)
	}
}

// Another process writing the database: exit 1, who holds it, and to wait.
func TestDatabaseInUseInBothLanguages(t *testing.T) {
	db := filepath.Join(t.TempDir(), "vigie.db")
	lock, err := store.AcquireLock(db, "audit")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Release()
	for lang, want := range map[string][]string{
		"fr": {"est en cours d'écriture par « vigie audit » (pid ", "attendez qu'il termine, puis relancez"},
		"en": {"is being written by 'vigie audit' (pid ", "wait for it to finish and try again"},
	} {
		code, _, errs := cli(context.Background(), "--lang", lang, "--db", db, "--portal", "https://portal.example", "harvest")
		if code != ExitFailure || strings.Count(errs, "\n") != 1 {
			t.Errorf("%s: exit %d %q", lang, code, errs)
		}
		for _, w := range want {
			if !strings.Contains(errs, w) {
				t.Errorf("%s: %q lacks %q", lang, errs, w)
			}
		}
	}
}

// A portal that does not answer: the client's own error, rendered by the
// command line's table, names the address and says to check it and the
// network. (Through the CLI the client retries for half a minute first.)
func TestUnreachablePortalInBothLanguages(t *testing.T) {
	srv := httptest.NewServer(nil)
	url := srv.URL
	srv.Close() // nothing listens there any more
	c, err := harvester.NewClient(url, harvester.ClientOptions{Retries: -1, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Probe(context.Background())
	if vigie.KindOf(err) != vigie.KindUnreachable || exitCode(err) != ExitFailure {
		t.Fatalf("kind %v, exit %d: %v", vigie.KindOf(err), exitCode(err), err)
	}
	fr, en := errorText("fr", err), errorText("en", err)
	for _, c := range []struct{ got, want string }{
		{fr, "impossible de joindre l'API CKAN à " + url + "/api/3/action/status_show : "},
		{fr, " : vérifiez --portal et le réseau, ou réessayez plus tard (--timeout pour un portail lent)"},
		{en, "cannot reach the CKAN API at " + url + "/api/3/action/status_show: "},
		{en, ": check --portal and the network, or retry later (--timeout for a slow portal)"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%q lacks %q", c.got, c.want)
		}
	}
	t.Logf("fr: %s", fr)
	t.Logf("en: %s", en)
}

// englishWords are words a French reader would not expect in a French
// sentence; command names, flags and quoted values are left out first.
var englishWords = []string{"the", "and", "is", "not", "with", "cannot", "must", "should", "does", "has", "run", "first",
	"pass", "check", "found", "missing", "wait", "finish", "please", "error", "invalid", "unknown"}

// englishWord returns the first English word of a French line, "" when none.
func englishWord(line string) string {
	for _, q := range []struct{ open, close string }{{"«", "»"}, {`"`, `"`}, {"(", ")"}} {
		for {
			i := strings.Index(line, q.open)
			if i < 0 {
				break
			}
			j := strings.Index(line[i+len(q.open):], q.close)
			if j < 0 {
				break
			}
			inner := line[i+len(q.open) : i+len(q.open)+j]
			keep := ""
			if q.open == "(" && !strings.Contains(inner, "vigie ") {
				keep = inner // a parenthesis is prose unless it names a command
			}
			line = line[:i] + " " + keep + " " + line[i+len(q.open)+j+len(q.close):]
		}
	}
	for _, f := range strings.FieldsFunc(line, func(r rune) bool {
		return r == ' ' || r == ',' || r == ';' || r == ':' || r == '?' || r == '.' || r == '\''
	}) {
		if strings.HasPrefix(f, "-") || strings.Contains(f, "/") {
			continue // a flag, a path, a URL
		}
		for _, w := range englishWords {
			if strings.EqualFold(f, w) {
				return w
			}
		}
	}
	return ""
}
