package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/internal/storetest"
)

// A mean score reads the same wherever it is printed: the score summary,
// the audit line, the gate's reason, diff's mean row, the Markdown and HTML
// reports' indicators and the orgs listing all give it with one decimal,
// rounded as the JSON report stores it. The score summary once wrote one
// decimal ("79,6") while the audit line and the gate wrote two ("85,05").
func TestMeanScoresShareOnePrecision(t *testing.T) {
	ctx := context.Background()
	_, srv := genPortal(t, 40, ckantest.Options{}, ckantest.GenOptions{Orgs: 5, Now: time.Now().UTC().Add(-24 * time.Hour)})
	db := storetest.NewDSN(t)
	dir := t.TempDir()
	g := []string{"--db", db, "--portal", srv.URL}
	run := func(args ...string) (string, string) {
		t.Helper()
		code, out, errs := cli(ctx, append(append([]string{}, g...), args...)...)
		if code != ExitOK && code != ExitGate {
			t.Fatalf("vigie %s: exit %d %s", strings.Join(args, " "), code, errs)
		}
		return out, errs
	}
	run("harvest", "--rate", "0", "-q")
	for _, lang := range []string{"fr", "en"} {
		label, cell := "score global moyen ", `[0-9]+(?:[,.][0-9]+)?` // scores are under 1,000
		if lang == "en" {
			label = "mean overall "
		}
		meanRE := regexp.MustCompile(`(?:` + label + `|score global moyen |mean overall score )(` + cell + `)`)
		// report reads the latest score run's JSON report: its means,
		// rounded as the reports store them.
		report := func() (overall string, orgs map[string]string) {
			t.Helper()
			jsonPath := filepath.Join(dir, lang+".json")
			run("--lang", lang, "report", "--out", jsonPath)
			var rep struct {
				Summary struct {
					Scores struct{ Overall *float64 } `json:"scores"`
				} `json:"summary"`
				Organizations []struct {
					Name   string                     `json:"name"`
					Scores struct{ Overall *float64 } `json:"scores"`
				} `json:"organizations"`
			}
			b, err := os.ReadFile(jsonPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &rep); err != nil || rep.Summary.Scores.Overall == nil || len(rep.Organizations) == 0 {
				t.Fatalf("report JSON: %v %s", err, b[:min(len(b), 300)])
			}
			orgs = map[string]string{}
			for _, o := range rep.Organizations {
				if o.Scores.Overall != nil {
					orgs[o.Name] = l10n.Float(*o.Scores.Overall, 1, lang)
				}
			}
			return l10n.Float(*rep.Summary.Scores.Overall, 1, lang), orgs
		}
		check := func(what, text, want string) {
			t.Helper()
			if m := meanRE.FindStringSubmatch(text); m == nil || m[1] != want {
				t.Errorf("%s (%s): mean %q in %q, want %s as the report stores it", what, lang, m, text, want)
			}
		}

		scoreOut, _ := run("--lang", lang, "score")
		want, _ := report()
		check("score", scoreOut, want)

		auditOut, auditErr := run("--lang", lang, "audit", "--rate", "0", "--allow-private", "--out", filepath.Join(dir, lang), "--fail-under", "100", "-q")
		want, orgMeans := report()
		check("audit", auditOut, want)
		check("gate", auditErr, want)
		diffOut, _ := run("--lang", lang, "diff")
		// Its heading numbers the runs as the language does: "n° 1" in French.
		if head := map[string]string{"fr": "Évaluation n° ", "en": "Score run #"}[lang]; !strings.HasPrefix(diffOut, head) || lang == "fr" && strings.Contains(strings.SplitN(diffOut, "\n", 2)[0], "#") {
			t.Errorf("diff (%s) heading: %q", lang, strings.SplitN(diffOut, "\n", 2)[0])
		}
		ind := map[string]string{"fr": "Score global moyen", "en": "Mean overall score"}[lang]
		if !regexp.MustCompile(regexp.QuoteMeta(ind) + ` +\S+ +` + regexp.QuoteMeta(want) + `\n`).MatchString(diffOut) {
			t.Errorf("diff (%s): no mean row ending in %s:\n%s", lang, want, diffOut)
		}
		md, _ := run("--lang", lang, "report", "--format", "md")
		if !strings.Contains(md, " (/100) | "+want+" |") {
			t.Errorf("md report (%s): the mean overall indicator is not %s", lang, want)
		}
		htmlPath := filepath.Join(dir, lang+".html")
		run("--lang", lang, "report", "--out", htmlPath)
		hb, err := os.ReadFile(htmlPath)
		if err != nil {
			t.Fatal(err)
		}
		html := string(hb)
		if !strings.Contains(html, ">"+want+"<") {
			t.Errorf("html report (%s): no card holding %s", lang, want)
		}
		orgs, _ := run("--lang", lang, "orgs")
		for name, w := range orgMeans {
			if !regexp.MustCompile(`(?m)^.*  ` + regexp.QuoteMeta(name) + `  .*  ` + regexp.QuoteMeta(w) + `  `).MatchString(orgs) {
				t.Errorf("orgs (%s): %s's mean overall is not %s:\n%s", lang, name, w, orgs)
			}
		}
	}
}
