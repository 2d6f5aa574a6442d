package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/internal/ckantest"
)

// What a portal answers when it is not the CKAN action API vigie expects
// (an HTML page, an empty or non-JSON answer, JSON without CKAN's envelope,
// a refused token, an answer over the size limit, pages that ignore paging):
// one line in the reader's language, vigie's own words translated and the
// portal's quoted as received, the exit code of its kind, and the hint that
// says what to do. A refused token no longer reads as a network failure.
func TestPortalFaultsInBothLanguages(t *testing.T) {
	ctx := context.Background()
	statusShow := func(status int, contentType, body string) ckantest.Fault {
		return ckantest.FailTimes("status_show", 1000, status, contentType, body, nil)
	}
	cases := []struct {
		name  string
		fault ckantest.Fault
		opts  ckantest.Options
		flags []string
		token bool
		fr    []string
		en    []string
	}{
		{name: "HTML page", fault: statusShow(200, "text/html", "<html><head><title>Bienvenue sur le portail</title></head><body>…</body></html>"),
			fr: []string{"/api/3/action/status_show n'est pas une API d'actions CKAN (HTTP 200 : page HTML « Bienvenue sur le portail »)", "vérifiez --portal : ce doit être la racine du site CKAN"},
			en: []string{`/api/3/action/status_show is not a CKAN action API (HTTP 200: HTML page "Bienvenue sur le portail")`, "check --portal: it must be the CKAN site root"}},
		{name: "empty answer", fault: statusShow(200, "application/json", ""),
			fr: []string{"n'est pas une API d'actions CKAN (HTTP 200 : réponse vide)"},
			en: []string{"is not a CKAN action API (HTTP 200: empty answer)"}},
		{name: "not JSON", fault: statusShow(200, "text/plain", "hello from the proxy"),
			fr: []string{"(HTTP 200 : la réponse n'est pas du JSON : « hello from the proxy »)"},
			en: []string{`(HTTP 200: answer is not JSON: "hello from the proxy")`}},
		{name: "no envelope", fault: statusShow(200, "application/json", `{"version": 3}`),
			fr: []string{"(HTTP 200 : le JSON n'a pas l'enveloppe de CKAN (success/result))"},
			en: []string{"(HTTP 200: JSON has no CKAN envelope (success/result))"}},
		{name: "refused token", token: true,
			fault: statusShow(403, "application/json", `{"success": false, "error": {"__type": "Authorization Error", "message": "Access denied"}}`),
			fr: []string{"le portail refuse l'accès à ", "/api/3/action/status_show (HTTP 403) : Authorization Error Access denied",
				"vérifiez le jeton d'API (VIGIE_API_TOKEN ou --token-file)"},
			en: []string{"the portal refuses access to ", "/api/3/action/status_show (HTTP 403): Authorization Error Access denied",
				"check the API token (VIGIE_API_TOKEN or --token-file)"}},
		{name: "refused behind a proxy", fault: statusShow(401, "text/html", "<html><title>Connexion requise</title></html>"),
			fr: []string{"(HTTP 401) : page HTML « Connexion requise »", "sans jeton, ce portail n'est peut-être pas public"},
			en: []string{`(HTTP 401): HTML page "Connexion requise"`, "without a token, this portal may not be public"}},
		{name: "answer too large", flags: []string{"--max-response", "2000"},
			fr: []string{"package_search (à partir de 0) : package_search : HTTP 200 : réponse de plus de 2\u202f000 octets", "baissez --rows, ou relevez --max-response"},
			en: []string{"package_search (start 0): package_search: HTTP 200: answer larger than 2,000 bytes", "lower --rows, or raise --max-response"}},
		{name: "paging ignored", opts: ckantest.Options{RowsMax: 5, IgnoreStart: true},
			fr: []string{"package_search à partir de 5 : le portail ne tient pas compte de la pagination (start) : il a renvoyé deux fois la même page"},
			en: []string{"package_search at start 5: the portal ignores paging (start): it returned the same page twice"}},
	}
	for _, c := range cases {
		p, srv := genPortal(t, 12, c.opts, ckantest.GenOptions{Orgs: 2})
		if c.fault != nil {
			p.Inject(c.fault)
		}
		for _, lang := range []string{"fr", "en"} {
			db := filepath.Join(t.TempDir(), "vigie.db")
			if c.token {
				t.Setenv("VIGIE_API_TOKEN", "tok-0123456789abcdef0123456789abcdef")
			} else {
				t.Setenv("VIGIE_API_TOKEN", "")
			}
			args := append([]string{"--lang", lang, "harvest", "--quiet", "--rate", "0", "--db", db, "--portal", srv.URL}, c.flags...)
			code, out, errs := cli(ctx, args...)
			line := strings.TrimSpace(errs)
			if code != ExitFailure || out != "" || strings.Count(line, "\n") != 0 || !strings.HasPrefix(line, "vigie: ") {
				t.Errorf("%s (%s): exit %d, stdout %q, stderr %q", c.name, lang, code, out, errs)
				continue
			}
			want := c.fr
			if lang == "en" {
				want = c.en
			}
			for _, w := range want {
				if !strings.Contains(line, w) {
					t.Errorf("%s (%s): %q lacks %q", c.name, lang, line, w)
				}
			}
			if lang == "fr" {
				// The portal's own words are quoted (« », parentheses): what
				// is left is vigie's, and French.
				if w := englishWord(strings.NewReplacer("Authorization Error Access denied", "", "hello from the proxy", "").Replace(line)); w != "" {
					t.Errorf("%s: the French line holds the English word %q: %s", c.name, w, line)
				}
			}
			if strings.Contains(line, "tok-0123456789") {
				t.Errorf("%s (%s): the token reached the error: %s", c.name, lang, line)
			}
			t.Logf("%s (%s): %s", c.name, lang, line)
		}
	}
}

