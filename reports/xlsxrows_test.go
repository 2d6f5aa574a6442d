package reports

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// excelizeRow is row 2 of a sheet holding cells, as excelize's StreamWriter
// writes it.
func excelizeRow(t *testing.T, cells []any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A2", cells); err != nil {
		t.Fatal(err)
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	sheet := zipPart(t, buf.Bytes(), "xl/worksheets/sheet1.xml")
	i, j := strings.Index(sheet, `<row r="2"`), strings.Index(sheet, `</sheetData>`)
	if i < 0 || j < i {
		t.Fatalf("no row 2 in %q", sheet)
	}
	return sheet[i:j]
}

// spooledRow is row 2 of cells as rowSpool writes it.
func spooledRow(t *testing.T, cells []any) string {
	t.Helper()
	s, err := newRowSpool(len(cells))
	if err != nil {
		t.Fatal(err)
	}
	defer s.remove()
	if err := s.row(2, cells); err != nil {
		t.Fatal(err)
	}
	return spoolText(t, s)
}

// spoolText is the XML of the rows a spool holds, inflated: its compressed
// rows followed by an empty last block, as the archive writer ends them.
func spoolText(t *testing.T, s *rowSpool) string {
	t.Helper()
	var z bytes.Buffer
	if err := s.copyTo(&z); err != nil {
		t.Fatal(err)
	}
	if err := deflatePiece(&z, nil, true); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(flate.NewReader(&z))
	if err != nil {
		t.Fatalf("the spool's rows do not inflate: %v", err)
	}
	return string(b)
}

func zipPart(t *testing.T, b []byte, name string) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			body, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return string(body)
		}
	}
	t.Fatalf("no %s in the archive", name)
	return ""
}

// trickyTexts are texts whose escaping differs from plain copying: XML's
// five, white space at the edges, control and invalid characters, broken
// UTF-8, _xHHHH_ sequences and their escapes, and texts past a cell's size.
var trickyTexts = []string{
	"", "plain", "Données Québec — été", `<script>alert("x")</script>`, "a & b", "l'eau", `"quoted"`, "a > b < c",
	" lead", "trail ", "\tTab", "nl\n", "\rcr", "in\nside", "two\n\nlines", "cr\r\nlf", "\x00nul", "bell\x07", "\x1f", "del\x7f",
	"bad\xffutf8", "\xed\xa0\x80surrogate", "\uFFFD", "\uFFFE", "\uFFFF", "\U0001F600 emoji", "\u2028\u2029",
	"_x0041_", "a_x0041_b", "_x005F_", "_x005F_x0041_", "_x005F_xD800_", "_x005F_x00", "_xD800_", "_xDFFF_x0041_", "_x12G4_",
	"__x0041__", "_x0041", "x0041_", "_X0041_", "_x004a_", "_x004A__x0042_", "&_x0041_<",
	strings.Repeat("a", 32767), strings.Repeat("a", 32768), strings.Repeat("é", 20000), strings.Repeat("\U0001F600", 9000),
	strings.Repeat("b", 32766) + "…", " " + strings.Repeat("c", 40000) + " ",
	"=SUM(A1)", evilFormula, evilTitle,
}

