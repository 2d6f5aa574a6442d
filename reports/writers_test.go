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
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

func write(t *testing.T, w Writer, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(context.Background(), &buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestNeutralise(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"=1+2", "'=1+2"},
		{"+33 1", "'+33 1"},
		{"-x", "'-x"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "' =1"},
		{"\r=1", "' =1"},
		{"a\x00b\x1bc", "a b c"},
		{"line\nbreak", "line break"},
		{"bidi\u202eevil", "bidievil"},
		{" =1+1", "' =1+1"},
		{"\n=1+1", "' =1+1"},
		{"\x00=1+1", "' =1+1"},
		{"\u200b=1+1", "'\u200b=1+1"},
		{"\ufeff@SUM(A1)", "'\ufeff@SUM(A1)"},
		{"\uff1d1+1", "'\uff1d1+1"},
		{"\uff0b1", "'\uff0b1"},
		{"\uff0d1", "'\uff0d1"},
		{"\uff20x", "'\uff20x"},
		{"\u22121", "'\u22121"},
		{"  plain", "  plain"},
		{"\u200fmark", "mark"},
		{"", ""},
	}
	for _, c := range cases {
		if got := Neutralise(c.in, true); got != c.want {
			t.Errorf("Neutralise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Neutralise("a\nb", false); got != "a\nb" {
		t.Errorf("multi-line cell lost its newline: %q", got)
	}
}

func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// findRow returns the 1-based row whose column col holds v, 0 when none.
func findRow(t *testing.T, f *excelize.File, sheet string, col int, v string) (int, []string) {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) > col && r[col] == v {
			return i + 1, r
		}
	}
	return 0, nil
}

func TestXLSX(t *testing.T) {
	r := sampleReport("fr")
	data := write(t, XLSX{}, r)
	f := openXLSX(t, data)
	names := SheetNames("fr")
	if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(names, "|") {
		t.Fatalf("sheets %q, want %q", got, names)
	}
	// The summary opens first, and only it is selected; streamed sheets
	// keep their frozen header row.
	if i := f.GetActiveSheetIndex(); i != 0 {
		t.Errorf("active sheet %d, want 0", i)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range names {
		name := "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml"
		zf, err := zr.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(zf)
		zf.Close()
		got := bytes.Contains(b, []byte(`tabSelected="1"`)) || bytes.Contains(b, []byte(`tabSelected="true"`))
		if got != (i == 0) {
			t.Errorf("%s: tab selected %v", name, got)
		}
	}
	ds := names[2]
	if p, err := f.GetPanes(ds); err != nil || !p.Freeze || p.YSplit != 1 {
		t.Errorf("datasets sheet panes %+v %v, want the header row frozen", p, err)
	}
	if v, _ := f.GetCellValue(ds, "A1"); v != "Nom" {
		t.Errorf("datasets header A1 = %q", v)
	}
	// The dataset whose title is a formula: neutralised, stored as text, not a formula.
	row, cells := findRow(t, f, ds, 0, "formula-ds")
	if row == 0 {
		t.Fatal("formula-ds not in the datasets sheet")
	}
	quoted := quotePrefixStyles(t, data)
	if style, _ := f.GetCellStyle(ds, "B"+strconv.Itoa(row)); cells[1] != evilFormula || !quoted[style] {
		t.Errorf("formula title = %q (style %d), want the text as it is, quote-prefixed", cells[1], style)
	}
	if fm, _ := f.GetCellFormula(ds, "B"+strconv.Itoa(row)); fm != "" {
		t.Errorf("title cell carries a formula %q", fm)
	}
	if cells[4] != "50" || cells[9] != "150" {
		t.Errorf("overall %q mqa %q, want numbers 50 and 150", cells[4], cells[9])
	}
	if typ, _ := f.GetCellType(ds, "E"+strconv.Itoa(row)); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("overall cell type %v, want a number", typ)
	}
	if fm, _ := f.GetCellFormula(ds, "D"+strconv.Itoa(row)); fm != `HYPERLINK("https://portal.example/recherche/dataset/formula-ds")` {
		t.Errorf("portal link formula = %q", fm)
	}
	if cells[11] != "frais" || cells[10] != "suffisante" {
		t.Errorf("codes not translated: status %q rating %q", cells[11], cells[10])
	}
	// Control characters do not reach the cell; the newline stays in a multi-line cell.
	_, cells = findRow(t, f, ds, 0, "budget")
	if cells[1] != "Budget annuel \n2025" {
		t.Errorf("budget title = %q", cells[1])
	}
	// Findings: message and hints neutralised.
	fs := names[3]
	_, cells = findRow(t, f, fs, 3, "RES-BROKEN")
	if cells == nil || cells[8] != evilFormula || cells[9] != "-1+2" || cells[6] != "r-1" {
		t.Errorf("finding row %q", cells)
	}
	if _, cells = findRow(t, f, fs, 3, "DQ-TAGS"); cells == nil || cells[9] != "@mention" {
		t.Errorf("finding row %q", cells)
	}
	// Frozen header, one table with filters, colour scale on the scores.
	for _, sh := range names[1:] {
		p, err := f.GetPanes(sh)
		if err != nil || !p.Freeze || p.YSplit != 1 {
			t.Errorf("%s: panes %+v %v", sh, p, err)
		}
	}
	tables, err := f.GetTables(ds)
	if err != nil || len(tables) != 1 || tables[0].Range != "A1:T4" { // up to the visibility column
		t.Errorf("datasets tables %+v %v", tables, err)
	}
	cf, err := f.GetConditionalFormats(ds)
	if err != nil || len(cf["E2:I4"]) != 1 || cf["E2:I4"][0].Type != "3_color_scale" {
		t.Errorf("conditional formats %+v %v", cf, err)
	}
	// Summary: indicators with their change, and four charts drawn from it.
	sum := names[0]
	irow, cells := findRow(t, f, sum, 0, T("fr", "ind_datasets"))
	if irow == 0 || cells[1] != "3" || cells[2] != "2" || cells[3] != "1" || cells[4] != "1200" {
		t.Errorf("datasets indicator row %q", cells)
	}
	if _, cells = findRow(t, f, sum, 0, T("fr", "ind_open_format")); cells == nil || cells[3] != "-16.7" {
		t.Errorf("open-format change %q, want a negative number", cells)
	}
	if _, cells = findRow(t, f, sum, 0, T("fr", "bad")); cells == nil || cells[1] != "1" {
		t.Errorf("ratings chart data %q", cells)
	}
	charts := xlsxCharts(t, write(t, XLSX{}, r))
	if len(charts) != 5 {
		t.Fatalf("%d charts, want 5", len(charts))
	}
	trend := false
	for _, c := range charts {
		if strings.Contains(c, "<a:t>Historique</a:t>") && strings.Contains(c, "'Historique'!$B$2:$B$3") {
			trend = true
		}
	}
	if !trend {
		t.Error("no history chart drawing from the history sheet")
	}
	for _, want := range []string{T("fr", "chart_ratings"), T("fr", "chart_fresh"), T("fr", "chart_stars"), T("fr", "chart_orgs")} {
		found := false
		for _, c := range charts {
			if strings.Contains(c, want) && strings.Contains(c, "'Sommaire'!$B$") {
				found = true
			}
		}
		if !found {
			t.Errorf("no chart titled %q drawing from the summary sheet", want)
		}
	}
}

