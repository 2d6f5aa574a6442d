package reports

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/vigie-audit/vigie"
)

// XLSX writes an Excel workbook: a summary sheet with the indicators and
// charts (ratings, freshness, stars, organizations ranked, history), then
// one sheet per table (organizations, datasets, findings, links, history)
// with frozen headers, filters, number formats, colour scales on scores and
// links to the portal. The big sheets are streamed.
type XLSX struct{}

var _ Writer = (*XLSX)(nil)

// maxCell is the most characters Excel keeps in a cell.
const maxCell = 32767

// xlsxMaxRows is the most rows a sheet may have (Excel's limit); rows past it
// are counted in a note on the last row. A variable so tests can lower it.
var xlsxMaxRows = excelize.TotalRows

// spoolRows turns rowSpool on; tests turn it off to compare with excelize.
var spoolRows = true

// maxSheetLinks is how many hyperlink relationships a sheet may hold (Excel's
// limit is 65,530); longer URLs past it stay plain text.
const maxSheetLinks = 65000

type xlsxStyles struct {
	title, bold, header, num1, int0, date, link, pos, neg, posInt, negInt int
	quoted                                                                int // text that reads as a formula: quote-prefixed
}

// SheetNames returns the workbook's sheet names in lang, in order.
func SheetNames(lang string) []string {
	return []string{T(lang, "summary"), T(lang, "organizations"), T(lang, "datasets"), T(lang, "findings"), T(lang, "links"), T(lang, "history")}
}

// Write writes r to w as .xlsx.
func (XLSX) Write(ctx context.Context, w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newXlsxStyles(f)
	if err != nil {
		return err
	}
	names := SheetNames(r.Lang)
	if err := f.SetSheetName("Sheet1", names[0]); err != nil {
		return err
	}
	for _, n := range names[1:] {
		if _, err := f.NewSheet(n); err != nil {
			return err
		}
	}
	// Before any sheet is streamed: SetActiveSheet reads every worksheet
	// back, which for a streamed sheet means parsing its whole XML again
	// (330 MB of allocations for a 10k-dataset report).
	f.SetActiveSheet(0)
	if err := xlsxSummary(f, names[0], r, st); err != nil {
		return vigie.NewError(vigie.KindOf(err), "reports.sheet", names[0], err)
	}
	patches := map[string]*sheetPatch{}
	defer func() {
		for _, p := range patches {
			p.Rows.remove()
		}
	}()
	if rows, err := f.GetRows(names[0]); err == nil && len(rows) > 0 {
		cols := 1
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		lastCol, _ := excelize.ColumnNumberToName(cols)
		patches["xl/worksheets/sheet1.xml"] = &sheetPatch{Dim: "A1:" + lastCol + strconv.Itoa(len(rows))}
	}
	ts := r.tables()[1:] // indicators are on the summary sheet
	tableNames := []string{"Organizations", "Datasets", "Findings", "Links", "History"}
	for i, t := range ts {
		patch := &sheetPatch{}
		patches[fmt.Sprintf("xl/worksheets/sheet%d.xml", i+2)] = patch
		if err := xlsxStream(ctx, f, names[i+1], tableNames[i], t, r.Lang, st, patch); err != nil {
			return vigie.NewError(vigie.KindOf(err), "reports.sheet", names[i+1], err)
		}
	}
	// The archive goes straight to w: excelize's own writer builds the
	// whole file in a memory buffer first (70 MB at 100k datasets, grown
	// by doubling), leaving that buffer empty here.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newXlsxPatcher(w, patches, st.quoted) })
	_, err = f.WriteTo(w)
	return err
}

