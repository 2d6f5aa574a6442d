package reports

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"html"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// What excelize's streaming writer cannot do, done while the archive is
// written: the real <dimension> of each streamed sheet (excelize leaves "A1",
// which some readers trust for the used range), clickable links longer than
// the 255 characters a HYPERLINK formula takes (a hyperlink relationship, as
// Excel itself writes them), and the quote-prefix flag on the style of text
// that would read as a formula (Excel's own "'" marker, not shown in the cell).
// Sheets stream through unchanged but for their first and last kilobytes.

// xlsxLink is one cell whose URL is too long for HYPERLINK.
type xlsxLink struct{ Cell, URL string }

// sheetPatch is what to change in one worksheet part.
type sheetPatch struct {
	Dim   string // e.g. "A1:T2001"; "" leaves the dimension
	Links []xlsxLink
	// Rows are data rows written beside excelize (xlsxrows.go), put
	// before the sheet's </sheetData>.
	Rows *rowSpool
}

type xlsxPatcher struct {
	zw      *zip.Writer
	sheets  map[string]*sheetPatch // by part name: xl/worksheets/sheet3.xml
	quoteXF int                    // cellXfs index to mark quotePrefix; <0 none
	cur     io.Writer
	closeFn func() error
	seen    map[string]bool
}

func newXlsxPatcher(w io.Writer, sheets map[string]*sheetPatch, quoteXF int) *xlsxPatcher {
	zw := zip.NewWriter(w)
	// The fastest deflate level: at 100,000 datasets the default level took
	// 7.2 s of CPU compressing the sheets, nearly as much as excelize took
	// writing them; level 1 takes 2.7 s, for a file of 88 MB instead of 70.
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return &xlsxPatcher{zw: zw, sheets: sheets, quoteXF: quoteXF, seen: map[string]bool{}}
}

func (p *xlsxPatcher) finish() error {
	if p.closeFn == nil {
		return nil
	}
	err := p.closeFn()
	p.closeFn, p.cur = nil, nil
	return err
}

func (p *xlsxPatcher) Create(name string) (io.Writer, error) {
	if err := p.finish(); err != nil {
		return nil, err
	}
	p.seen[name] = true
	if sp, ok := p.sheets[name]; ok && sp.Rows != nil {
		// The sheet as excelize wrote it (its head and tail: the rows
		// are spooled) is held until it ends.
		b := &bytes.Buffer{}
		p.closeFn = func() error { return p.writeSpooled(name, b.Bytes(), sp) }
		return b, nil
	}
	w, err := p.zw.Create(name)
	if err != nil {
		return nil, err
	}
	if sp, ok := p.sheets[name]; ok {
		sw := &sheetWriter{out: w, patch: sp}
		p.closeFn = sw.close
		return sw, nil
	}
	if rels, ok := p.relsFor(name); ok && len(rels.Links) > 0 {
		b := &bytes.Buffer{}
		p.closeFn = func() error { _, err := w.Write(addLinkRels(b.Bytes(), rels.Links)); return err }
		return b, nil
	}
	if name == "[Content_Types].xml" {
		b := &bytes.Buffer{}
		p.closeFn = func() error { _, err := w.Write(sortContentDefaults(b.Bytes())); return err }
		return b, nil
	}
	if name == "xl/styles.xml" && p.quoteXF >= 0 {
		b := &bytes.Buffer{}
		p.closeFn = func() error { _, err := w.Write(quotePrefixXF(b.Bytes(), p.quoteXF)); return err }
		return b, nil
	}
	return w, nil
}