func TestRowSpoolWritesExcelizeBytes(t *testing.T) {
	var cases [][]any
	for _, s := range trickyTexts {
		cases = append(cases, []any{s, excelize.Cell{StyleID: 3, Value: s}})
		if strings.HasPrefix(s, "http") || len(s) < 300 {
			cases = append(cases, []any{excelize.Cell{StyleID: 2, Formula: "HYPERLINK(" + xlsxFormulaString(s) + ")", Value: s}})
		}
	}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 1.5, 0.1 + 0.2, 55.55, 99.95, 1e20, 1e21, 1e-7, 1e-20, 123456789012345678,
		1.2345678901234567, -9876543210.123456789, 1234567890123456.5, math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64,
		math.NaN(), math.Inf(1), math.Inf(-1)}
	for _, v := range floats {
		cases = append(cases, []any{excelize.Cell{StyleID: 4, Value: v}, excelize.Cell{Value: v}})
	}
	for _, v := range []int{0, 7, -42, math.MaxInt64, math.MinInt64} {
		cases = append(cases, []any{excelize.Cell{StyleID: 5, Value: v}})
	}
	cases = append(cases,
		[]any{nil, "b", nil, excelize.Cell{StyleID: 6}},
		[]any{"http://portal.example/dataset/x", excelize.Cell{StyleID: 2, Formula: `HYPERLINK("http://x/?a=1&b=<2>")`, Value: " http://x/?a=1&b=<2>\n"}},
		[]any{"—", excelize.Cell{StyleID: 1, Value: 3}, excelize.Cell{StyleID: 1, Value: 92.5}, "yes", "", "2d1b7a8c-0000-4e1a-9d5e-000000000001"},
	)
	// Random texts from the characters above.
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", "0", "_", "x", "F", "5", "é", "&", "<", ">", `"`, "'", "\t", "\n", "\r", " ", "\x01", "\xff", "\uFFFE", "\U0001F600", "_x0041_", "_x005F_"}
	for i := 0; i < 300; i++ {
		var b strings.Builder
		for n := rng.IntN(12); n > 0; n-- {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, []any{b.String(), excelize.Cell{StyleID: 3, Value: b.String()},
			excelize.Cell{StyleID: 2, Formula: "HYPERLINK(" + xlsxFormulaString(b.String()) + ")", Value: b.String()}})
	}
	for i, cells := range cases {
		want, got := excelizeRow(t, cells), spooledRow(t, cells)
		if got != want {
			t.Errorf("case %d %q:\n got %.300q\nwant %.300q", i, fmt.Sprint(cells), got, want)
		}
	}
}

func TestRowSpoolRefusesWhatItCannotWrite(t *testing.T) {
	s, err := newRowSpool(1)
	if err != nil {
		t.Fatal(err)
	}
	defer s.remove()
	for _, v := range []any{true, excelize.Cell{Formula: "A1", Value: 1.5}, []byte("x")} {
		if err := s.row(2, []any{v}); err == nil {
			t.Errorf("%#v was written", v)
		}
	}
}

// sheetParts are the workbook's parts by name, their archive order aside
// (excelize writes them in map order).
func sheetParts(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, f := range zr.File {
		out[f.Name] = zipPart(t, b, f.Name)
	}
	return out
}

// The workbook is the same, part for part, whether the big sheets' rows
// are spooled or written by excelize: hostile text, long links, and the
// note of rows cut at the row limit included.
func TestXLSXSpooledRowsSameWorkbook(t *testing.T) {
	defer func(on bool, n int) { spoolRows, xlsxMaxRows = on, n }(spoolRows, xlsxMaxRows)
	for _, tc := range []struct {
		name string
		r    *Report
		max  int
	}{
		{"sample", sampleReport("fr"), xlsxMaxRows},
		{"hostile", hostileReport("en"), xlsxMaxRows},
		{"cut", sampleReport("en"), 3},
	} {
		xlsxMaxRows = tc.max
		spoolRows = false
		want := sheetParts(t, write(t, XLSX{}, tc.r))
		spoolRows = true
		data := write(t, XLSX{}, tc.r)
		got := sheetParts(t, data) // each part's CRC-32 checked as it is read
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range zr.File { // spooled or not, every part has the same kind of header
			if f.Method != zip.Deflate || f.Flags != 0x8 || f.CreatorVersion != 20 || f.ReaderVersion != 20 || f.UncompressedSize64 != uint64(len(got[f.Name])) {
				t.Errorf("%s: %s: method %d, flags %#x, versions %d/%d, %d bytes (%d read)", tc.name, f.Name, f.Method, f.Flags,
					f.CreatorVersion, f.ReaderVersion, f.UncompressedSize64, len(got[f.Name]))
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d parts, want %d", tc.name, len(got), len(want))
		}
		rows := regexp.MustCompile(`<row `)
		for name, w := range want {
			if got[name] != w {
				t.Errorf("%s: %s differs:\n got %.2000s\nwant %.2000s", tc.name, name, got[name], w)
			}
		}
		if n := len(rows.FindAllString(got["xl/worksheets/sheet4.xml"], -1)); n < 2 {
			t.Errorf("%s: the findings sheet has %d rows", tc.name, n)
		}
	}
}

// Rows spooled over many blocks inflate to exactly the XML the rows make,
// with the length and CRC-32 the archive's header gets.
func TestRowSpoolDeflatesEveryBlock(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 18))
	rows := make([][]any, 6000)
	for i := range rows {
		text := strings.Repeat(fmt.Sprintf("jeu %d é <&> \t_x0041_ ", rnd.IntN(1e6)), 1+rnd.IntN(12))
		rows[i] = []any{text, excelize.Cell{StyleID: 3, Value: rnd.IntN(1000)}, nil, rnd.Float64() * 100, "https://x.example/" + text[:5]}
	}
	var want bytes.Buffer
	plain := &rowSpool{w: bufio.NewWriter(&want), cols: []string{"A", "B", "C", "D", "E"}}
	s, err := newRowSpool(5)
	if err != nil {
		t.Fatal(err)
	}
	defer s.remove()
	for i, r := range rows {
		if err := plain.row(i+2, r); err != nil {
			t.Fatal(err)
		}
		if err := s.row(i+2, r); err != nil {
			t.Fatal(err)
		}
	}
	plain.w.Flush()
	if want.Len() < 10*spoolBlock {
		t.Fatalf("only %d bytes of rows: too few to fill the blocks", want.Len())
	}
	clen, crc, size, err := s.compressed()
	if err != nil {
		t.Fatal(err)
	}
	if got := spoolText(t, s); got != want.String() {
		t.Fatalf("inflated rows differ from the rows (%d bytes, want %d)", len(got), want.Len())
	}
	if size != int64(want.Len()) || crc != crc32.ChecksumIEEE(want.Bytes()) {
		t.Errorf("spool says %d bytes, CRC %08x; the rows are %d bytes, CRC %08x", size, crc, want.Len(), crc32.ChecksumIEEE(want.Bytes()))
	}
	if fi, _ := s.f.Stat(); clen != fi.Size() || clen >= size/3 {
		t.Errorf("compressed length %d (file %d) for %d bytes", clen, fi.Size(), size)
	}
}

// A spool removed while rows are still being deflated (a sheet that
// failed, a cancelled report) stops its deflater and deletes its file.
func TestRowSpoolRemovedMidway(t *testing.T) {
	s, err := newRowSpool(1)
	if err != nil {
		t.Fatal(err)
	}
	name := s.f.Name()
	for i := range 20000 {
		if err := s.row(i+2, []any{strings.Repeat("x", 50)}); err != nil {
			t.Fatal(err)
		}
	}
	s.remove()
	select {
	case <-s.done:
	default:
		t.Fatal("the deflater still runs")
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("the spool's file is still there: %v", err)
	}
	s.remove() // twice is harmless
}

// crc32Combine gives the CRC-32 of the whole from those of its pieces.
func TestCRC32Combine(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	data := make([]byte, 1<<17)
	for i := range data {
		data[i] = byte(rnd.Uint32())
	}
	for _, n := range []int{0, 1, 2, 3, 7, 8, 255, 1 << 16, 1<<17 - 1, 1 << 17} {
		for _, cut := range []int{0, n / 3, n / 2, n} {
			a, b := data[:cut], data[cut:n]
			got := crc32Combine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b)))
			if want := crc32.ChecksumIEEE(data[:n]); got != want {
				t.Errorf("%d bytes cut at %d: %08x, want %08x", n, cut, got, want)
			}
		}
	}
}

// tableRow writes what row writes of the cells xlsxCell makes, for every
// kind of column and every kind of value a table gives.
func TestRowSpoolTableRowSameAsCells(t *testing.T) {
	st := &xlsxStyles{num1: 3, int0: 4, link: 7, quoted: 12}
	f, n := 12.25, 7
	long := "https://x.example/?" + strings.Repeat("a=1&", 70)
	values := []any{nil, (*float64)(nil), &f, math.NaN(), math.Inf(-1), 1e300, 0.1, 42, -3, (*int)(nil), &n, true,
		"", "plain", "=SUM(A1)", " -1", "\u2212 minus", "<b>&\"'</b>", "line\nbreak\t", "_x0041_ _x005F_x0041_", "bad\xff\x01",
		"https://x.example/a?b=\"c\"&d", "http://x.example", long, "ftp://x.example", "ok", "error", "not_a_code",
		strings.Repeat("é", 40000)}
	kinds := []int{kText, kCode, kInt, kNum, kURL}
	for _, lang := range []string{"fr", "en"} {
		for _, kind := range kinds {
			cols := make([]column, len(values))
			cells := make([]any, len(values))
			for i, v := range values {
				cols[i] = column{kind: kind}
				cells[i] = xlsxCell(kind, v, lang, st)
			}
			var want, got bytes.Buffer
			ws := &rowSpool{w: bufio.NewWriter(&want), cols: make([]string, len(values))}
			gs := &rowSpool{w: bufio.NewWriter(&got), cols: ws.cols}
			for i := range ws.cols {
				ws.cols[i], _ = excelize.ColumnNumberToName(i + 1)
			}
			if err := ws.row(5, cells); err != nil {
				t.Fatal(err)
			}
			if err := gs.tableRow(5, cols, values, lang, st); err != nil {
				t.Fatal(err)
			}
			ws.w.Flush()
			gs.w.Flush()
			if got.String() != want.String() {
				t.Errorf("kind %d, %s:\n got %.3000s\nwant %.3000s", kind, lang, got.String(), want.String())
			}
		}
	}
	// A date has no spooled form either way.
	gs := &rowSpool{w: bufio.NewWriter(io.Discard), cols: []string{"A"}}
	if err := gs.tableRow(2, []column{{kind: kText}}, []any{time.Now()}, "fr", st); err == nil {
		t.Error("a date was spooled")
	}
}