func xlsxCharts(t *testing.T, b []byte) []string {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range z.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			rc, _ := f.Open()
			body, _ := io.ReadAll(rc)
			rc.Close()
			out = append(out, html.UnescapeString(string(body)))
		}
	}
	return out
}

func TestXLSXEnglish(t *testing.T) {
	f := openXLSX(t, write(t, XLSX{}, sampleReport("en")))
	if got := f.GetSheetList(); got[2] != "Datasets" || got[0] != "Summary" {
		t.Errorf("english sheets %q", got)
	}
	if v, _ := f.GetCellValue("Datasets", "E1"); v != "Overall" {
		t.Errorf("english header %q", v)
	}
}

// walk calls fn on every node under n.
func walk(n *html.Node, fn func(*html.Node)) {
	fn(n)
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, fn)
	}
}

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	})
	return b.String()
}

func TestHTMLSafeAndOffline(t *testing.T) {
	r := sampleReport("fr")
	out := write(t, HTML{}, r)
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	var scripts, jsonBlobs []string
	labelled := map[string]bool{}
	var controls []string
	walk(doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch n.Data {
		case "html":
			if l, _ := attr(n, "lang"); l != "fr" {
				t.Errorf("html lang = %q", l)
			}
		case "script":
			if typ, _ := attr(n, "type"); typ == "application/json" {
				jsonBlobs = append(jsonBlobs, textOf(n))
			} else {
				scripts = append(scripts, textOf(n))
			}
		case "img", "iframe", "object", "embed", "link":
			t.Errorf("unexpected <%s> element: portal text became markup or a resource is loaded", n.Data)
		case "label":
			if v, ok := attr(n, "for"); ok {
				labelled[v] = true
			}
		case "input", "select":
			id, _ := attr(n, "id")
			controls = append(controls, id)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") {
				t.Errorf("<%s> has an event handler attribute %s", n.Data, a.Key)
			}
			switch a.Key {
			case "src":
				t.Errorf("<%s src=%q>: the page must load nothing", n.Data, a.Val)
			case "href":
				if !strings.HasPrefix(a.Val, "#") && !strings.HasPrefix(a.Val, r.Portal) {
					t.Errorf("link to %q: only the portal's pages may be linked", a.Val)
				}
			}
		}
	})
	if len(scripts) != 1 || len(jsonBlobs) != 3 {
		t.Fatalf("%d scripts and %d JSON blobs, want 1 and 3", len(scripts), len(jsonBlobs))
	}
	if strings.Contains(scripts[0], "alert") {
		t.Error("portal text reached the executable script")
	}
	for _, id := range controls {
		if !labelled[id] {
			t.Errorf("form control %q has no label", id)
		}
	}
	// The hostile title is shown as text (organizations table) and carried intact in the data.
	if !strings.Contains(textOf(doc), evilTitle) {
		t.Error("the hostile title is not shown as plain text")
	}
	if bytes.Contains(out, []byte(`<script>alert`)) {
		t.Error("raw <script> from portal text in the page")
	}
	var rows [][]any
	if err := json.Unmarshal([]byte(jsonBlobs[1]), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][2] != evilTitle && rows[1][2] != evilTitle {
		t.Errorf("dataset rows %v", rows)
	}
	var strs []string
	if err := json.Unmarshal([]byte(jsonBlobs[2]), &strs); err != nil {
		t.Fatal(err)
	}
	if !contains(strs, evilFormula) || !contains(strs, "DQ-LICENCE") {
		t.Errorf("string table %q", strs)
	}
	// Rules, messages and hints are written once however often they occur.
	if n := strings.Count(jsonBlobs[2], `Choisissez une licence ouverte`); n != 1 {
		t.Errorf("hint written %d times", n)
	}
	// Accessible tables: header cells carry a scope.
	if bytes.Count(out, []byte(`<th scope="col"`)) < 20 {
		t.Error("column headers without scope")
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func TestHTMLEnglish(t *testing.T) {
	out := string(write(t, HTML{}, sampleReport("en")))
	if strings.Contains(out, "%!") {
		t.Error("a label was formatted with the wrong arguments")
	}
	for _, want := range []string{`<html lang="en">`, "Open data quality audit", "Publishing organizations", "&#43;1 since run 7"} {
		if !strings.Contains(out, want) {
			t.Errorf("english page lacks %q", want)
		}
	}
}

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(filepath.Join("..", "docs", "report.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestJSONMatchesSchema(t *testing.T) {
	sch := compileSchema(t)
	out := write(t, JSON{}, sampleReport("fr"))
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Fatalf("report does not match docs/report.schema.json: %v", err)
	}
	var doc struct {
		Portal   string
		Datasets []Dataset
		Links    []Link
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Datasets) != 3 || doc.Datasets[0].Title != evilTitle || len(doc.Datasets[0].Findings) != 3 {
		t.Fatalf("datasets %+v", doc.Datasets)
	}
	f := doc.Datasets[0].Findings[1]
	if f.Rule != "RES-BROKEN" || f.ResourceID != "r-1" || f.Points != 50 || f.Message != evilFormula {
		t.Errorf("finding %+v", f)
	}
	if doc.Datasets[2].Scores.Freshness != nil || doc.Datasets[2].Findings == nil {
		t.Errorf("unknown score must be null and no findings an empty list: %+v", doc.Datasets[2])
	}
	// A schema that is violated is caught: the test can fail.
	bad := bytes.Replace(out, []byte(`"freshness_status":"overdue"`), []byte(`"freshness_status":"stale"`), 1)
	v, _ = jsonschema.UnmarshalJSON(bytes.NewReader(bad))
	if sch.Validate(v) == nil {
		t.Error("the schema accepted an unknown freshness status")
	}
}

func TestCSVDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	r := sampleReport("fr")
	fr := CSVFor("fr")
	if err := fr.WriteDir(context.Background(), dir, r); err != nil {
		t.Fatal(err)
	}
	read := func(name string) [][]string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("\xEF\xBB\xBF")) {
			t.Errorf("%s has no BOM", name)
		}
		cr := csv.NewReader(bytes.NewReader(b[3:]))
		cr.Comma = ';'
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return recs
	}
	for _, name := range CSVFiles {
		if recs := read(name); len(recs) < 2 {
			t.Errorf("%s: %d records", name, len(recs))
		}
	}
	ds := read("datasets.csv")
	if strings.Join(ds[0][:5], ",") != "name,title,organization,url,overall" {
		t.Errorf("datasets header %q", ds[0])
	}
	if ds[2][1] != "'"+evilFormula || ds[3][1] != "Budget annuel  2025" {
		t.Errorf("titles %q / %q", ds[2][1], ds[3][1])
	}
	if ds[3][6] != "" || ds[3][4] != "87,5" {
		t.Errorf("unknown freshness must be empty and overall 87,5 (a French spreadsheet's number): %q", ds[3])
	}
	ind := read("indicators.csv")
	for _, rec := range ind {
		if rec[0] == "open_format" && rec[4] != "-16,7" {
			t.Errorf("a negative number was treated as a formula: %q", rec)
		}
	}
	if fs := read("findings.csv"); len(fs) != 5 || fs[2][8] != "'"+evilFormula {
		t.Errorf("findings %q", fs)
	}
	// Write alone gives the datasets table, comma-separated, no BOM.
	out := write(t, &CSV{}, r)
	if bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) || !bytes.HasPrefix(out, []byte("name,title,")) {
		t.Errorf("plain csv starts %q", out[:20])
	}
	if err := (&CSV{Sep: '|'}).WriteDir(context.Background(), dir, r); err == nil {
		t.Error("an unsupported separator was accepted")
	}
	if err := (&CSV{Sep: ',', Decimal: ','}).WriteDir(context.Background(), dir, r); err == nil {
		t.Error("a decimal comma inside comma-separated fields was accepted")
	}
	// English: RFC 4180 with dots.
	en := CSVFor("en")
	out = write(t, &en, r)
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil || bytes.HasPrefix(out, []byte("\xEF\xBB\xBF")) || recs[3][4] != "87.5" {
		t.Errorf("English csv: %v %q", err, recs)
	}
}

