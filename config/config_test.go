package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const good = `db: v.db
parallel: 2
defaults:
  lang: en
  rate: 0
  links:
    per_host: 1
    older_than: 20h
portals:
  - name: quebec
    url: https://www.donneesquebec.ca/recherche/
    profile: donneesquebec
    baseline: 1200
    lang: fr
  - name: canada
    url: https://open.canada.ca/data
    token_file: /etc/vigie/canada.token
    orgs: [tbs-sct, statcan]
    links:
      per_host: 3
`

func TestParseGoodFileAndDefaults(t *testing.T) {
	f, err := Parse("vigie.yaml", []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if f.DB != "v.db" || f.Parallel != 2 || len(f.Portals) != 2 {
		t.Fatalf("file: %+v", f)
	}
	q := f.Effective(f.Portals[0])
	if q.URL != "https://www.donneesquebec.ca/recherche" || q.Lang != "fr" || q.Baseline != 1200 || q.Links.PerHost != 1 {
		t.Fatalf("quebec: %+v", q)
	}
	if q.Rate == nil || *q.Rate != 0 || q.Links.OlderThan == nil || time.Duration(*q.Links.OlderThan) != 20*time.Hour {
		t.Fatalf("quebec defaults not applied: %+v", q.Settings)
	}
	c, ok := f.Lookup("https://open.canada.ca/data/")
	if !ok || c.Name != "canada" || c.Lang != "en" || c.Links.PerHost != 3 {
		t.Fatalf("canada: %+v %v", c, ok)
	}
	if c.Line() != 15 {
		t.Errorf("canada starts on line 15, got %d", c.Line())
	}
	v := c.Values("links-timeout")
	if strings.Join(v["org"], ",") != "tbs-sct,statcan" || v["per-host"][0] != "3" || v["token-file"][0] != "/etc/vigie/canada.token" ||
		v["older-than"][0] != "20h0m0s" || v["rate"][0] != "0" {
		t.Fatalf("values: %v", v)
	}
	if _, ok := f.Lookup("montreal"); ok {
		t.Fatal("montreal is not in the file")
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"unknown setting", "portals:\n  - name: a\n    url: http://x\n    profle: ckan\n", "vigie.yaml:4: unknown setting \"profle\""},
		{"token in file", "portals:\n  - name: a\n    url: http://x\n    token: abc\n", "vigie.yaml:4: \"token\": secrets never go in this file"},
		{"bad duration", "defaults:\n  links:\n    older_than: soon\n", "vigie.yaml:3: \"soon\" is not a duration"},
		{"bad type", "parallel: many\n", "vigie.yaml:1: cannot unmarshal"},
		{"syntax", "db: x.db\nportals:\n\t- name: a\n", "vigie.yaml:3: not valid YAML: found character that cannot start any token"},
		{"duplicate", "portals:\n  - name: a\n    url: http://x\n  - name: a\n    url: http://y\n", "vigie.yaml:4: portal name \"a\" is already used on line 2"},
		{"no url", "portals:\n  - name: a\n", "vigie.yaml:2: portal a: url \"\" must be the CKAN site root"},
		{"bad lang", "portals:\n  - name: a\n    url: http://x\n    lang: de\n", "vigie.yaml:2: portal a: lang must be fr or en"},
		{"bad name", "portals:\n  - name: A B\n    url: http://x\n", "vigie.yaml:2: portal name \"A B\""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("vigie.yaml", []byte(c.text))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("not a config.Error: %T", err)
			}
		})
	}
}

// TestParseErrorsInFrench: every mistake in the file reads in French with
// its line, the YAML parser's complaints included.
func TestParseErrorsInFrench(t *testing.T) {
	cases := []struct{ text, want string }{
		{"portals:\n  - name: a\n    url: http://x\n    profle: ckan\n", "vigie.yaml:4: réglage inconnu « profle »"},
		{"defaults:\n  links:\n    older_than: soon\n", "vigie.yaml:3: « soon » n'est pas une durée : écrivez-la comme 30s, 20h ou 168h"},
		{"parallel: many\n", "vigie.yaml:1: « many » est un texte là où on attend un nombre entier : vérifiez le type de la valeur"},
		{"db: x.db\nportals:\n\t- name: a\n", "vigie.yaml:3: YAML illisible : caractère qui ne peut commencer aucun élément (une tabulation ? l'indentation se fait avec des espaces)"},
		{"db: x.db\nout: /srv\nparallel 2\nportals: []\n", "vigie.yaml:3: YAML illisible : « : » attendu après la clé"},
		{"defaults:\n  links: 3\n", "vigie.yaml:2: « 3 » est un nombre entier là où on attend un bloc de réglages : vérifiez le type de la valeur"},
		{"portals:\n  - name: a\n    url: http://x\n  - name: a\n    url: http://y\n", "vigie.yaml:4: le nom de portail « a » est déjà pris à la ligne 2 : les noms doivent être uniques"},
		{"portals:\n  - name: a\n    url: http://x\n    lang: de\n", "vigie.yaml:2: portail a : lang doit valoir fr ou en, et non « de »"},
		{"defaults:\n  rate: -1\n", "vigie.yaml: defaults : rate doit valoir 0 (sans limite) ou plus"},
		{"smtp:\n  host: h\n  from: a@b\n  port: 70000\n", "vigie.yaml: le port smtp 70000 n'est pas un port"},
	}
	for _, c := range cases {
		_, err := Parse("vigie.yaml", []byte(c.text))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%q: %v is not a config.Error", c.text, err)
			continue
		}
		if got := ce.Localize("fr"); got != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.text, got, c.want)
		}
		if en := ce.Localize("en"); en == ce.Localize("fr") {
			t.Errorf("%q: the same in both languages: %q", c.text, en)
		}
	}
}

func TestEmptyFileIsValid(t *testing.T) {
	f, err := Parse("vigie.yaml", nil)
	if err != nil || len(f.Portals) != 0 {
		t.Fatalf("%v %+v", err, f)
	}
}

func TestExampleParses(t *testing.T) {
	f, err := Parse("example", []byte(Example))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Portals) != 3 || f.SMTP == nil || f.SMTP.PasswordFile == "" {
		t.Fatalf("%+v", f)
	}
}

func TestFindOrder(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv("HOME", dir)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "xdg"))
	t.Setenv("VIGIE_CONFIG", "")
	if p, err := Find(""); err != nil || p != "" {
		t.Fatalf("nothing to find: %q %v", p, err)
	}
	user := filepath.Join(dir, "xdg", "vigie", FileName)
	os.MkdirAll(filepath.Dir(user), 0o755)
	os.WriteFile(user, nil, 0o644)
	if p, _ := Find(""); p != user {
		t.Fatalf("user folder: %q", p)
	}
	os.WriteFile(FileName, nil, 0o644)
	if p, _ := Find(""); p != FileName {
		t.Fatalf("working folder first: %q", p)
	}
	env := filepath.Join(dir, "env.yaml")
	os.WriteFile(env, nil, 0o644)
	t.Setenv("VIGIE_CONFIG", env)
	if p, _ := Find(""); p != env {
		t.Fatalf("VIGIE_CONFIG first: %q", p)
	}
	if p, _ := Find(user); p != user {
		t.Fatalf("--config first: %q", p)
	}
	if _, err := Find(filepath.Join(dir, "nope.yaml")); err == nil || !strings.Contains(err.Error(), "--config") {
		t.Fatalf("missing --config: %v", err)
	}
}