func newXlsxStyles(f *excelize.File) (*xlsxStyles, error) {
	var s xlsxStyles
	fmt1 := "0.0"
	dateFmt := "yyyy-mm-dd hh:mm"
	defs := []struct {
		dst *int
		st  *excelize.Style
	}{
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3864"}}},
		{&s.bold, &excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"1F4E79"}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}},
		{&s.num1, &excelize.Style{CustomNumFmt: &fmt1}},
		{&s.int0, &excelize.Style{NumFmt: 3}}, // #,##0
		{&s.date, &excelize.Style{CustomNumFmt: &dateFmt}},
		{&s.link, &excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}}},
		{&s.pos, &excelize.Style{CustomNumFmt: ptrS("+0.0;-0.0;0"), Font: &excelize.Font{Color: "2E7D32"}}},
		{&s.neg, &excelize.Style{CustomNumFmt: ptrS("+0.0;-0.0;0"), Font: &excelize.Font{Color: "C62828"}}},
		{&s.posInt, &excelize.Style{CustomNumFmt: ptrS("+#,##0;-#,##0;0"), Font: &excelize.Font{Color: "2E7D32"}}},
		{&s.negInt, &excelize.Style{CustomNumFmt: ptrS("+#,##0;-#,##0;0"), Font: &excelize.Font{Color: "C62828"}}},
		// Text format; the writer adds quotePrefix="1" to it (xlsxpatch.go).
		{&s.quoted, &excelize.Style{NumFmt: 49}},
	}
	for _, d := range defs {
		id, err := f.NewStyle(d.st)
		if err != nil {
			return nil, err
		}
		*d.dst = id
	}
	return &s, nil
}

func ptrS(s string) *string { return &s }

// xlsxText makes untrusted text safe and short enough for a cell (with a
// visible "'" before text that would read as a formula; the report's sheets
// use xlsxString, which hides it in the cell's style).
func xlsxText(s string) string {
	return xlsxCut(Neutralise(s, false))
}

// xlsxPlain is xlsxText without the "'": for cells styled quote-prefix.
func xlsxPlain(s string) string { return xlsxCut(clean(s, false)) }

