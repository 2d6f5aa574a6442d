package reports

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// ComparisonCSVFiles are the files of a comparison written as CSV.
var ComparisonCSVFiles = []string{"portals.csv", "trend.csv"}

// WriteComparison writes c in format (xlsx, html, json or md) to w; csv
// goes to a folder (WriteComparisonCSV).
func WriteComparison(ctx context.Context, w io.Writer, c *Comparison, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	case "md":
		return comparisonMD(w, c)
	case "html":
		return comparisonHTML(w, c)
	case "xlsx":
		return comparisonXLSX(w, c)
	case "csv":
		return comparisonCSVTable(w, c, csvOptions{})
	}
	return fmt.Errorf("unknown report format %q: use one of %s", format, strings.Join(Formats, ", "))
}

type csvOptions = CSV

// WriteComparisonCSV writes portals.csv and trend.csv into dir, as a set.
func WriteComparisonCSV(dir string, c *Comparison, opts CSV) error {
	if err := opts.check(); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return mkdirErr(dir, err)
	}
	return WriteFilesAtomic(dir, ComparisonCSVFiles, func(i int, f *os.File) error {
		bw := bufio.NewWriter(f)
		var err error
		if i == 0 {
			err = comparisonCSVTable(bw, c, opts)
		} else {
			err = comparisonCSVTrend(bw, c, opts)
		}
		if err != nil {
			return err
		}
		return bw.Flush()
	})
}

func newCSV(w io.Writer, opts CSV) (*csv.Writer, error) {
	if opts.BOM {
		if _, err := io.WriteString(w, "\uFEFF"); err != nil {
			return nil, err
		}
	}
	cw := csv.NewWriter(w)
	if opts.Sep != 0 {
		cw.Comma = opts.Sep
	}
	return cw, nil
}

func comparisonCSVTable(w io.Writer, c *Comparison, opts CSV) error {
	cw, err := newCSV(w, opts)
	if err != nil {
		return err
	}
	cols := compareColumns()
	rec := make([]string, len(cols))
	for i, col := range cols {
		rec[i] = col.key
	}
	_ = cw.Write(rec)
	for i := range c.Portals {
		for j, col := range cols {
			rec[j] = csvCell(plain(col.value(&c.Portals[i])), opts.Decimal)
		}
		_ = cw.Write(rec)
	}
	cw.Flush()
	return cw.Error()
}

func comparisonCSVTrend(w io.Writer, c *Comparison, opts CSV) error {
	cw, err := newCSV(w, opts)
	if err != nil {
		return err
	}
	_ = cw.Write(trendColumns)
	rec := make([]string, len(trendColumns))
	for i := range c.Portals {
		p := &c.Portals[i]
		for k := range p.Trend {
			for j, v := range trendValues(p, &p.Trend[k]) {
				rec[j] = csvCell(v, opts.Decimal)
			}
			_ = cw.Write(rec)
		}
	}
	cw.Flush()
	return cw.Error()
}

// plain turns *int into what csvCell and the other writers take.
func plain(v any) any {
	if p, ok := v.(*int); ok {
		if p == nil {
			return nil
		}
		return *p
	}
	return v
}

func cellText(v any, lang string) string {
	switch x := plain(v).(type) {
	case nil:
		return "—"
	case string:
		return x
	case int:
		return l10n.Int(x, lang)
	case *float64:
		return fmtNum(x, lang)
	}
	return fmt.Sprint(v)
}