func TestMarkdown(t *testing.T) {
	// The commitment's heading only on the commitment's portal.
	if out := string(write(t, Markdown{}, sampleReport("fr"))); !strings.Contains(out, "## Indicateurs\n") || strings.Contains(out, "Démocratiser") {
		t.Errorf("another portal's indicators are headed with Québec's commitment:\n%s", out)
	}
	dq := sampleReport("fr")
	dq.commitmentPortal = true
	out := string(write(t, Markdown{}, dq))
	for _, want := range []string{"## Indicateurs de l'engagement « Démocratiser les données ouvertes »", "| Jeux de données publiés | 3 | 2 | +1 |",
		"| Avec une ressource en format ouvert (%) | 33,3 | 50 | -16,7 |", "## Les 10 organisations les plus faibles", "`DQ-LICENCE`"} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks %q:\n%s", want, out)
		}
	}
	weak := out[strings.Index(out, "## Les 10"):]
	if strings.Index(weak, "Ministère B") < strings.Index(weak, "| 2 |") {
		t.Error("weakest organization is not listed first")
	}
	if strings.Contains(out, "<script>") {
		t.Error("HTML from portal text left unescaped in markdown")
	}
	en := string(write(t, Markdown{}, sampleReport("en")))
	if !strings.Contains(en, "| Open-format") && !strings.Contains(en, "| With an open-format resource (%) | 33.3 | 50 | -16.7 |") {
		t.Errorf("english markdown:\n%s", en)
	}
}