// A portal that answers broken JSON mid-listing (a connection cut short)
// is retried, then fails with the parser's complaint in French too.
func TestTruncatedAnswerInFrench(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(ckantest.TruncatedJSON))
	}))
	t.Cleanup(srv.Close)
	c, err := harvester.NewClient(srv.URL, harvester.ClientOptions{Retries: -1, AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Call(context.Background(), "package_search", nil)
	if err == nil {
		t.Fatal("a truncated answer was accepted")
	}
	fr, en := errorText("fr", err), errorText("en", err)
	for _, c := range []struct{ got, want string }{
		{fr, "package_search : HTTP 200 : JSON incomplet ou invalide de " + srv.URL + "/api/3/action/package_search : le JSON s'arrête avant sa fin"},
		{en, "package_search: HTTP 200: incomplete or invalid JSON from " + srv.URL + "/api/3/action/package_search: unexpected end of JSON input"},
	} {
		if !strings.Contains(c.got, c.want) {
			t.Errorf("%q lacks %q", c.got, c.want)
		}
	}
	if w := englishWord(fr); w != "" {
		t.Errorf("the French line holds the English word %q: %s", w, fr)
	}
}

// Report folders that cannot be written: a CSV folder under a file, an
// audit whose "latest" is a real folder. One line each, French in French.
func TestReportFolderMistakesInBothLanguages(t *testing.T) {
	ctx := context.Background()
	_, srv := genPortal(t, 8, ckantest.Options{}, ckantest.GenOptions{Orgs: 2})
	dir := t.TempDir()
	db := filepath.Join(dir, "vigie.db")
	if code, _, errs := cli(ctx, "audit", "--quiet", "--rate", "0", "--db", db, "--portal", srv.URL, "--out", filepath.Join(dir, "first"), "--allow-private"); code != 0 {
		t.Fatalf("audit: %s", errs)
	}
	file := filepath.Join(dir, "a-file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "audits")
	if err := os.MkdirAll(filepath.Join(out, "latest"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		args   []string
		fr, en string
	}{
		{"csv folder under a file", []string{"report", "--format", "csv", "--out", filepath.Join(file, "csv")},
			"impossible de créer le dossier " + filepath.Join(file, "csv") + " : ce n'est pas un dossier",
			"cannot create folder " + filepath.Join(file, "csv") + ": not a directory"},
		{"latest is a folder", []string{"audit", "--quiet", "--rate", "0", "--out", out, "--allow-private"},
			filepath.Join(out, "latest") + " existe et n'est pas un lien symbolique : déplacez-le pour que « latest » puisse désigner le dernier audit",
			filepath.Join(out, "latest") + " exists and is not a symbolic link: move it aside so 'latest' can point at the newest audit"},
	} {
		for _, lang := range []string{"fr", "en"} {
			args := append([]string{"--lang", lang, "--db", db, "--portal", srv.URL}, c.args...)
			code, _, errs := cli(ctx, args...)
			lines := strings.Split(strings.TrimSpace(errs), "\n")
			line := lines[len(lines)-1] // an audit logs its failed stage first
			want := c.fr
			if lang == "en" {
				want = c.en
			}
			if code != ExitFailure || !strings.HasPrefix(line, "vigie: ") || !strings.Contains(line, want) {
				t.Errorf("%s (%s): exit %d, %q lacks %q", c.name, lang, code, line, want)
			}
			if w := englishWord(line); lang == "fr" && w != "" {
				t.Errorf("%s: the French line holds the English word %q: %s", c.name, w, line)
			}
		}
	}
}

// A dump whose values are not what vigie reads: one line in the reader's
// language, the value's number and why.
func TestDumpMistakesInBothLanguages(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, c := range []struct {
		name, body, fr, en string
	}{
		{"no id nor name", `{"foo": 1}`, "valeur 1 : ce n'est pas un dict de jeu CKAN : il n'a ni id ni name",
			"value 1: not a CKAN package dict: it has neither id nor name"},
		{"resources not a list", `{"id": "a"}` + "\n" + `{"id": "b", "resources": 3}`, "valeur 2 : jeu b : resources n'est pas une liste d'objets",
			"value 2: package b: resources is not a list of objects"},
		{"broken JSON", `{"id": "a", "name": tru}`, "la valeur 1 n'est pas du JSON valide : caractère « } » inattendu dans le littéral true (« e » attendu)",
			"value 1 is not valid JSON: invalid character '}' in literal true (expecting 'e')"},
	} {
		file := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".jsonl")
		if err := os.WriteFile(file, []byte(c.body+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		for _, lang := range []string{"fr", "en"} {
			db := filepath.Join(t.TempDir(), "vigie.db")
			code, _, errs := cli(ctx, "--lang", lang, "harvest", "--quiet", "--from", file, "--db", db, "--portal", "https://portal.example")
			line := strings.TrimSpace(errs)
			want := c.fr
			if lang == "en" {
				want = c.en
			}
			if code != ExitFailure || strings.Count(line, "\n") != 0 || !strings.Contains(line, want) {
				t.Errorf("%s (%s): exit %d, %q lacks %q", c.name, lang, code, line, want)
			}
			if w := englishWord(line); lang == "fr" && w != "" {
				t.Errorf("%s: the French line holds the English word %q: %s", c.name, w, line)
			}
		}
	}
}