// writeSpooled writes the worksheet part name, whose rows are spooled
// already compressed: sheet is the part as excelize wrote it, without
// them. The part's deflate stream is made of three pieces, each ending on
// a byte boundary in a block that is not the last: the head up to
// </sheetData> (dimension fixed), compressed here and sync-flushed; the
// spool's rows; and </sheetData> with the rest (hyperlinks added),
// compressed here and closed. A reader inflates them as one stream; the
// CRC-32 of the whole is put together from the three pieces'.
func (p *xlsxPatcher) writeSpooled(name string, sheet []byte, sp *sheetPatch) error {
	i := bytes.Index(sheet, []byte(endSheetData))
	if i < 0 { // no place for the rows: written as it came, as before
		w, err := p.zw.Create(name)
		if err != nil {
			return err
		}
		sw := &sheetWriter{out: w, patch: &sheetPatch{Dim: sp.Dim, Links: sp.Links}}
		if _, err := sw.Write(sheet); err != nil {
			return err
		}
		return sw.close()
	}
	head := patchDimension(sheet[:i], sp.Dim)
	tail := append([]byte(endSheetData), addHyperlinks(sheet[i+len(endSheetData):], sp.Links)...)
	rowsLen, rowsCRC, rowsSize, err := sp.Rows.compressed()
	if err != nil {
		return err
	}
	var zhead, ztail bytes.Buffer
	if err := deflatePiece(&zhead, head, false); err != nil {
		return err
	}
	if err := deflatePiece(&ztail, tail, true); err != nil {
		return err
	}
	crc := crc32.ChecksumIEEE(head)
	crc = crc32Combine(crc, rowsCRC, rowsSize)
	crc = crc32Combine(crc, crc32.ChecksumIEEE(tail), int64(len(tail)))
	// The header zip.Writer.Create gives a part, but for the sizes and
	// CRC-32, known here: a data descriptor after the data, as for every
	// other part.
	w, err := p.zw.CreateRaw(&zip.FileHeader{
		Name: name, Method: zip.Deflate, Flags: 0x8, CreatorVersion: 20, ReaderVersion: 20,
		CRC32:              crc,
		CompressedSize64:   uint64(zhead.Len()) + uint64(rowsLen) + uint64(ztail.Len()),
		UncompressedSize64: uint64(len(head)) + uint64(rowsSize) + uint64(len(tail)),
	})
	if err != nil {
		return err
	}
	if _, err := w.Write(zhead.Bytes()); err != nil {
		return err
	}
	if err := sp.Rows.copyTo(w); err != nil {
		return err
	}
	_, err = w.Write(ztail.Bytes())
	return err
}

// deflatePiece compresses b into w at the archive's level: closed if last,
// else sync-flushed, so that more of the stream can follow.
func deflatePiece(w io.Writer, b []byte, last bool) error {
	fw, err := flate.NewWriter(w, flate.BestSpeed)
	if err != nil {
		return err
	}
	if _, err := fw.Write(b); err != nil {
		return err
	}
	if last {
		return fw.Close()
	}
	return fw.Flush()
}

// relsFor returns the patch of the sheet whose relationships part name is.
func (p *xlsxPatcher) relsFor(name string) (*sheetPatch, bool) {
	if !strings.HasPrefix(name, "xl/worksheets/_rels/") || !strings.HasSuffix(name, ".rels") {
		return nil, false
	}
	sheet := "xl/worksheets/" + strings.TrimSuffix(strings.TrimPrefix(name, "xl/worksheets/_rels/"), ".rels")
	sp, ok := p.sheets[sheet]
	return sp, ok
}

func (p *xlsxPatcher) AddFS(fsys fs.FS) error {
	if err := p.finish(); err != nil {
		return err
	}
	return p.zw.AddFS(fsys)
}

func (p *xlsxPatcher) Close() error {
	if err := p.finish(); err != nil {
		return err
	}
	// A sheet with links but no relationships part yet (no table) gets one.
	names := make([]string, 0, len(p.sheets))
	for n := range p.sheets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sp := p.sheets[n]
		rels := "xl/worksheets/_rels/" + strings.TrimPrefix(n, "xl/worksheets/") + ".rels"
		if len(sp.Links) == 0 || p.seen[rels] {
			continue
		}
		w, err := p.zw.Create(rels)
		if err != nil {
			return err
		}
		empty := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
			`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>`
		if _, err := w.Write(addLinkRels([]byte(empty), sp.Links)); err != nil {
			return err
		}
	}
	return p.zw.Close()
}

// contentDefault is one <Default …/> element of [Content_Types].xml.
var contentDefault = regexp.MustCompile(`<Default [^>]*?(?:/>|></Default>)`)

// sortContentDefaults puts the <Default> entries of [Content_Types].xml in
// the order of their text. excelize writes them from a map, so two runs
// over the same data gave two different parts; sorted, the same report
// gives the same part, and files can be compared part for part.
func sortContentDefaults(b []byte) []byte {
	locs := contentDefault.FindAllIndex(b, -1)
	if len(locs) < 2 {
		return b
	}
	// Only a run of adjacent defaults is reordered: anything between
	// them would be moved along otherwise.
	for i := 1; i < len(locs); i++ {
		if locs[i][0] != locs[i-1][1] {
			return b
		}
	}
	defs := make([]string, len(locs))
	for i, l := range locs {
		defs[i] = string(b[l[0]:l[1]])
	}
	sort.Strings(defs)
	out := make([]byte, 0, len(b))
	out = append(out, b[:locs[0][0]]...)
	for _, d := range defs {
		out = append(out, d...)
	}
	return append(out, b[locs[len(locs)-1][1]:]...)
}

func linkRelID(i int) string { return "rIdVigieLink" + strconv.Itoa(i+1) }

// addLinkRels adds one external hyperlink relationship per link.
func addLinkRels(rels []byte, links []xlsxLink) []byte {
	var b strings.Builder
	for i, l := range links {
		fmt.Fprintf(&b, `<Relationship Id="%s" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="%s" TargetMode="External"/>`,
			linkRelID(i), html.EscapeString(l.URL))
	}
	i := bytes.LastIndex(rels, []byte("</Relationships>"))
	if i < 0 {
		return rels
	}
	out := append([]byte{}, rels[:i]...)
	out = append(out, b.String()...)
	return append(out, rels[i:]...)
}