func xlsxCut(s string) string {
	if len(s) > maxCell {
		cut := maxCell - 1
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// xlsxString is a text cell; text that a spreadsheet would read as a formula
// gets the quote-prefix style (Excel's hidden "'").
func xlsxString(s string, st *xlsxStyles) any {
	t := xlsxPlain(s)
	if FormulaStart(t) {
		return excelize.Cell{StyleID: st.quoted, Value: t}
	}
	return t
}

// xlsxFormulaString quotes s inside a formula string literal.
func xlsxFormulaString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// xlsxCell turns a table value into a cell.
func xlsxCell(kind int, v any, lang string, st *xlsxStyles) any {
	switch x := v.(type) {
	case nil:
		return nil
	case *float64:
		if x == nil {
			return nil
		}
		return excelize.Cell{StyleID: st.num1, Value: *x}
	case float64:
		return excelize.Cell{StyleID: st.num1, Value: x}
	case int:
		return excelize.Cell{StyleID: st.int0, Value: x}
	case *int:
		if x == nil {
			return "—"
		}
		return excelize.Cell{StyleID: st.int0, Value: *x}
	case string:
		switch kind {
		case kCode:
			return T(lang, x)
		case kURL:
			if x == "" {
				return nil
			}
			if !(strings.HasPrefix(x, "http://") || strings.HasPrefix(x, "https://")) {
				return xlsxString(x, st)
			}
			if len(x) > 255 { // HYPERLINK takes at most 255 characters: xlsxStream adds a relationship
				return excelize.Cell{StyleID: st.link, Value: xlsxPlain(x)}
			}
			return excelize.Cell{StyleID: st.link, Formula: "HYPERLINK(" + xlsxFormulaString(x) + ")", Value: xlsxPlain(x)}
		}
		return xlsxString(x, st)
	}
	if t, ok := timeOf(v); ok {
		return excelize.Cell{StyleID: st.date, Value: t.UTC()}
	}
	return nil
}

// xlsxStream writes one table to its sheet with the streaming writer.
func xlsxStream(ctx context.Context, f *excelize.File, sheet, tableName string, t table, lang string, st *xlsxStyles, patch *sheetPatch) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	for i, c := range t.cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(t.cols))
	for i, c := range t.cols {
		header[i] = excelize.Cell{StyleID: st.header, Value: T(lang, c.key)}
	}
	if err := sw.SetRow("A1", header, excelize.RowOpts{Height: 30}); err != nil {
		return err
	}
	// Tables without dates have their rows spooled (xlsxrows.go); the
	// archive writer puts them in place.
	setRow := func(n int, cells []any) error {
		ref, err := excelize.CoordinatesToCellName(1, n)
		if err != nil {
			return err
		}
		return sw.SetRow(ref, cells)
	}
	var spool *rowSpool
	if spoolRows && t.spoolable() {
		if spool, err = newRowSpool(len(t.cols)); err != nil {
			return err
		}
		patch.Rows = spool
		setRow = spool.row
	}
	row, skipped := 2, 0
	cells := make([]any, len(t.cols))
	err = pipeline(ctx, t.each, func(vals []any) error {
		if row > xlsxMaxRows-1 { // keep the last row for the note below
			skipped++
			return nil
		}
		for i, v := range vals {
			if spool == nil {
				cells[i] = xlsxCell(t.cols[i].kind, v, lang, st)
			}
			if u, ok := v.(string); ok && t.cols[i].kind == kURL && len(u) > 255 && len(patch.Links) < maxSheetLinks &&
				(strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) {
				cell, _ := excelize.CoordinatesToCellName(i+1, row)
				patch.Links = append(patch.Links, xlsxLink{Cell: cell, URL: u})
			}
		}
		row++
		if spool != nil { // the cells xlsxCell would make, written as they come
			return spool.tableRow(row-1, t.cols, vals, lang, st)
		}
		return setRow(row-1, cells)
	})
	if err != nil {
		return err
	}
	last := row - 1
	lastCol, _ := excelize.ColumnNumberToName(len(t.cols))
	patch.Dim = "A1:" + lastCol + strconv.Itoa(last)
	if skipped > 0 {
		note := fmt.Sprintf(T(lang, "rows_cut"), skipped)
		if err := setRow(row, []any{note}); err != nil {
			return err
		}
		patch.Dim = "A1:" + lastCol + strconv.Itoa(row)
	}
	if patch.Rows != nil { // the last rows deflated; the deflater stops
		if err := patch.Rows.finish(); err != nil {
			return err
		}
	}
	if last >= 2 {
		if err := sw.AddTable(&excelize.Table{Range: "A1:" + lastCol + strconv.Itoa(last), Name: tableName, StyleName: "TableStyleLight9"}); err != nil {
			return err
		}
		if t.scores[0] >= 0 {
			from, _ := excelize.ColumnNumberToName(t.scores[0] + 1)
			to, _ := excelize.ColumnNumberToName(t.scores[1] + 1)
			if err := f.SetConditionalFormat(sheet, fmt.Sprintf("%s2:%s%d", from, to, last), scoreScale()); err != nil {
				return err
			}
		}
	}
	return sw.Flush()
}

// scoreScale colours 0–100 scores red → amber → green.
func scoreScale() []excelize.ConditionalFormatOptions {
	return []excelize.ConditionalFormatOptions{{
		Type: "3_color_scale", Criteria: "=",
		MinType: "num", MinValue: "0", MinColor: "#F8696B",
		MidType: "num", MidValue: "50", MidColor: "#FFEB84",
		MaxType: "num", MaxValue: "100", MaxColor: "#63BE7B",
	}}
}