func TestFormatFromPath(t *testing.T) {
	for in, want := range map[string]string{"a.xlsx": "xlsx", "A.HTML": "html", "x/y.json": "json", "r.md": "md", "out/": "csv", "out": "csv", "a.pdf": ""} {
		if got := FormatFromPath(in); got != want {
			t.Errorf("FormatFromPath(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := ForFormat("pdf", CSV{}); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestXLSXRowLimit(t *testing.T) {
	defer func(n int) { xlsxMaxRows = n }(xlsxMaxRows)
	xlsxMaxRows = 3 // header, one row, then the note
	f := openXLSX(t, write(t, XLSX{}, sampleReport("en")))
	rows, err := f.GetRows("Findings")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !strings.HasPrefix(rows[2][0], "… 3 more rows") {
		t.Errorf("rows past the limit: %q", rows)
	}
}

func TestPipelineStopsOnErrors(t *testing.T) {
	ctx := context.Background()
	produced := 0
	each := func(ctx context.Context, fn func([]any) error) error {
		for i := 0; i < 100_000; i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			produced++
			if err := fn([]any{i}); err != nil {
				return err
			}
		}
		return nil
	}
	got := 0
	err := pipeline(ctx, each, func(row []any) error {
		if row[0].(int) != got {
			return errors.New("out of order")
		}
		got++
		return nil
	})
	if err != nil || got != 100_000 {
		t.Fatalf("all rows: got %d, %v", got, err)
	}
	stop := errors.New("disk full")
	produced, got = 0, 0
	err = pipeline(ctx, each, func(row []any) error {
		if got++; got == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || produced == 100_000 {
		t.Errorf("writer error: %v after %d rows produced", err, produced)
	}
	bad := errors.New("database gone")
	err = pipeline(ctx, func(ctx context.Context, fn func([]any) error) error { _ = fn([]any{1}); return bad }, func([]any) error { return nil })
	if !errors.Is(err, bad) {
		t.Errorf("reader error: %v", err)
	}
}