var xfRe = regexp.MustCompile(`<xf\b`)

// quotePrefixXF sets quotePrefix="1" on the n-th <xf> of <cellXfs>.
func quotePrefixXF(styles []byte, n int) []byte {
	start := bytes.Index(styles, []byte("<cellXfs"))
	if start < 0 {
		return styles
	}
	locs := xfRe.FindAllIndex(styles[start:], n+1)
	if len(locs) <= n {
		return styles
	}
	at := start + locs[n][1]
	out := append([]byte{}, styles[:at]...)
	out = append(out, ` quotePrefix="1"`...)
	return append(out, styles[at:]...)
}

// sheetWriter passes a worksheet through, fixing its <dimension> in the head
// and adding <hyperlinks> after </sheetData> (before the parts the schema
// puts later: page setup, drawings, tables). Sheets with spooled rows go
// through writeSpooled instead.
type sheetWriter struct {
	out      io.Writer
	patch    *sheetPatch
	head     []byte // before the dimension is fixed
	headDone bool
	carry    []byte // the end of the data, in case "</sheetData>" spans writes
	tail     []byte // from "</sheetData>" on
	inTail   bool
}

const endSheetData = "</sheetData>"

var dimRe = regexp.MustCompile(`<dimension ref="[^"]*"\s*/?>(</dimension>)?`)

// patchDimension sets the first <dimension> of a sheet's head to dim ("":
// left as it is).
func patchDimension(b []byte, dim string) []byte {
	if dim != "" {
		if loc := dimRe.FindIndex(b); loc != nil {
			b = append(append(append([]byte{}, b[:loc[0]]...), `<dimension ref="`+dim+`"/>`...), b[loc[1]:]...)
		}
	}
	return b
}

func (s *sheetWriter) Write(b []byte) (int, error) {
	n := len(b)
	if !s.headDone {
		s.head = append(s.head, b...)
		if !bytes.Contains(s.head, []byte("<sheetData")) && len(s.head) < 1<<20 {
			return n, nil
		}
		s.headDone = true
		b = s.head
		b = patchDimension(b, s.patch.Dim)
		s.head = nil
	}
	if s.inTail {
		s.tail = append(s.tail, b...)
		return n, nil
	}
	buf := append(s.carry, b...)
	if i := bytes.Index(buf, []byte(endSheetData)); i >= 0 {
		end := i + len(endSheetData)
		if _, err := s.out.Write(buf[:end]); err != nil {
			return 0, err
		}
		s.tail = append([]byte{}, buf[end:]...)
		s.inTail, s.carry = true, nil
		return n, nil
	}
	keep := len(endSheetData) - 1
	if len(buf) <= keep {
		s.carry = append([]byte{}, buf...)
		return n, nil
	}
	if _, err := s.out.Write(buf[:len(buf)-keep]); err != nil {
		return 0, err
	}
	s.carry = append([]byte{}, buf[len(buf)-keep:]...)
	return n, nil
}

// laterParts are the worksheet elements that come after <hyperlinks>.
var laterParts = []string{"<printOptions", "<pageMargins", "<pageSetup", "<headerFooter", "<rowBreaks", "<colBreaks",
	"<customProperties", "<cellWatches", "<ignoredErrors", "<smartTags", "<drawing", "<legacyDrawing", "<picture",
	"<oleObjects", "<controls", "<webPublishItems", "<tableParts", "<extLst", "</worksheet>"}

func (s *sheetWriter) close() error {
	if !s.headDone { // never reached <sheetData: write what came
		_, err := s.out.Write(s.head)
		return err
	}
	if !s.inTail {
		_, err := s.out.Write(s.carry)
		return err
	}
	_, err := s.out.Write(addHyperlinks(s.tail, s.patch.Links))
	return err
}

// addHyperlinks puts the <hyperlinks> of links into a sheet's tail (what
// follows </sheetData>), before the parts the schema puts after them.
func addHyperlinks(tail []byte, links []xlsxLink) []byte {
	if len(links) == 0 {
		return tail
	}
	at := len(tail)
	for _, p := range laterParts {
		if i := bytes.Index(tail, []byte(p)); i >= 0 && i < at {
			at = i
		}
	}
	var b strings.Builder
	b.WriteString("<hyperlinks>")
	for i, l := range links {
		fmt.Fprintf(&b, `<hyperlink ref="%s" r:id="%s"/>`, l.Cell, linkRelID(i))
	}
	b.WriteString("</hyperlinks>")
	return append(append(append([]byte{}, tail[:at]...), b.String()...), tail[at:]...)
}