// xlsxSummary writes the summary sheet: what was audited, the indicators
// with their change, and the data and charts for ratings, freshness, stars
// and organizations ranked.
func xlsxSummary(f *excelize.File, sh string, r *Report, st *xlsxStyles) error {
	l := r.Lang
	set := func(cell string, v any, style int) {
		_ = f.SetCellValue(sh, cell, v)
		if style > 0 {
			_ = f.SetCellStyle(sh, cell, cell, style)
		}
	}
	for col, w := range map[string]float64{"A": 46, "B": 12, "C": 12, "D": 12, "E": 12, "F": 62} {
		_ = f.SetColWidth(sh, col, col, w)
	}
	set("A1", T(l, "title"), st.title)
	_ = f.SetRowHeight(sh, 1, 24)
	meta := [][2]any{
		{T(l, "portal"), r.Portal},
		{T(l, "generated_at"), r.GeneratedAt.UTC()},
		{T(l, "made_with"), r.VigieVersion},
		{T(l, "score_run"), r.scoreRunText("2006-01-02 15:04")},
	}
	if r.ScoreRun.AsOf != nil {
		meta = append(meta, [2]any{T(l, "as_of"), r.ScoreRun.AsOf.UTC()})
	}
	if r.HarvestRun != nil {
		meta = append(meta, [2]any{T(l, "harvest_run"), fmt.Sprintf("%d — %s", r.HarvestRun.ID, r.HarvestRun.StartedAt.UTC().Format("2006-01-02 15:04"))})
	}
	for _, w := range r.Warnings {
		meta = append(meta, [2]any{T(l, "stale_warning"), w})
	}
	if r.CompareRun != nil {
		meta = append(meta, [2]any{T(l, "compare_run"), fmt.Sprintf("%d — %s", r.CompareRun.ID, r.CompareRun.StartedAt.UTC().Format("2006-01-02 15:04"))})
	}
	meta = append(meta, [2]any{T(l, "scope"), xlsxText(r.Scope())})
	if label, text, ok := r.NotPublished(); ok {
		meta = append(meta, [2]any{label, text})
	}
	row := 2
	for _, m := range meta {
		a := "A" + strconv.Itoa(row)
		set(a, m[0], st.bold)
		b := "B" + strconv.Itoa(row)
		switch v := m[1].(type) {
		case time.Time:
			set(b, v, st.date)
		default:
			set(b, v, 0)
		}
		row++
	}
	if strings.HasPrefix(r.Portal, "https://") || strings.HasPrefix(r.Portal, "http://") {
		_ = f.SetCellHyperLink(sh, "B2", r.Portal, "External")
		_ = f.SetCellStyle(sh, "B2", "B2", st.link)
	}

	// Indicators.
	row++
	set("A"+strconv.Itoa(row), r.heading("commitment"), st.bold)
	row++
	hdr := []string{T(l, "indicator"), T(l, "value"), T(l, "previous"), T(l, "change"), T(l, "baseline"), T(l, "note")}
	for i, h := range hdr {
		c, _ := excelize.CoordinatesToCellName(i+1, row)
		set(c, h, st.header)
	}
	row++
	for _, ind := range r.Commitment {
		rs := strconv.Itoa(row)
		set("A"+rs, ind.Label, 0)
		num, pos, neg := st.num1, st.pos, st.neg
		if ind.Unit == "count" {
			num, pos, neg = st.int0, st.posInt, st.negInt
		}
		for col, v := range map[string]*float64{"B": ind.Value, "C": ind.Previous, "E": ind.Baseline} {
			if v != nil {
				set(col+rs, *v, num)
			}
		}
		if ind.Change != nil {
			style := pos
			if *ind.Change < 0 {
				style = neg
			}
			set("D"+rs, *ind.Change, style)
		}
		set("F"+rs, ind.Note, 0)
		row++
	}

	// Chart data, then the charts to the right of the indicators.
	row += 2
	ref := func(col string, a, b int) string {
		return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", sh, col, a, col, b)
	}
	block := func(title, valueHeader string, valueStyle int, cats []string, vals []float64) (string, string, string) {
		set("A"+strconv.Itoa(row), title, st.header)
		set("B"+strconv.Itoa(row), valueHeader, st.header)
		name := fmt.Sprintf("'%s'!$A$%d", sh, row)
		first := row + 1
		for i := range cats {
			row++
			if c, ok := xlsxString(cats[i], st).(excelize.Cell); ok {
				set("A"+strconv.Itoa(row), c.Value, c.StyleID)
			} else {
				set("A"+strconv.Itoa(row), xlsxText(cats[i]), 0)
			}
			set("B"+strconv.Itoa(row), vals[i], valueStyle)
		}
		last := row
		row += 2
		if last < first { // nothing to draw: point at the header row
			last = first - 1
		}
		return name, ref("A", first, last), ref("B", first, last)
	}
	var cats []string
	var vals []float64
	for _, k := range vigie.Ratings {
		cats, vals = append(cats, T(l, k)), append(vals, float64(r.Summary.Ratings[k]))
	}
	rn, rc, rv := block(T(l, "chart_ratings"), T(l, "col_datasets"), st.int0, cats, vals)
	cats, vals = nil, nil
	for _, k := range vigie.FreshnessStatuses {
		cats, vals = append(cats, T(l, k)), append(vals, float64(r.Summary.Freshness[k]))
	}
	fn, fc, fv := block(T(l, "chart_fresh"), T(l, "col_datasets"), st.int0, cats, vals)
	cats, vals = nil, nil
	for i, n := range r.Summary.Stars {
		cats, vals = append(cats, strings.Repeat("★", i)+strings.Repeat("☆", 5-i)), append(vals, float64(n))
	}
	sn, sc, sv := block(T(l, "chart_stars"), T(l, "col_datasets"), st.int0, cats, vals)
	cats, vals = nil, nil
	for _, o := range r.Organizations {
		if len(cats) == 25 {
			break
		}
		if o.Scores.Overall == nil {
			continue
		}
		name := o.Title
		if name == "" {
			name = o.Name
		}
		if name == "" {
			name = T(l, "no_org")
		}
		cats, vals = append(cats, name), append(vals, *o.Scores.Overall)
	}
	on, oc, ov := block(T(l, "chart_orgs"), T(l, "col_overall"), st.num1, cats, vals)

	no := false
	charts := []struct {
		cell           string
		typ            excelize.ChartType
		name, cat, val string
		title          string
		h              uint
		vary           bool
	}{
		{"H2", excelize.Col, rn, rc, rv, T(l, "chart_ratings"), 300, true},
		{"P2", excelize.Bar, fn, fc, fv, T(l, "chart_fresh"), 300, true},
		{"H18", excelize.Col, sn, sc, sv, T(l, "chart_stars"), 300, false},
		{"P18", excelize.Bar, on, oc, ov, T(l, "chart_orgs"), uint(120 + 18*len(cats)), false},
	}
	for _, c := range charts {
		vary := c.vary
		ch := &excelize.Chart{
			Type:       c.typ,
			Series:     []excelize.ChartSeries{{Name: c.name, Categories: c.cat, Values: c.val, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"2E75B6"}}}},
			Title:      excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title}}},
			Legend:     excelize.ChartLegend{Position: "none"},
			Dimension:  excelize.ChartDimension{Width: 480, Height: c.h},
			PlotArea:   excelize.ChartPlotArea{ShowVal: true},
			VaryColors: &vary,
		}
		if c.typ == excelize.Bar {
			ch.YAxis.ReverseOrder = false
			ch.XAxis.ReverseOrder = true // first category on top
		}
		if !c.vary {
			ch.VaryColors = &no
		}
		if err := f.AddChart(sh, c.cell, ch); err != nil {
			return err
		}
	}
	if len(r.History) > 1 {
		return xlsxTrend(f, sh, "H35", SheetNames(l)[5], r.historyTable(), len(r.History)+1, l)
	}
	return nil
}

