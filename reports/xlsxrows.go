package reports

import (
	"bufio"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// The rows of the big sheets (datasets, findings: 1.1 million rows at
// 100,000 datasets) are written here rather than by excelize's
// StreamWriter.SetRow, which escaped every text cell through encoding/xml
// into a new string, then ran a regular expression over it and counted its
// UTF-16 length: about half of the xlsx writer's time. rowSpool writes the
// same bytes, cell for cell (xlsxrows_test.go holds them equal to
// excelize's), escaping in one pass, deflated into a temporary file as they
// come; the archive writer (xlsxpatch.go) puts them in the sheet before its
// </sheetData>, after the header row excelize wrote. It takes the values
// xlsxCell makes: nil, text, and excelize.Cell holding an int, a float64,
// text, or text with a formula. Dates stay with excelize (tables with a
// kTime column are not spooled).

// rowSpool holds a sheet's data rows until the archive is written, as the
// sheet XML compressed: a goroutine deflates the rows while they are made
// (on the core the writer leaves idle), and the archive writer puts the
// compressed rows between the sheet's head and tail, compressed on their own
// (one deflate stream in three pieces, each ended on a byte: see
// writeSpooled). At 100,000 datasets the spool held 633 MB of XML, written
// to a temporary file, read back and deflated after the rows were made: 3 s
// of system calls and 3 s of deflate one after the other on one core.
type rowSpool struct {
	f    *os.File
	w    *bufio.Writer // the rows' XML, handed to the deflater in blocks
	cols []string      // column letters
	num  []byte        // scratch for numbers

	blocks chan []byte   // filled blocks, to deflate
	free   chan []byte   // blocks deflated, to fill again
	done   chan struct{} // closed when the deflater has stopped
	failed atomic.Bool   // the deflater met an error: err says which
	err    error         // the deflater's error, read once done is closed
	crc    uint32        // CRC-32 of the rows' XML
	size   int64         // length of the rows' XML
}

// spoolBlock is the size of the blocks handed to the deflater, and
// spoolBlocks how many there are: the writer waits when all are full.
const (
	spoolBlock  = 1 << 16
	spoolBlocks = 4
)

func newRowSpool(ncols int) (*rowSpool, error) {
	f, err := os.CreateTemp("", "vigie-xlsx-rows-")
	if err != nil {
		return nil, err
	}
	s := &rowSpool{f: f, cols: make([]string, ncols),
		blocks: make(chan []byte, spoolBlocks), free: make(chan []byte, spoolBlocks), done: make(chan struct{})}
	for i := range s.cols {
		s.cols[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	for range spoolBlocks {
		s.free <- make([]byte, 0, spoolBlock)
	}
	s.w = bufio.NewWriterSize(spoolHandoff{s}, spoolBlock)
	go s.deflate()
	return s, nil
}

// spoolHandoff passes the writer's full buffers to the deflater.
type spoolHandoff struct{ s *rowSpool }

func (h spoolHandoff) Write(p []byte) (int, error) {
	s := h.s
	if s.failed.Load() {
		return 0, errSpoolFailed
	}
	b := append(<-s.free, p...)
	s.blocks <- b
	return len(p), nil
}

var errSpoolFailed = errors.New("the rows' temporary file could not be written")

// deflate compresses the blocks into the spool's file until blocks is
// closed, then ends the stream on a byte without ending it (a sync flush):
// the sheet's tail follows it in the archive.
func (s *rowSpool) deflate() {
	defer close(s.done)
	bw := bufio.NewWriterSize(s.f, 1<<16)
	fw, err := flate.NewWriter(bw, flate.BestSpeed)
	for b := range s.blocks {
		if err == nil {
			s.crc = crc32.Update(s.crc, crc32.IEEETable, b)
			s.size += int64(len(b))
			if _, err = fw.Write(b); err != nil {
				s.failed.Store(true)
			}
		}
		s.free <- b[:0]
	}
	if err == nil {
		err = fw.Flush()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		s.err = fmt.Errorf("the rows' temporary file: %w", err)
		s.failed.Store(true)
	}
}

// finish hands the last rows to the deflater and waits for it: the spool
// then holds all its rows, compressed. No row may be written after it.
func (s *rowSpool) finish() error {
	if s.blocks == nil {
		return s.err
	}
	err := s.w.Flush()
	close(s.blocks)
	<-s.done
	s.blocks = nil
	if s.err != nil {
		return s.err
	}
	return err
}

// remove stops the deflater and deletes the spool's file.
func (s *rowSpool) remove() {
	if s == nil || s.f == nil {
		return
	}
	if s.blocks != nil {
		close(s.blocks)
		<-s.done
		s.blocks = nil
	}
	s.f.Close()
	os.Remove(s.f.Name())
	s.f = nil
}

// compressed finishes the spool and returns the length of its compressed
// rows, with the CRC-32 and length of their XML.
func (s *rowSpool) compressed() (clen int64, crc uint32, size int64, err error) {
	if err := s.finish(); err != nil {
		return 0, 0, 0, err
	}
	fi, err := s.f.Stat()
	if err != nil {
		return 0, 0, 0, err
	}
	return fi.Size(), s.crc, s.size, nil
}

// copyTo writes the compressed rows to w (after finish).
func (s *rowSpool) copyTo(w io.Writer) error {
	if err := s.finish(); err != nil {
		return err
	}
	if _, err := s.f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	_, err := io.Copy(w, s.f)
	return err
}

// row writes row n (1-based) with cells from column A, as SetRow would.
func (s *rowSpool) row(n int, cells []any) error {
	w := s.w
	rs := strconv.Itoa(n)
	w.WriteString(`<row r="`)
	w.WriteString(rs)
	w.WriteString(`">`)
	for i, v := range cells {
		if v == nil {
			continue
		}
		style, formula := 0, ""
		if c, ok := v.(excelize.Cell); ok {
			style, formula, v = c.StyleID, c.Formula, c.Value
		}
		if err := s.cell(s.cols[i], rs, style, formula, v); err != nil {
			return err
		}
	}
	_, err := w.WriteString(`</row>`)
	return err
}

// cell writes the cell of column col (letters) in row rs (digits).
func (s *rowSpool) cell(col, rs string, style int, formula string, v any) error {
	if formula != "" {
		text, ok := v.(string)
		if !ok {
			return fmt.Errorf("cell %s%s: a formula with a %T value", col, rs, v)
		}
		s.formulaCell(col, rs, style, formula, text)
		return nil
	}
	switch x := v.(type) {
	case string:
		s.inlineStr(col, rs, style, x)
	case int:
		s.intCell(col, rs, style, x)
	case float64:
		s.floatCell(col, rs, style, x)
	case nil:
		s.w.WriteString(`<c`)
		s.ref(col, rs, style)
		s.w.WriteString(`></c>`)
	default:
		return fmt.Errorf("cell %s%s: no spooled form for a %T value", col, rs, v)
	}
	return nil
}

// formulaCell writes a formula cell: its value unescaped but for _xHHHH_,
// escaped when written, newlines included.
func (s *rowSpool) formulaCell(col, rs string, style int, formula, text string) {
	w := s.w
	text = cutUTF16(text)
	w.WriteString(`<c`)
	if edgeSpace(text) {
		w.WriteString(` xml:space="preserve"`)
	}
	s.ref(col, rs, style)
	w.WriteString(` t="str"><f>`)
	xml.EscapeText(w, []byte(formula))
	w.WriteString(`</f>`)
	if text = bstrEscape(text); text != "" {
		w.WriteString(`<v>`)
		xml.EscapeText(w, []byte(text))
		w.WriteString(`</v>`)
	}
	w.WriteString(`</c>`)
}

func (s *rowSpool) intCell(col, rs string, style int, x int) {
	w := s.w
	w.WriteString(`<c`)
	s.ref(col, rs, style)
	w.WriteString(`><v>`)
	s.num = strconv.AppendInt(s.num[:0], int64(x), 10)
	w.Write(s.num)
	w.WriteString(`</v></c>`)
}

// floatCell writes a number; NaN and infinities as their text, as excelize
// writes them.
func (s *rowSpool) floatCell(col, rs string, style int, x float64) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		s.inlineStr(col, rs, style, fmt.Sprint(x))
		return
	}
	w := s.w
	w.WriteString(`<c`)
	s.ref(col, rs, style)
	w.WriteString(`><v>`)
	w.WriteString(cellFloat(x))
	w.WriteString(`</v></c>`)
}

// tableRow writes row n of a table from its values: the cells xlsxCell
// makes of them, written without being made (11 million cells at 100,000
// datasets, each a value boxed in an interface). Tables with dates are not
// spooled; a date here is an error, as in cell.
func (s *rowSpool) tableRow(n int, cols []column, vals []any, lang string, st *xlsxStyles) error {
	w := s.w
	rs := strconv.Itoa(n)
	w.WriteString(`<row r="`)
	w.WriteString(rs)
	w.WriteString(`">`)
	for i, v := range vals {
		if err := s.tableCell(s.cols[i], rs, cols[i].kind, v, lang, st); err != nil {
			return err
		}
	}
	_, err := w.WriteString(`</row>`)
	return err
}

// tableCell writes what xlsxCell(kind, v, lang, st) gives, as cell would.
func (s *rowSpool) tableCell(col, rs string, kind int, v any, lang string, st *xlsxStyles) error {
	switch x := v.(type) {
	case nil:
	case *float64:
		if x != nil {
			s.floatCell(col, rs, st.num1, *x)
		}
	case float64:
		s.floatCell(col, rs, st.num1, x)
	case int:
		s.intCell(col, rs, st.int0, x)
	case *int:
		if x == nil {
			s.inlineStr(col, rs, 0, "—")
		} else {
			s.intCell(col, rs, st.int0, *x)
		}
	case string:
		switch {
		case kind == kCode:
			s.inlineStr(col, rs, 0, T(lang, x))
		case kind == kURL && x == "":
		case kind == kURL && (strings.HasPrefix(x, "http://") || strings.HasPrefix(x, "https://")):
			if len(x) > 255 {
				s.inlineStr(col, rs, st.link, xlsxPlain(x))
			} else {
				s.formulaCell(col, rs, st.link, "HYPERLINK("+xlsxFormulaString(x)+")", xlsxPlain(x))
			}
		default:
			t := xlsxPlain(x)
			style := 0
			if FormulaStart(t) {
				style = st.quoted
			}
			s.inlineStr(col, rs, style, t)
		}
	default:
		if _, ok := timeOf(v); ok {
			return fmt.Errorf("cell %s%s: no spooled form for a date", col, rs)
		}
	}
	return nil
}

// ref writes ` r="A2"` and the style when there is one.
func (s *rowSpool) ref(col, rs string, style int) {
	s.w.WriteString(` r="`)
	s.w.WriteString(col)
	s.w.WriteString(rs)
	s.w.WriteString(`"`)
	if style != 0 {
		s.w.WriteString(` s="`)
		s.num = strconv.AppendInt(s.num[:0], int64(style), 10)
		s.w.Write(s.num)
		s.w.WriteString(`"`)
	}
}

// inlineStr writes a text cell: escaped for XML (newlines kept as they are),
// _xHHHH_ sequences escaped, xml:space="preserve" when it starts or ends
// with white space.
func (s *rowSpool) inlineStr(col, rs string, style int, text string) {
	w := s.w
	text = cutUTF16(text)
	w.WriteString(`<c`)
	s.ref(col, rs, style)
	w.WriteString(` t="inlineStr"><is><t`)
	if edgeSpace(text) {
		w.WriteString(` xml:space="preserve"`)
	}
	w.WriteString(`>`)
	if strings.Contains(text, "_x") {
		var b strings.Builder
		escapeKeepNewlines(&b, text)
		w.WriteString(bstrEscape(b.String()))
	} else {
		escapeKeepNewlines(w, text)
	}
	w.WriteString(`</t></is></c>`)
}

// plainByte marks the ASCII bytes XML text takes as they are.
var plainByte = func() (t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = true
	}
	for _, b := range "\"'&<>" {
		t[b] = false
	}
	t['\n'] = true
	return t
}()

