package reports

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The link indicator is computed over checked URLs only, and every format
// says over how many: 5 checked of 10 (50 %), 3 of the 4 not unsure working.
func TestLinkIndicatorCoverageInEveryFormat(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		r := sampleReport(lang)
		ind := indicator(t, r, "links_working")
		if ind.Value == nil || *ind.Value != 75 || ind.Coverage == nil || ind.Coverage.Checked != 5 || ind.Coverage.Total != 10 ||
			ind.Coverage.Percent == nil || *ind.Coverage.Percent != 50 {
			t.Fatalf("%s: links_working %+v coverage %+v", lang, ind, ind.Coverage)
		}
		want := map[string]string{"fr": "couverture : 5 URL vérifiées sur 10 (50\u202f%)", "en": "coverage: 5 of 10 URLs checked (50%)"}[lang]
		if !strings.Contains(ind.Note, want) {
			t.Fatalf("%s note %q lacks %q", lang, ind.Note, want)
		}
		for _, w := range []Writer{Markdown{}, HTML{}} {
			if out := write(t, w, r); !bytes.Contains(out, []byte(want)) {
				t.Errorf("%s %T lacks the coverage", lang, w)
			}
		}
		var doc struct {
			Commitment []Indicator `json:"commitment"`
		}
		if err := json.Unmarshal(write(t, JSON{}, r), &doc); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, i := range doc.Commitment {
			found = found || i.Key == "links_working" && i.Coverage != nil && i.Coverage.Total == 10
		}
		if !found {
			t.Errorf("%s json: no coverage in %+v", lang, doc.Commitment)
		}
		dir := filepath.Join(t.TempDir(), "csv")
		if err := (&CSV{}).WriteDir(context.Background(), dir, r); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "indicators.csv")); !bytes.Contains(b, []byte(want)) {
			t.Errorf("%s indicators.csv lacks the coverage", lang)
		}
		f := openXLSX(t, write(t, XLSX{}, r))
		rows, err := f.GetRows(T(lang, "summary"))
		if err != nil {
			t.Fatal(err)
		}
		inXLSX := false
		for _, row := range rows {
			inXLSX = inXLSX || strings.Contains(strings.Join(row, "|"), want)
		}
		if !inXLSX {
			t.Errorf("%s xlsx summary lacks the coverage", lang)
		}
	}
}

// Landing pages and long redirect chains are listed in every format.
func TestLandingPagesAndRedirectsInEveryFormat(t *testing.T) {
	const landing, chain = "http://files.example/page-at-csv", "http://files.example/three-hops.csv"
	for _, lang := range []string{"fr", "en"} {
		r := sampleReport(lang)
		use := []LinkUse{{Name: "formula-ds", Title: "t", Organization: "ville-a"}}
		r.Links = append(r.Links,
			Link{URL: landing, Class: "ok", Status: 200, LandingPage: true, Datasets: use},
			Link{URL: chain, Class: "ok", Status: 200, Redirects: 3, FinalURL: "http://files.example/final.csv", Datasets: use})
		for _, w := range []Writer{Markdown{}, HTML{}, JSON{}} {
			out := write(t, w, r)
			if !bytes.Contains(out, []byte(landing)) || !bytes.Contains(out, []byte(chain)) {
				t.Errorf("%s %T does not list the landing page and the redirect chain", lang, w)
			}
		}
		if md := string(write(t, Markdown{}, r)); !strings.Contains(md, T(lang, "landing_redirects")) || !strings.Contains(md, "| "+T(lang, "landing_page")+" |") {
			t.Errorf("%s markdown lacks the landing page section", lang)
		}
		dir := filepath.Join(t.TempDir(), "csv")
		if err := (&CSV{}).WriteDir(context.Background(), dir, r); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(filepath.Join(dir, "links.csv"))
		if !bytes.Contains(b, []byte(landing)) || !bytes.Contains(b, []byte("final.csv")) {
			t.Errorf("%s links.csv lacks them", lang)
		}
		f := openXLSX(t, write(t, XLSX{}, r))
		rows, err := f.GetRows(T(lang, "links"))
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, row := range rows {
			if len(row) > 0 && (row[0] == landing || row[0] == chain) {
				found++
			}
		}
		if found != 2 {
			t.Errorf("%s xlsx links sheet has %d of the 2", lang, found)
		}
	}
}
