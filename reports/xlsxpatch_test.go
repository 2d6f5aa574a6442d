package reports

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// URLs longer than HYPERLINK's 255 characters stay clickable through a
// hyperlink relationship; every sheet states its real dimension.
func TestXLSXLongLinksAndDimensions(t *testing.T) {
	r := sampleReport("fr")
	long := "https://files.example/telechargement?" + strings.Repeat("param=valeur&", 30) + "fin=1"
	if len(long) <= 255 {
		t.Fatal("the test URL is too short")
	}
	r.Links = append(r.Links, Link{URL: long, Class: "broken", Status: 404, Reason: "404"})
	data := write(t, XLSX{}, r)
	f := openXLSX(t, data)
	sh := SheetNames("fr")[4]
	rows, _ := f.GetRows(sh)
	var ref string
	for i, row := range rows {
		if len(row) > 0 && row[0] == long {
			ref = "A" + itoa(i+1)
		}
	}
	if ref == "" {
		t.Fatalf("the long URL is not in the %s sheet", sh)
	}
	ok, target, err := f.GetCellHyperLink(sh, ref)
	if err != nil || !ok || target != long {
		t.Fatalf("%s!%s: hyperlink %v %q %v, want a link to the long URL", sh, ref, ok, target, err)
	}
	// A short URL keeps its HYPERLINK formula.
	if fm, _ := f.GetCellFormula(sh, "A2"); !strings.HasPrefix(fm, "HYPERLINK(") && rows[1][0] != long {
		t.Errorf("short link formula %q", fm)
	}
	// Dimensions: the used range of each sheet, not "A1".
	parts := map[string]string{}
	zr, _ := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			rc, _ := zf.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			parts[zf.Name] = string(b)
		}
	}
	dim := regexp.MustCompile(`<dimension ref="([^"]+)"`)
	for i, name := range SheetNames("fr") {
		rows, _ := f.GetRows(name)
		cols := 0
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		part := "xl/worksheets/sheet" + itoa(i+1) + ".xml"
		m := dim.FindStringSubmatch(parts[part])
		if m == nil {
			t.Errorf("%s (%s): no dimension", name, part)
			continue
		}
		lastCol := ""
		if cols > 0 {
			lastCol = colName(cols)
		}
		if want := "A1:" + lastCol + itoa(len(rows)); len(rows) > 1 && m[1] != want && !strings.HasSuffix(m[1], itoa(len(rows))) {
			t.Errorf("%s: dimension %s, want %s", name, m[1], want)
		}
		if len(rows) > 1 && m[1] == "A1" {
			t.Errorf("%s: dimension still A1 for %d rows", name, len(rows))
		}
	}
	// The workbook is still well formed and its cells inert.
	xlsxCellsInert(t, data)
}

func itoa(i int) string { return strconv.Itoa(i) }

func colName(n int) string {
	s := ""
	for n > 0 {
		n--
		s = string(rune('A'+n%26)) + s
		n /= 26
	}
	return s
}

// The same report gives the same [Content_Types].xml every time, its
// defaults in order, none lost: excelize lists them from a map.
func TestXLSXContentTypesStable(t *testing.T) {
	r := sampleReport("fr")
	first := zipPart(t, write(t, XLSX{}, r), "[Content_Types].xml")
	defs := contentDefault.FindAllString(first, -1)
	if len(defs) < 10 {
		t.Fatalf("%d defaults in %s", len(defs), first)
	}
	if !sort.StringsAreSorted(defs) {
		t.Errorf("defaults not in order: %q", defs)
	}
	for _, ext := range []string{`"rels"`, `"xml"`, `"png"`} {
		if !strings.Contains(first, `<Default Extension=`+ext) {
			t.Errorf("no default for %s in %s", ext, first)
		}
	}
	for i := 0; i < 8; i++ {
		if got := zipPart(t, write(t, XLSX{}, r), "[Content_Types].xml"); got != first {
			t.Fatalf("write %d:\n%s\nfirst:\n%s", i+2, got, first)
		}
	}
}

func TestSortContentDefaults(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<Types><Default Extension="xml" ContentType="a"></Default><Default Extension="bmp" ContentType="b"/><Override PartName="/x"/></Types>`,
			`<Types><Default Extension="bmp" ContentType="b"/><Default Extension="xml" ContentType="a"></Default><Override PartName="/x"/></Types>`},
		// Defaults apart from each other are left where they are.
		{`<Types><Default Extension="xml"/><Override PartName="/x"/><Default Extension="bmp"/></Types>`,
			`<Types><Default Extension="xml"/><Override PartName="/x"/><Default Extension="bmp"/></Types>`},
		{`<Types><Default Extension="xml"/></Types>`, `<Types><Default Extension="xml"/></Types>`},
		{``, ``},
	} {
		if got := string(sortContentDefaults([]byte(tc.in))); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