func comparisonMD(w io.Writer, c *Comparison) error {
	bw := bufio.NewWriter(w)
	l := c.Lang
	fmt.Fprintf(bw, "# %s\n\n%s %s. %s %s\n\n", cl(l, "title"), cl(l, "generated"), c.GeneratedAt.Format("2006-01-02 15:04 MST"),
		cl(l, "per_portal"), cl(l, "unknown_note"))
	cols := compareColumns()
	var head, sep []string
	for _, col := range cols {
		if col.key == "url" {
			continue
		}
		head = append(head, cl(l, col.key))
		sep = append(sep, "---")
	}
	fmt.Fprintf(bw, "| %s |\n| %s |\n", strings.Join(head, " | "), strings.Join(sep, " | "))
	for i := range c.Portals {
		var cells []string
		for _, col := range cols {
			if col.key == "url" {
				continue
			}
			cells = append(cells, mdText(cellText(col.value(&c.Portals[i]), l)))
		}
		fmt.Fprintf(bw, "| %s |\n", strings.Join(cells, " | "))
	}
	fmt.Fprintf(bw, "\n## %s\n\n", cl(l, "trend"))
	for i := range c.Portals {
		p := &c.Portals[i]
		var overall []*float64
		for _, t := range p.Trend {
			overall = append(overall, t.Scores.Overall)
		}
		colon := ":"
		if l == "fr" {
			colon = " :"
		}
		fmt.Fprintf(bw, "### %s\n\n%s%s %s\n\n", mdText(p.Name), cl(l, "overall"), colon, sparkline(overall))
		fmt.Fprintf(bw, "| %s | %s | %s | %s | %s | %s | %s |\n|---|---|---|---|---|---|---|\n", cl(l, "run"), cl(l, "date"),
			cl(l, "datasets"), cl(l, "overall"), cl(l, "open_licence"), cl(l, "tau"), cl(l, "links_working"))
		for _, t := range p.Trend {
			fmt.Fprintf(bw, "| #%d | %s | %s | %s | %s | %s | %s |\n", t.ScoreRun, t.Date.Format("2006-01-02"), l10n.Int(t.Datasets, l),
				fmtNum(t.Scores.Overall, l), fmtNum(t.OpenLicence, l), fmtNum(t.Tau, l), fmtNum(t.LinksOK, l))
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

// sparkline draws values 0–100 as block characters ("·" when unknown).
func sparkline(vals []*float64) string {
	const blocks = "▁▂▃▄▅▆▇█"
	r := []rune(blocks)
	var b strings.Builder
	for _, v := range vals {
		if v == nil {
			b.WriteString("·")
			continue
		}
		i := int(math.Round(*v / 100 * float64(len(r)-1)))
		b.WriteRune(r[max(0, min(len(r)-1, i))])
	}
	return b.String()
}

// seriesColors are the portals' colours in charts, in order.
var seriesColors = []string{"#2E75B6", "#C0504D", "#2E7D32", "#B26A00", "#7B3FA0", "#00838F", "#AD1457", "#5D4037", "#546E7A", "#9E9D24"}

func seriesColor(i int) string { return seriesColors[i%len(seriesColors)] }

// svgSeries is one portal's line in a chart.
type svgSeries struct {
	Name   string
	Color  string
	Points []svgPoint
}

type svgPoint struct {
	T time.Time
	V *float64
}

// svgChart is a line chart drawn server-side as inline SVG: no script, no
// external resource. Text reaches it only through html/template.
type svgChart struct {
	Title          string
	W, H           int
	Lines          []svgLine
	YTicks, XTicks []svgTick
	Legend         []svgLegend
	Empty          bool
}

type svgLine struct {
	Color, Path string
	Dots        []svgDot
}

type svgDot struct {
	X, Y  float64
	Title string
}

type svgTick struct {
	Pos    float64
	Label  string
	Anchor string // start, middle or end
}

type svgLegend struct {
	X, Y         float64 // Y: the top of the entry's row
	Color, Label string
}

const (
	chartW, chartH                   = 600, 260
	padL, padR, padT, padB           = 46.0, 16.0, 12.0, 52.0
	chartInnerW, chartInnerH float64 = chartW - padL - padR, chartH - padT - padB
)

// lineChart lays out series over time; y from 0 to yMax (0: the data's
// maximum, rounded up).
func lineChart(title string, series []svgSeries, yMax float64, lang string) svgChart {
	c := svgChart{Title: title, W: chartW, H: chartH}
	var tmin, tmax time.Time
	dataMax := 0.0
	n := 0
	for _, s := range series {
		for _, p := range s.Points { // every run sets the time axis, so the charts line up
			if tmin.IsZero() || p.T.Before(tmin) {
				tmin = p.T
			}
			if p.T.After(tmax) {
				tmax = p.T
			}
			if p.V != nil {
				n++
				dataMax = math.Max(dataMax, *p.V)
			}
		}
	}
	if n == 0 {
		c.Empty = true
		return c
	}
	if yMax <= 0 {
		yMax = niceCeil(dataMax)
	}
	span := tmax.Sub(tmin).Seconds()
	x := func(t time.Time) float64 {
		if span == 0 {
			return padL + chartInnerW/2
		}
		return padL + chartInnerW*t.Sub(tmin).Seconds()/span
	}
	y := func(v float64) float64 { return padT + chartInnerH*(1-math.Min(v, yMax)/yMax) }
	for i := 0; i <= 4; i++ {
		v := yMax * float64(i) / 4
		c.YTicks = append(c.YTicks, svgTick{Pos: y(v), Label: fmtNum(&v, lang)})
	}
	ticks := 4
	if span == 0 {
		ticks = 0
	}
	layout := "2006-01-02"
	if tmax.Sub(tmin) < 4*24*time.Hour && span > 0 {
		layout = "01-02 15:04" // runs close together: the hour tells them apart
	}
	for i := 0; i <= ticks; i++ {
		t := tmin
		anchor := "middle"
		if ticks > 0 {
			t = tmin.Add(time.Duration(float64(tmax.Sub(tmin)) * float64(i) / float64(ticks)))
			switch i {
			case 0:
				anchor = "start"
			case ticks:
				anchor = "end"
			}
		}
		label := t.UTC().Format(layout)
		if n := len(c.XTicks); n > 0 && c.XTicks[n-1].Label == label {
			continue // runs minutes apart: one label per distinct time
		}
		c.XTicks = append(c.XTicks, svgTick{Pos: x(t), Label: label, Anchor: anchor})
	}
	lx, ly := padL, float64(chartH-padB+28)
	for i, s := range series {
		color := s.Color
		if color == "" {
			color = seriesColor(i)
		}
		line := svgLine{Color: color}
		var path strings.Builder
		pen := false
		for _, p := range s.Points {
			if p.V == nil {
				pen = false
				continue
			}
			px, py := x(p.T), y(*p.V)
			if pen {
				fmt.Fprintf(&path, " L%.1f %.1f", px, py)
			} else {
				fmt.Fprintf(&path, " M%.1f %.1f", px, py)
				pen = true
			}
			line.Dots = append(line.Dots, svgDot{X: px, Y: py, Title: s.Name + " " + p.T.UTC().Format("2006-01-02") + ": " + fmtNum(p.V, lang)})
		}
		line.Path = strings.TrimSpace(path.String())
		c.Lines = append(c.Lines, line)
		// The legend wraps onto as many rows as the portals need; the chart
		// grows to hold them.
		label := shorten(s.Name, 24)
		w := 14 + 7*float64(len([]rune(label))) + 18
		if lx > padL && lx+w > chartW-padR {
			lx, ly = padL, ly+legendRowH
		}
		c.Legend = append(c.Legend, svgLegend{X: lx, Y: ly, Color: color, Label: label})
		lx += w
	}
	c.H = int(ly) + legendRowH
	return c
}

// legendRowH is the height of a row of the charts' legend.
const legendRowH = 20

func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*exp >= v {
			return m * exp
		}
	}
	return 10 * exp
}

const svgChartTmpl = `{{define "chart"}}<figure class="chart"><figcaption>{{.Title}}</figcaption>
{{if .Empty}}<p class="muted">—</p>{{else}}<svg viewBox="0 0 {{.W}} {{.H}}" width="{{.W}}" height="{{.H}}" role="img" aria-label="{{.Title}}">
{{range .YTicks}}<line x1="46" x2="584" y1="{{.Pos}}" y2="{{.Pos}}" class="grid"/><text x="40" y="{{.Pos}}" class="yl">{{.Label}}</text>
{{end}}{{range .XTicks}}<text x="{{.Pos}}" y="224" class="xl" text-anchor="{{.Anchor}}">{{.Label}}</text>
{{end}}{{range .Lines}}<path d="{{.Path}}" stroke="{{.Color}}" class="ln"/>{{$c := .Color}}{{range .Dots}}<circle cx="{{.X}}" cy="{{.Y}}" r="3.5" fill="{{$c}}"><title>{{.Title}}</title></circle>{{end}}
{{end}}{{range .Legend}}<rect x="{{.X}}" y="{{.Y}}" width="12" height="12" fill="{{.Color}}"/><text x="{{.X}}" y="{{.Y}}" dy="10" dx="16" class="lg">{{.Label}}</text>
{{end}}</svg>{{end}}</figure>{{end}}`

const sharedCSS = `:root{--fg:#1d2733;--muted:#5b6b7b;--line:#d7dee6;--bg:#f6f8fa;--accent:#2E75B6}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:#fff}
header{background:#0b3d66;color:#fff;padding:18px 28px}header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.85}
main{padding:18px 28px;max-width:1400px}h2{font-size:17px;margin:26px 0 10px}
table{border-collapse:collapse;width:100%;background:#fff;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:right;white-space:nowrap}
th{background:var(--bg);font-weight:600;position:sticky;top:0}th:first-child,td:first-child,td.t,th.t{text-align:left}
td.t{white-space:normal;max-width:340px}table.cmp th{white-space:normal;vertical-align:bottom}table.cmp{font-size:13px}table.cmp th,table.cmp td{padding:5px 6px}.addr{font-size:12px;color:var(--muted);word-break:break-all}tr:hover td{background:#fafcff}.muted{color:var(--muted)}
.wrap{overflow-x:auto;border:1px solid var(--line);border-radius:6px}
.charts{display:flex;flex-wrap:wrap;gap:18px}.chart{margin:0;border:1px solid var(--line);border-radius:6px;padding:10px 12px}
.chart figcaption{font-weight:600;margin-bottom:4px}.grid{stroke:#e6ebf0}.yl{font-size:11px;fill:var(--muted);text-anchor:end;dominant-baseline:middle}
.xl{font-size:11px;fill:var(--muted)}td.n{white-space:nowrap}td.org{min-width:220px}td.small{font-size:12px;white-space:nowrap}.lg{font-size:12px;fill:var(--fg)}.ln{fill:none;stroke-width:2.25}
.sc{display:inline-block;min-width:42px;padding:1px 6px;border-radius:10px;text-align:center}
.s0{background:#fde2e1}.s1{background:#fff1d6}.s2{background:#e3f2e1}.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
footer{padding:12px 28px;color:var(--muted);font-size:12px}a{color:var(--accent)}`

// scoreClass colours a 0–100 score: red under 50, amber under 75, green.
func scoreClass(p *float64) string {
	switch {
	case p == nil:
		return ""
	case *p < 50:
		return "sc s0"
	case *p < 75:
		return "sc s1"
	}
	return "sc s2"
}

type htmlCell struct {
	Text, Class string
	Left        bool
	Color       string
	Sub         string // a second, smaller line (the portal's address)
}

// cmpTable is one table of the comparison page.
type cmpTable struct {
	Title string
	Head  []htmlCell
	Rows  [][]htmlCell
}

type comparisonPage struct {
	Lang, Title, Sub, Note string
	Tables                 []cmpTable
	Charts                 []svgChart
	Trend                  string
	TrendHead              []string
	TrendRows              [][]htmlCell
	Footer                 string
	CSS                    template.CSS
}

const comparisonTmpl = svgChartTmpl + `<!DOCTYPE html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>{{.Title}}</title><style>{{.CSS}}</style></head><body>
<header><h1>{{.Title}}</h1><p>{{.Sub}}</p></header><main>
<p class="muted">{{.Note}}</p>
{{range .Tables}}<h2>{{.Title}}</h2>
<div class="wrap"><table class="cmp"><thead><tr>{{range .Head}}<th{{if .Left}} class="t"{{end}}>{{.Text}}</th>{{end}}</tr></thead><tbody>
{{range .Rows}}<tr>{{range .}}<td{{if .Color}} class="n"{{else if .Left}} class="t"{{end}}>{{if .Color}}<span class="swatch" style="background:{{.Color}}"></span>{{end}}{{if .Class}}<span class="{{.Class}}">{{.Text}}</span>{{else}}{{.Text}}{{end}}{{if .Sub}}<br><span class="addr">{{.Sub}}</span>{{end}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
{{end}}<h2>{{.Trend}}</h2><div class="charts">{{range .Charts}}{{template "chart" .}}{{end}}</div>
<h2>{{.Trend}} — {{index .TrendHead 0}}</h2>
<div class="wrap"><table class="cmp"><thead><tr>{{range .TrendHead}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{range .TrendRows}}<tr>{{range .}}<td{{if .Left}} class="t"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</tbody></table></div>
</main><footer>{{.Footer}}</footer></body></html>
`

var comparisonPageTmpl = template.Must(template.New("cmp").Parse(comparisonTmpl))

func comparisonHTML(w io.Writer, c *Comparison) error {
	l := c.Lang
	pg := comparisonPage{Lang: l, Title: cl(l, "title"), CSS: template.CSS(sharedCSS),
		Sub:    fmt.Sprintf("%s %s — %d %s", cl(l, "generated"), c.GeneratedAt.Format("2006-01-02 15:04 MST"), len(c.Portals), cl(l, "portals")),
		Note:   cl(l, "per_portal") + " " + cl(l, "unknown_note"),
		Trend:  cl(l, "trend"),
		Footer: "vigie — " + cl(l, "title"),
	}
	// Two tables, each led by the portal, so that each fits a 1,400-pixel
	// window: the scores, then the ratings and shares. The address is written
	// under the portal's name.
	var scores, shares []compareColumn
	for _, col := range compareColumns() {
		switch {
		case col.key == "url":
		case col.key == "portal":
			scores, shares = append(scores, col), append(shares, col)
		case len(shares) > 1 || col.key == string(vigie.RatingExcellent):
			shares = append(shares, col)
		default:
			scores = append(scores, col)
		}
	}
	for _, tc := range []struct {
		title string
		cols  []compareColumn
	}{{cl(l, "table_scores"), scores}, {cl(l, "table_shares"), shares}} {
		tb := cmpTable{Title: tc.title}
		for _, col := range tc.cols {
			tb.Head = append(tb.Head, htmlCell{Text: cl(l, col.key), Left: col.key == "portal"})
		}
		for i := range c.Portals {
			p := &c.Portals[i]
			var row []htmlCell
			for _, col := range tc.cols {
				v := col.value(p)
				cell := htmlCell{Text: OneLine(cellText(v, l), 200)}
				switch col.key {
				case "portal":
					cell.Left, cell.Color = true, seriesColor(i)
					if p.URL != p.Name {
						cell.Sub = OneLine(p.URL, 200)
					}
				case "overall", "completeness", "freshness", "openness", "availability":
					cell.Class = scoreClass(v.(*float64))
				}
				row = append(row, cell)
			}
			tb.Rows = append(tb.Rows, row)
		}
		pg.Tables = append(pg.Tables, tb)
	}
	chart := func(key string, yMax float64, get func(*TrendPoint) *float64) svgChart {
		var series []svgSeries
		for i := range c.Portals {
			p := &c.Portals[i]
			s := svgSeries{Name: OneLine(p.Name, 40), Color: seriesColor(i)}
			for k := range p.Trend {
				s.Points = append(s.Points, svgPoint{T: p.Trend[k].Date, V: get(&p.Trend[k])})
			}
			series = append(series, s)
		}
		return lineChart(cl(l, key), series, yMax, l)
	}
	pg.Charts = []svgChart{
		chart("trend_overall", 100, func(t *TrendPoint) *float64 { return t.Scores.Overall }),
		chart("trend_links", 100, func(t *TrendPoint) *float64 { return t.LinksOK }),
		chart("trend_open", 100, func(t *TrendPoint) *float64 { return t.OpenLicence }),
		chart("trend_datasets", 0, func(t *TrendPoint) *float64 { v := float64(t.Datasets); return &v }),
	}
	for _, k := range trendColumns {
		pg.TrendHead = append(pg.TrendHead, cl(l, k))
	}
	for i := range c.Portals {
		p := &c.Portals[i]
		for k := range p.Trend {
			var row []htmlCell
			for j, v := range trendValues(p, &p.Trend[k]) {
				text := ""
				switch x := v.(type) {
				case int64:
					text = "#" + strconv.FormatInt(x, 10)
				case time.Time:
					text = x.Format("2006-01-02 15:04")
				default:
					text = cellText(v, l)
				}
				row = append(row, htmlCell{Text: OneLine(text, 200), Left: j == 0})
			}
			pg.TrendRows = append(pg.TrendRows, row)
		}
	}
	bw := bufio.NewWriter(w)
	if err := comparisonPageTmpl.Execute(bw, pg); err != nil {
		return err
	}
	return bw.Flush()
}

func comparisonXLSX(w io.Writer, c *Comparison) error {
	l := c.Lang
	f := excelize.NewFile()
	defer f.Close()
	portals, trend := cl(l, "portal")+"s", cl(l, "trend")
	if l == "fr" {
		portals = "Portails"
	}
	if err := f.SetSheetName("Sheet1", portals); err != nil {
		return err
	}
	if _, err := f.NewSheet(trend); err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Color: "FFFFFF"},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"0B3D66"}}})
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 22})
	if err != nil {
		return err
	}
	// Text that reads as a formula is shown as it is, marked by the
	// quote-prefix flag the writer adds to this style (Excel's hidden "'").
	quoted, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	linkStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}})
	if err != nil {
		return err
	}
	set := func(sheet string, col, row int, v any) error {
		cell, _ := excelize.CoordinatesToCellName(col, row)
		switch x := plain(v).(type) {
		case nil:
			return nil
		case string:
			t := xlsxPlain(x)
			if err := f.SetCellStr(sheet, cell, t); err != nil {
				return err
			}
			if FormulaStart(t) {
				return f.SetCellStyle(sheet, cell, cell, quoted)
			}
			return nil
		case *float64:
			if x == nil {
				return nil
			}
			return f.SetCellFloat(sheet, cell, *x, -1, 64)
		case time.Time:
			if err := f.SetCellValue(sheet, cell, x.UTC()); err != nil {
				return err
			}
			return f.SetCellStyle(sheet, cell, cell, dateStyle)
		}
		return f.SetCellValue(sheet, cell, plain(v))
	}
	cols := compareColumns()
	for j, col := range cols {
		if err := set(portals, j+1, 1, cl(l, col.key)); err != nil {
			return err
		}
	}
	for i := range c.Portals {
		for j, col := range cols {
			if err := set(portals, j+1, i+2, col.value(&c.Portals[i])); err != nil {
				return err
			}
			if u := c.Portals[i].URL; col.key == "url" && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+2)
				if err := f.SetCellHyperLink(portals, cell, u, "External"); err != nil {
					return err
				}
				_ = f.SetCellStyle(portals, cell, cell, linkStyle)
			}
		}
	}
	// excelize leaves each sheet's <dimension> at "A1": the writer sets the
	// used range, which some readers trust.
	patches := map[string]*sheetPatch{"xl/worksheets/sheet1.xml": {Dim: "A1:" + dimCol(len(cols)) + strconv.Itoa(len(c.Portals)+1)}}
	last, _ := excelize.CoordinatesToCellName(len(cols), 1)
	_ = f.SetCellStyle(portals, "A1", last, head)
	_ = f.SetColWidth(portals, "A", "A", 18)
	_ = f.SetColWidth(portals, "B", "B", 40)
	_ = f.SetColWidth(portals, "C", last[:len(last)-1], 14)
	_ = f.SetPanes(portals, &excelize.Panes{Freeze: true, XSplit: 1, YSplit: 1, TopLeftCell: "B2", ActivePane: "bottomRight"})

	for j, k := range trendColumns {
		if err := set(trend, j+1, 1, cl(l, k)); err != nil {
			return err
		}
	}
	tlast, _ := excelize.CoordinatesToCellName(len(trendColumns), 1)
	_ = f.SetCellStyle(trend, "A1", tlast, head)
	_ = f.SetColWidth(trend, "A", "A", 18)
	_ = f.SetColWidth(trend, "C", "C", 18)
	row := 2
	type span struct{ first, last int }
	spans := make([]span, len(c.Portals))
	for i := range c.Portals {
		p := &c.Portals[i]
		spans[i].first = row
		for k := range p.Trend {
			for j, v := range trendValues(p, &p.Trend[k]) {
				if err := set(trend, j+1, row, v); err != nil {
					return err
				}
			}
			row++
		}
		spans[i].last = row - 1
	}
	patches["xl/worksheets/sheet2.xml"] = &sheetPatch{Dim: "A1:" + dimCol(len(trendColumns)) + strconv.Itoa(row-1)}
	// One chart per indicator, a line per portal: x is the run's date.
	colOf := func(key string) string {
		for j, k := range trendColumns {
			if k == key {
				n, _ := excelize.ColumnNumberToName(j + 1)
				return n
			}
		}
		return "A"
	}
	chartAt := 2 + len(c.Portals) + 2
	for ci, key := range []string{"overall", "links_working", "open_licence", "datasets"} {
		var series []excelize.ChartSeries
		for i := range c.Portals {
			s := spans[i]
			if s.last < s.first {
				continue
			}
			col := colOf(key)
			series = append(series, excelize.ChartSeries{
				Name:       fmt.Sprintf("'%s'!$A$%d", trend, s.first),
				Categories: fmt.Sprintf("'%s'!$C$%d:$C$%d", trend, s.first, s.last),
				Values:     fmt.Sprintf("'%s'!$%s$%d:$%s$%d", trend, col, s.first, col, s.last),
				Line:       excelize.LineOptions{Width: 2.25},
				Marker:     excelize.ChartMarker{Symbol: "circle", Size: 6},
			})
		}
		if len(series) == 0 {
			continue
		}
		title := map[string]string{"overall": "trend_overall", "links_working": "trend_links", "open_licence": "trend_open", "datasets": "trend_datasets"}[key]
		ch := &excelize.Chart{
			Type:      excelize.Scatter,
			Series:    series,
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: cl(l, title)}}},
			Legend:    excelize.ChartLegend{Position: "bottom"},
			Dimension: excelize.ChartDimension{Width: 620, Height: 300},
			XAxis:     excelize.ChartAxis{NumFmt: excelize.ChartNumFmt{CustomNumFmt: "yyyy-mm-dd"}},
		}
		if key != "datasets" {
			ch.YAxis = excelize.ChartAxis{Minimum: ptrF(0), Maximum: ptrF(100)}
		}
		cell := fmt.Sprintf("%s%d", []string{"A", "H"}[ci%2], chartAt+(ci/2)*17)
		if err := f.AddChart(portals, cell, ch); err != nil {
			return err
		}
	}
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newXlsxPatcher(w, patches, quoted) })
	if _, err := f.WriteTo(w); err != nil {
		return errors.New("xlsx: " + err.Error())
	}
	return nil
}

// dimCol is the letters of column n (1: A).
func dimCol(n int) string {
	s, _ := excelize.ColumnNumberToName(n)
	return s
}
