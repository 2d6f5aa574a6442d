package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/quality"
	"github.com/vigie-audit/vigie/store"
)

// reportDB is a database with three harvested datasets, scored once unless
// scored is false.
func reportDB(t *testing.T, scored bool) string {
	t.Helper()
	path := linksDB(t, map[string][]string{
		"budget":   {"https://files.example/budget.csv"},
		"parcs":    {"https://files.example/parcs.json", "https://files.example/parcs.pdf"},
		"=formula": {"https://files.example/x.csv"},
	})
	if !scored {
		return path
	}
	ctx := context.Background()
	db := storetest.Open(t, path)
	p, err := db.Portal(ctx, linksPortal)
	if err != nil {
		t.Fatal(err)
	}
	run, err := db.BeginScoreRun(ctx, p.ID, "ckan")
	if err != nil {
		t.Fatal(err)
	}
	prof := quality.MustProfile("ckan")
	var as []vigie.Assessment
	for _, name := range []string{"budget", "parcs", "=formula"} {
		d := vigie.Dataset{ID: "id-" + name, Name: name, Title: name, Organization: "ville-de-quebec", LicenseID: "cc-by",
			Resources: []vigie.Resource{{ID: name + "-r", URL: "https://files.example/" + name + ".csv", Format: "CSV"}}}
		as = append(as, quality.Score(&d, nil, prof, time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)))
	}
	if err := db.SaveAssessments(ctx, run, as); err != nil {
		t.Fatal(err)
	}
	if err := db.FinishScoreRun(ctx, run, store.RunComplete, len(as), ""); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReportNothingScored(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	db := reportDB(t, false)
	code, _, stderr := vigieRun(context.Background(), "--db", db, "--portal", linksPortal, "report", "--format", "md")
	if code != ExitFailure || !strings.Contains(stderr, "run 'vigie score' (or 'vigie audit') first") || strings.Count(stderr, "\n") != 1 {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestReportFormats(t *testing.T) {
	ctx := context.Background()
	db := reportDB(t, true)
	dir := t.TempDir()
	base := []string{"--db", db, "--portal", linksPortal, "-q"}

	code, stdout, stderr := vigieRun(ctx, append(base, "report")...)
	if code != 0 || !strings.Contains(stdout, "## Indicateurs\n") || !strings.Contains(stdout, "| Jeux de données publiés | 3 |") {
		t.Fatalf("md to stdout: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = vigieRun(ctx, append(base, "--lang", "en", "report", "--format", "md")...)
	if code != 0 || !strings.Contains(stdout, "| Datasets published | 3 |") {
		t.Errorf("english md: exit %d\n%s", code, stdout)
	}

	xlsx := filepath.Join(dir, "audit.xlsx")
	if code, _, stderr = vigieRun(ctx, append(base, "report", "--out", xlsx)...); code != 0 {
		t.Fatalf("xlsx: exit %d %s", code, stderr)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	// Neutralised by the quote-prefix style: a text cell, no formula, shown as is.
	if v, _ := f.GetCellValue("Jeux de données", "A2"); v != "=formula" {
		t.Errorf("first dataset name cell %q, want the text as it is", v)
	}
	if fm, _ := f.GetCellFormula("Jeux de données", "A2"); fm != "" {
		t.Errorf("first dataset name cell carries a formula %q", fm)
	}
	if typ, _ := f.GetCellType("Jeux de données", "A2"); typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
		t.Errorf("first dataset name cell type %v, want a string", typ)
	}
	f.Close()

	csvDir := filepath.Join(dir, "csv")
	if code, _, stderr = vigieRun(ctx, append(base, "report", "--format", "csv", "--out", csvDir, "--bom", "--sep", ";")...); code != 0 {
		t.Fatalf("csv: exit %d %s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(csvDir, "datasets.csv"))
	if err != nil || !bytes.HasPrefix(b, []byte("\xEF\xBB\xBFname;title;")) {
		t.Errorf("datasets.csv starts %q (%v)", b[:min(len(b), 30)], err)
	}
	for _, name := range []string{"indicators.csv", "organizations.csv", "findings.csv", "links.csv", "history.csv"} {
		if _, err := os.Stat(filepath.Join(csvDir, name)); err != nil {
			t.Error(err)
		}
	}
	for _, format := range []string{"html", "json"} {
		out := filepath.Join(dir, "audit."+format)
		if code, _, stderr = vigieRun(ctx, append(base, "report", "--out", out)...); code != 0 {
			t.Fatalf("%s: exit %d %s", format, code, stderr)
		}
		if st, err := os.Stat(out); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", out, err)
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".vigie-report-*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestReportUsageErrors(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	db := reportDB(t, true)
	dir := t.TempDir()
	base := []string{"--db", db, "--portal", linksPortal}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "--out", filepath.Join(dir, "a.pdf")}, ExitUsage, "--format"},
		{[]string{"report", "--format", "html"}, ExitUsage, "--out is required"},
		{[]string{"report", "--format", "pdf"}, ExitUsage, "--format must be one of"},
		{[]string{"report", "--format", "csv", "--out", dir, "--sep", "|"}, ExitUsage, "--sep"},
		{[]string{"report", "--org", "nobody"}, ExitUsage, "nobody"},
		{[]string{"report", "--compare", "1999-01-01"}, ExitUsage, "--compare"},
	} {
		code, _, stderr := vigieRun(ctx, append(base, c.args...)...)
		if code != c.code || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", c.args, code, stderr, c.code, c.want)
		}
	}
}