// escapeKeepNewlines writes text escaped as encoding/xml.EscapeText does,
// but for newlines, written as they are: in one pass, the runs of text with
// nothing to escape written as they are.
func escapeKeepNewlines(w io.StringWriter, text string) {
	last := 0
	for i := 0; i < len(text); {
		b := text[i]
		var esc string
		width := 1
		if b < utf8.RuneSelf {
			if plainByte[b] {
				i++
				continue
			}
			esc = asciiEscape[b]
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			width = size
			if !(r == utf8.RuneError && size == 1 || !xmlChar(r)) {
				i += size
				continue
			}
			esc = "\uFFFD"
		}
		w.WriteString(text[last:i])
		w.WriteString(esc)
		i += width
		last = i
	}
	w.WriteString(text[last:])
}

// asciiEscape is what encoding/xml writes for the ASCII characters it
// escapes; other control characters become U+FFFD.
var asciiEscape = func() (t [utf8.RuneSelf]string) {
	for b := range t {
		t[b] = "\uFFFD"
	}
	t['"'], t['\''], t['&'], t['<'], t['>'] = "&#34;", "&#39;", "&amp;", "&lt;", "&gt;"
	t['\t'], t['\r'] = "&#x9;", "&#xD;"
	return t
}()

// xmlChar is XML's Char production (encoding/xml's isInCharacterRange),
// for runes at or above utf8.RuneSelf; U+FFFD itself passes.
func xmlChar(r rune) bool {
	return r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// edgeSpace says whether text starts or ends with a tab, newline, carriage
// return or space: the cell then keeps it with xml:space="preserve".
func edgeSpace(text string) bool {
	if text == "" {
		return false
	}
	for _, b := range [2]byte{text[0], text[len(text)-1]} {
		if b == '\t' || b == '\n' || b == '\r' || b == ' ' {
			return true
		}
	}
	return false
}

// cutUTF16 cuts text to the 32,767 UTF-16 units a cell holds, on a rune.
func cutUTF16(text string) string {
	if len(text) <= excelize.TotalCellChars { // never more units than bytes
		return text
	}
	n := 0
	for i, r := range text {
		if n += utf16.RuneLen(r); n > excelize.TotalCellChars {
			return text[:i]
		}
	}
	return text
}

// bstrEscape escapes what a reader would take for an escaped character:
// "_xHHHH_" (H a hex digit) that names a character becomes "_x005F_xHHHH_";
// "_x005F_" becomes "_x005F_x005F_", and is doubled when a character
// escape follows it. As excelize does it, one sequence that names no
// character (a surrogate, "_xD800_") is dropped.
func bstrEscape(s string) string {
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	cursor := 0
	for i := 0; i+7 <= len(s); {
		if !isBstr(s[i:]) {
			i++
			continue
		}
		out.WriteString(s[cursor:i])
		end := i + 7
		seq := s[i:end]
		cursor = end
		switch {
		case seq == "_x005F_":
			if end+6 <= len(s) && s[end] == 'x' && hex4(s[end+1:end+5]) && s[end+5] == '_' && namesChar(s[end+1:end+5]) {
				out.WriteString(seq + "x005F" + seq)
			} else {
				out.WriteString(seq + "x005F_")
			}
		case namesChar(seq[2:6]):
			out.WriteString("_x005F" + seq)
		}
		i = end
	}
	if cursor < len(s) {
		out.WriteString(s[cursor:])
	}
	return out.String()
}

// isBstr says whether s starts with "_x", four hex digits and "_".
func isBstr(s string) bool {
	return len(s) >= 7 && s[0] == '_' && s[1] == 'x' && hex4(s[2:6]) && s[6] == '_'
}

func hex4(s string) bool {
	for i := 0; i < 4; i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// namesChar says whether four hex digits name a character: not a surrogate.
func namesChar(h string) bool {
	v, _ := strconv.ParseUint(h, 16, 32)
	return v < 0xD800 || v > 0xDFFF
}

// cellFloat is a number as excelize writes it: the shortest decimal form,
// cut to Excel's 15 significant digits.
func cellFloat(v float64) string {
	str := strconv.FormatFloat(v, 'f', -1, 64)
	if math.Abs(v) == math.MaxFloat64 {
		return str
	}
	dot := strings.IndexByte(str, '.')
	sig := 0
	for i := 0; i < len(str); i++ {
		c := str[i]
		if c < '0' || c > '9' || sig == 0 && c == '0' {
			continue
		}
		if sig++; sig <= 15 {
			continue
		}
		if dot >= 0 && i > dot { // past the point: cut
			return strings.TrimSuffix(str[:i], ".")
		}
		if dot < 0 {
			dot = len(str)
		}
		whole := []byte(str[:dot]) // before the point: zeros
		for ; i < len(whole); i++ {
			whole[i] = '0'
		}
		return string(whole)
	}
	return str
}
