package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"
)

const evilName = `=1+1<script>alert(1)</script>`

func seededComparison(t *testing.T) *Comparison {
	t.Helper()
	db := seedStore(t, 40, 3, true)
	c, err := BuildComparison(context.Background(), db, CompareOptions{Lang: "fr", Now: seedNow,
		Portals: []PortalRef{{Name: evilName, URL: seedPortal, Baseline: 1200}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestBuildComparisonRowAndTrend(t *testing.T) {
	c := seededComparison(t)
	if len(c.Portals) != 1 {
		t.Fatalf("%d portals", len(c.Portals))
	}
	p := c.Portals[0]
	if p.Datasets != 40 || p.Publishers != 4 || p.Baseline == nil || *p.Baseline != 1200 || len(p.Trend) != 3 {
		t.Fatalf("row: %+v", p)
	}
	last := p.Trend[len(p.Trend)-1]
	if last.ScoreRun != p.ScoreRun.ID || *last.Scores.Overall != *p.Scores.Overall || *last.OpenLicence != *p.OpenLicence {
		t.Fatalf("the last trend point is the row: %+v vs %+v", last, p)
	}
	// Later runs open every tenth dataset's licence: the trend shows it.
	if !(*p.Trend[0].OpenLicence < *p.Trend[2].OpenLicence) || !p.Trend[0].Date.Before(p.Trend[2].Date) {
		t.Fatalf("trend: %+v", p.Trend)
	}
	if p.BrokenLinks == nil || *p.BrokenLinks == 0 || p.LinksOK == nil || *p.LinksOK >= 100 || p.MQARatings["excellent"]+p.MQARatings["good"]+p.MQARatings["sufficient"]+p.MQARatings["bad"] != 40 {
		t.Fatalf("links and ratings: %+v", p)
	}
}

func TestBuildComparisonUnscoredPortal(t *testing.T) {
	db := seedStore(t, 5, 1, false)
	ctx := context.Background()
	if _, err := db.EnsurePortal(ctx, "https://never.example"); err != nil {
		t.Fatal(err)
	}
	refs := []PortalRef{{Name: "seed", URL: seedPortal}, {Name: "never", URL: "https://never.example"}}
	_, err := BuildComparison(ctx, db, CompareOptions{Portals: refs})
	if !errors.Is(err, ErrNotScored) || !strings.Contains(err.Error(), "never") {
		t.Fatalf("err %v", err)
	}
	c, err := BuildComparison(ctx, db, CompareOptions{Portals: refs, SkipEmpty: true})
	if err != nil || len(c.Portals) != 1 {
		t.Fatalf("skip: %v", err)
	}
	if _, err := BuildComparison(ctx, db, CompareOptions{Portals: refs[1:], SkipEmpty: true}); !errors.Is(err, ErrNotScored) {
		t.Fatalf("none left: %v", err)
	}
}

func writeCmp(t *testing.T, c *Comparison, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteComparison(context.Background(), &b, c, format); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestComparisonJSONMatchesSchema(t *testing.T) {
	c := seededComparison(t)
	comp := jsonschema.NewCompiler()
	comp.AssertFormat()
	sch, err := comp.Compile(filepath.Join("..", "docs", "comparison.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	out := writeCmp(t, c, "json")
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("json does not match docs/comparison.schema.json: %v", err)
	}
	var back Comparison
	if err := json.Unmarshal(out, &back); err != nil || back.Portals[0].Name != evilName {
		t.Fatalf("%v %+v", err, back)
	}
	// The schema rejects what it must: an unknown field.
	bad := bytes.Replace(out, []byte(`"lang"`), []byte(`"extra": 1, "lang"`), 1)
	v, _ = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if sch.Validate(v) == nil {
		t.Fatal("schema accepts an unknown field")
	}
}

func TestComparisonHTMLIsOfflineEscapedWithCharts(t *testing.T) {
	c := seededComparison(t)
	out := string(writeCmp(t, c, "html"))
	for _, bad := range []string{"<script", "src=", `href="http`, "@import", "url("} {
		if strings.Contains(out, bad) {
			t.Errorf("html contains %q", bad)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;") {
		t.Error("portal name not escaped")
	}
	if n := strings.Count(out, "<svg "); n != 4 {
		t.Errorf("%d charts, want 4", n)
	}
	// Three runs: each chart has a line of three points.
	if !strings.Contains(out, `<path d="M`) || strings.Count(out, "<circle") != 12 {
		t.Errorf("lines: %d circles", strings.Count(out, "<circle"))
	}
	for _, want := range []string{"Comparaison des portails", "Score global moyen par évaluation", "Liens fonctionnels (%)", "Content-Security-Policy"} {
		if !strings.Contains(out, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	c.Lang = "en"
	if out := string(writeCmp(t, c, "html")); !strings.Contains(out, "Portal comparison") || !strings.Contains(out, `lang="en"`) {
		t.Error("english labels")
	}
}

func TestComparisonXLSXHasChartsAndNeutralisedText(t *testing.T) {
	c := seededComparison(t)
	out := writeCmp(t, c, "xlsx")
	zr, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 4 {
		t.Fatalf("%d charts, want 4", charts)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	// The formula-like name shows as it is, without an apostrophe: the cell
	// is text with a quote-prefix style (Excel's hidden "'"), not a formula.
	name, _ := f.GetCellValue("Portails", "A2")
	fm, _ := f.GetCellFormula("Portails", "A2")
	if style, _ := f.GetCellStyle("Portails", "A2"); name != evilName || fm != "" || !quotePrefixStyles(t, out)[style] {
		t.Errorf("formula-like name %q (formula %q, style %d): want the text as it is, quote-prefixed", name, fm, style)
	}
	// The address is a link.
	if ok, target, err := f.GetCellHyperLink("Portails", "B2"); !ok || target != seedPortal || err != nil {
		t.Errorf("B2 hyperlink %v %q %v, want %s", ok, target, err, seedPortal)
	}
	// Each sheet states its used range (excelize leaves "A1").
	zr2, _ := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	for part, want := range map[string]string{"xl/worksheets/sheet1.xml": "A1:U2", "xl/worksheets/sheet2.xml": "A1:N4"} {
		for _, zf := range zr2.File {
			if zf.Name == part {
				rc, _ := zf.Open()
				b, _ := io.ReadAll(rc)
				rc.Close()
				if !bytes.Contains(b, []byte(`<dimension ref="`+want+`"`)) {
					t.Errorf("%s: dimension %q, want %s", part, regexp.MustCompile(`<dimension ref="[^"]*"`).Find(b), want)
				}
			}
		}
	}
	rows, _ := f.GetRows("Évolution")
	if len(rows) != 4 {
		t.Errorf("trend rows: %d", len(rows))
	}
	if v, _ := f.GetCellValue("Portails", "E2"); v != "1200" {
		t.Errorf("baseline: %q", v)
	}
}

func TestComparisonCSVAndMarkdown(t *testing.T) {
	c := seededComparison(t)
	dir := t.TempDir()
	if err := WriteComparisonCSV(dir, c, CSV{Sep: ',', Decimal: '.'}); err != nil {
		t.Fatal(err)
	}
	read := func(name string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return recs
	}
	portals, trend := read("portals.csv"), read("trend.csv")
	if len(portals) != 2 || len(trend) != 4 || !strings.HasPrefix(portals[1][0], "'=") || portals[0][6] != "overall" {
		t.Fatalf("portals %v\ntrend %v", portals, trend)
	}
	md := string(writeCmp(t, c, "md"))
	if strings.Contains(md, "<script>") || !strings.Contains(md, "\\<script\\>") || strings.Count(md, "| #") != 4 {
		t.Fatalf("md:\n%s", md)
	}
}

func TestPerOrgBundle(t *testing.T) {
	db := seedStore(t, 24, 2, true)
	dir := filepath.Join(t.TempDir(), "orgs")
	b, err := WritePerOrg(context.Background(), db, PerOrgOptions{PortalURL: seedPortal, Dir: dir, Lang: "en", CSV: CSV{Sep: ',', Decimal: '.'}, Worst: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Orgs) != 4 {
		t.Fatalf("%d orgs", len(b.Orgs))
	}
	for _, e := range b.Orgs {
		if len(e.Files) != 3 || len(e.Worst) != 2 || len(e.Emails) != 1 || e.Emails[0] != "auteur@example.org" {
			t.Fatalf("entry %+v", e)
		}
		for _, f := range e.Files {
			if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Each publisher's report holds only its own datasets.
	first := b.Orgs[0]
	md, _ := os.ReadFile(filepath.Join(dir, first.Slug+".md"))
	for _, other := range b.Orgs[1:] {
		if strings.Contains(string(md), "Organisation "+other.Name) {
			t.Errorf("%s's report mentions %s", first.Name, other.Name)
		}
	}
	raw, _ := os.ReadFile(filepath.Join(dir, "contacts.csv"))
	recs, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil || len(recs) != 5 || strings.Join(recs[0], ",") != strings.Join(ContactsHeader, ",") {
		t.Fatalf("contacts: %v\n%s", err, raw)
	}
	if recs[1][2] != "auteur@example.org" || recs[1][8] != filepath.Join(dir, b.Orgs[0].Slug+".html") {
		t.Fatalf("contacts row: %v", recs[1])
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.html"))
	for _, e := range b.Orgs {
		if !strings.Contains(string(index), `href="`+e.Slug+`.html"`) {
			t.Errorf("index lacks %s", e.Slug)
		}
	}
	if strings.Contains(string(index), "<script") || !strings.Contains(string(index), "Reports per publisher") {
		t.Error("index page")
	}
}

func TestOrgSlugIsAFileName(t *testing.T) {
	used := map[string]bool{"index": true}
	for in, want := range map[string]string{"ville-de-laval": "ville-de-laval", "../../etc/passwd": "etc-passwd",
		"": "sans-organisation", "Ville de Québec": "ville-de-qu-bec", "index": "index-2"} {
		if got := uniqueSlug(orgSlug(in, "fr"), used); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}
