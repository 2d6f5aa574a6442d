package main

import (
	"context"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLanguagesAndNeutralProfile imports real bilingual payloads
// (open.canada.ca, opendata.swiss) and a title_fr/title_en dataset whose only
// contact is contact_email, scores them with the generic profile, and reads
// them as a user would: --lang en shows the English title where the portal
// has one, in listings, explain and reports; the keywords dict counts as
// keywords; contact_email is a contact; nothing speaks of Données Québec.
func TestLanguagesAndNeutralProfile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", "https://open.canada.ca/data", "--quiet"}
	pairs := filepath.Join(dir, "pairs.json")
	if err := os.WriteFile(pairs, []byte(`{"id":"pairs-1","name":"budget-bilingue","title_fr":"Budget des dépenses","title_en":"Estimates",
		"notes":"Dépenses prévues des ministères pour l'exercice, par programme et par crédit voté.","contact_email":"open-ouvert@tbs-sct.gc.ca",
		"license_id":"ca-ogl-lgo","organization":{"name":"tbs-sct","title":"Treasury Board"},"tags":[{"name":"budget"}],
		"state":"active","private":false,"resources":[{"id":"r1","name":"CSV","format":"CSV","url":"https://example.gc.ca/b.csv"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"../../testdata/real/open.canada.ca/package_show_fuel-consumption-ratings_2023-08.json",
		"../../testdata/real/opendata.swiss/package_show_reisen-der-schweizer-wohnbevolkerung-2019.json", pairs} {
		if code, _, errs := cli(ctx, append([]string{"harvest", "--from", f}, g...)...); code != 0 {
			t.Fatalf("harvest --from %s: %s", f, errs)
		}
	}
	if code, _, errs := cli(ctx, append([]string{"score", "--profile", "ckan"}, g...)...); code != 0 {
		t.Fatalf("score: %s", errs)
	}
	titles := func(lang string) map[string]string {
		code, out, errs := cli(ctx, append([]string{"datasets", "--format", "json", "--lang", lang}, g...)...)
		var rows []struct{ Name, Title string }
		if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil {
			t.Fatalf("datasets --lang %s: %v %s", lang, err, errs)
		}
		m := map[string]string{}
		for _, r := range rows {
			m[r.Name] = r.Title
		}
		return m
	}
	en, fr := titles("en"), titles("fr")
	const fuel, swiss = "98f1a129-f628-4ce4-b24d-6f16bf24dd64", "reisen-der-schweizer-wohnbevolkerung-2019" // open.canada names datasets by their id
	if en[fuel] != "Fuel consumption ratings" || fr[fuel] != "Cotes de consommation de carburant" {
		t.Errorf("open.canada title: en %q, fr %q", en[fuel], fr[fuel])
	}
	if en["budget-bilingue"] != "Estimates" || fr["budget-bilingue"] != "Budget des dépenses" {
		t.Errorf("title_fr/title_en: en %q, fr %q", en["budget-bilingue"], fr["budget-bilingue"])
	}
	if en[swiss] != fr[swiss] || !strings.HasPrefix(fr[swiss], "Voyages") {
		t.Errorf("opendata.swiss has no English title, en %q fr %q", en[swiss], fr[swiss])
	}

	// Reports in English show the English titles, in French the French ones.
	for lang, want := range map[string]string{"en": "Fuel consumption ratings", "fr": "Cotes de consommation de carburant"} {
		out := filepath.Join(dir, "r-"+lang+".json")
		if code, _, errs := cli(ctx, append([]string{"report", "--format", "json", "--out", out, "--lang", lang}, g...)...); code != 0 {
			t.Fatalf("report: %s", errs)
		}
		b, _ := os.ReadFile(out)
		var r struct {
			Datasets   []struct{ Name, Title string }
			Commitment []struct {
				Key  string
				Note string
			}
		}
		if err := json.Unmarshal(b, &r); err != nil {
			t.Fatal(err)
		}
		for _, d := range r.Datasets {
			if d.Name == fuel && d.Title != want {
				t.Errorf("report --lang %s: %q, want %q", lang, d.Title, want)
			}
		}
		if strings.Contains(string(b), "Québec") || strings.Contains(string(b), "1 200") || strings.Contains(string(b), "1,200") {
			t.Errorf("report --lang %s of open.canada.ca speaks of Données Québec or its baseline", lang)
		}
	}

	// The indicators' heading names Québec's commitment only on its portal.
	for _, lang := range []string{"fr", "en"} {
		for _, format := range []string{"md", "html"} {
			out := filepath.Join(dir, "r-"+lang+"."+format)
			if code, _, errs := cli(ctx, append([]string{"report", "--out", out, "--lang", lang}, g...)...); code != 0 {
				t.Fatalf("report %s: %s", format, errs)
			}
			b, _ := os.ReadFile(out)
			if s := string(b); strings.Contains(s, "Démocratiser") || strings.Contains(s, "Democratize") {
				t.Errorf("report --lang %s (%s) of open.canada.ca is headed with Québec's commitment", lang, format)
			}
		}
	}

	// A dataset that appears between two score runs is named in English by
	// diff --lang en.
	extra := filepath.Join(dir, "extra.json")
	if err := os.WriteFile(extra, []byte(`{"id":"pairs-2","name":"depenses-reelles","title_fr":"Dépenses réelles","title_en":"Actual spending",
		"organization":{"name":"tbs-sct"},"resources":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--from", extra}, g...)...); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := cli(ctx, append([]string{"score", "--profile", "ckan"}, g...)...); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := cli(ctx, append([]string{"diff", "--format", "md", "--lang", "en"}, g...)...)
	if code != 0 || !strings.Contains(out, "Actual spending") || strings.Contains(out, "Dépenses réelles") {
		t.Errorf("diff --lang en: %d %s\n%s", code, errs, out)
	}

	for _, name := range []string{fuel, swiss, "budget-bilingue"} {
		for _, lang := range []string{"fr", "en"} {
			code, out, errs := cli(ctx, append([]string{"explain", name, "--lang", lang}, g...)...)
			if code != 0 {
				t.Fatalf("explain %s: %s", name, errs)
			}
			if strings.Contains(out, "Québec") {
				t.Errorf("explain %s --lang %s (ckan profile) speaks of Québec:\n%s", name, lang, out)
			}
			if lang == "en" && name == fuel && !strings.Contains(out, "Dataset: Fuel consumption ratings") {
				t.Errorf("explain --lang en shows:\n%s", out)
			}
			for _, rule := range []string{"CKAN-CONTACT-MISSING", "CKAN-KEYWORDS-MISSING"} {
				if name != swiss && strings.Contains(out, rule) { // opendata.swiss's tags are there too, but check the other two
					t.Errorf("explain %s: %s although the dataset declares it:\n%s", name, rule, out)
				}
			}
		}
	}
}
