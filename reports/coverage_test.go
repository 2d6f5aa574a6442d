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