// xlsxTrend draws on the summary sheet, at cell, the overall score, the
// open-licence share and tau over the score runs, from the history sheet
// (last is its last row).
func xlsxTrend(f *excelize.File, summary, cell, sheet string, t table, last int, lang string) error {
	var series []excelize.ChartSeries
	colors := map[string]string{"overall": "2E75B6", "open_licence": "2E7D32", "tau": "B26A00"}
	for i, c := range t.cols {
		color, ok := colors[c.id]
		if !ok {
			continue
		}
		col, _ := excelize.ColumnNumberToName(i + 1)
		series = append(series, excelize.ChartSeries{
			Name:       fmt.Sprintf("'%s'!$%s$1", sheet, col),
			Categories: fmt.Sprintf("'%s'!$B$2:$B$%d", sheet, last),
			Values:     fmt.Sprintf("'%s'!$%s$2:$%s$%d", sheet, col, col, last),
			Line:       excelize.LineOptions{Width: 2.25},
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}},
		})
	}
	if len(series) == 0 {
		return nil
	}
	return f.AddChart(summary, cell, &excelize.Chart{
		Type:      excelize.Line,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: T(lang, "history")}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		Dimension: excelize.ChartDimension{Width: 720, Height: 320},
		YAxis:     excelize.ChartAxis{Minimum: ptrF(0), Maximum: ptrF(100)},
	})
}

func ptrF(v float64) *float64 { return &v }
