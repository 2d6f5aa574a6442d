package reports

import (
	"bufio"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"html/template"
	"io"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed assets/report.html.tmpl assets/report.css assets/report.js
var assets embed.FS

// HTML writes one self-contained, offline dashboard: summary cards, SVG
// charts, sortable tables, and the datasets as a JSON blob rendered page by
// page by a small script. Nothing is loaded from outside: the page carries
// a Content-Security-Policy that forbids it. Portal text reaches the page
// only through html/template's contextual escaping, JSON encoding (which
// escapes <, > and &) and the DOM's textContent.
type HTML struct{}

var _ Writer = (*HTML)(nil)

// maxHTMLLinks caps the links table of the dashboard; the other formats
// list them all.
const maxHTMLLinks = 2000

var (
	pageOnce sync.Once
	pageTmpl *template.Template
	pageJS   []byte
	pageErr  error
)

func loadPage() (*template.Template, []byte, error) {
	pageOnce.Do(func() {
		var src, css []byte
		if src, pageErr = assets.ReadFile("assets/report.html.tmpl"); pageErr != nil {
			return
		}
		if css, pageErr = assets.ReadFile("assets/report.css"); pageErr != nil {
			return
		}
		if pageJS, pageErr = assets.ReadFile("assets/report.js"); pageErr != nil {
			return
		}
		text := strings.Replace(string(src), "/*CSS*/", string(css), 1)
		pageTmpl, pageErr = template.New("report").Funcs(template.FuncMap{
			"t":    func(any) string { return "" },
			"num":  func(*float64) string { return "" },
			"num1": func(float64) string { return "" },
			"int":  func(int) string { return "" },
			"intp": func(*int) string { return "" },
			"rawi": func(*int) string { return "" },
			"raw":  func(*float64) string { return "" },
			"date": func(any) string { return "" },
		}).Parse(text)
	})
	return pageTmpl, pageJS, pageErr
}

type htmlCard struct {
	Label, Value, Delta, DeltaClass, Sub string
}

type htmlBar struct {
	Label, Short, Text string
	Y, TY, BW, VX      float64
}

type htmlChart struct {
	ID, Title    string
	W, H         int
	LabelW, BarW float64
	Bars         []htmlBar
}

// htmlTrend is a line chart of 0–100 indicators over the score runs.
type htmlTrend struct {
	W, H   int
	Lines  []htmlLine
	Ticks  []htmlTick
	Labels []htmlTick
}

type htmlLine struct {
	Label, Class, Points string
	LX, LY               float64
}

type htmlTick struct {
	Text   string
	X, Y   float64
	Anchor string // SVG text-anchor: start, middle or end
}

type htmlOrg struct {
	Organization
	Display string
}

type htmlCode struct{ Code, Label string }

type htmlPage struct {
	Lang, Portal                                                  string
	PortalLink                                                    bool
	GeneratedAt, ScoreRun, HarvestRun, CompareRun, Scope, Version string
	Warnings                                                      []string
	NotPublishedLabel, NotPublished                               string
	AsOf                                                          string
	Cards                                                         []htmlCard
	Charts                                                        []htmlChart
	Orgs                                                          []htmlOrg
	Ratings, Statuses                                             []htmlCode
	TopFindings                                                   []RuleCount
	Links                                                         []Link
	LinksCut                                                      string
	History                                                       []HistoryPoint
	HistoryCols                                                   []string
	HistoryDates                                                  []string // one per History point
	Trend                                                         *htmlTrend
	LabelW, BarW                                                  float64
}

// Write writes r to w as one HTML file.
func (HTML) Write(ctx context.Context, w io.Writer, r *Report) error {
	base, js, err := loadPage()
	if err != nil {
		return err
	}
	l := r.Lang
	tmpl, err := base.Clone()
	if err != nil {
		return err
	}
	tmpl.Funcs(template.FuncMap{
		"t":    func(k any) string { return r.heading(fmt.Sprint(k)) }, // a key, or a code of the root package
		"num":  func(p *float64) string { return fmtNum(p, l) },
		"num1": func(v float64) string { return fmtNum(&v, l) },
		"int":  func(n int) string { return l10n.Int(n, l) },
		"intp": func(p *int) string { return fmtInt(p, l) },
		"rawi": func(p *int) string {
			if p == nil {
				return ""
			}
			return strconv.Itoa(*p)
		},
		"raw": func(p *float64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatFloat(*p, 'f', -1, 64)
		},
		"date": func(v any) string {
			if t, ok := timeOf(v); ok {
				return t.UTC().Format("2006-01-02")
			}
			return ""
		},
	})
	page := htmlPageOf(r)
	bw := bufio.NewWriterSize(w, 1<<16)
	if err := tmpl.ExecuteTemplate(bw, "page", page); err != nil {
		return err
	}
	meta := map[string]any{"lang": l, "portal": r.Portal, "labels": jsLabels(l)}
	bw.WriteString(`<script type="application/json" id="vigie-meta">`)
	if err := writeJSONValue(bw, meta); err != nil {
		return err
	}
	bw.WriteString("</script>\n<script type=\"application/json\" id=\"vigie-rows\">[")
	strs := newInterner()
	first := true
	var line []byte // one dataset's row, its buffer reused
	err = r.EachDataset(ctx, true, func(d *Dataset) error {
		if !first {
			bw.WriteString(",\n")
		}
		first = false
		b, err := appendHTMLRow(line[:0], d, strs)
		if err != nil {
			return err
		}
		line = b
		_, err = bw.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	bw.WriteString("]</script>\n<script type=\"application/json\" id=\"vigie-strings\">")
	if err := writeJSONValue(bw, strs.list); err != nil {
		return err
	}
	bw.WriteString("</script>\n<script>")
	bw.Write(js)
	bw.WriteString("</script>\n</body>\n</html>\n")
	return bw.Flush()
}

// writeJSONValue writes v as JSON that is safe inside a <script> element:
// encoding/json escapes <, >, &, U+2028 and U+2029, so "</script>" or
// "<!--" can never appear in it.
func writeJSONValue(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// interner numbers repeated strings (rules, messages, hints) so that each is
// written once.
type interner struct {
	ids  map[string]int
	list []string
}

func newInterner() *interner { return &interner{ids: map[string]int{}, list: []string{}} }

func (in *interner) id(s string) int {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := len(in.list)
	in.ids[s] = id
	in.list = append(in.list, s)
	return id
}

// jsLabels are the words the script prints.
func jsLabels(l string) map[string]string {
	out := map[string]string{}
	keys := []string{"rows", "page", "show_findings", "no_findings", "col_resource", "col_points", "col_hint", "no_org"}
	keys = appendCodes(keys, vigie.Ratings)
	keys = appendCodes(keys, vigie.FreshnessStatuses)
	keys = appendCodes(keys, vigie.Severities)
	keys = appendCodes(keys, vigie.Dimensions)
	for _, k := range keys {
		out[k] = T(l, k)
	}
	return out
}

func htmlPageOf(r *Report) *htmlPage {
	l := r.Lang
	p := &htmlPage{
		Lang:        l,
		Portal:      r.Portal,
		PortalLink:  strings.HasPrefix(r.Portal, "https://") || strings.HasPrefix(r.Portal, "http://"),
		GeneratedAt: r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC"),
		ScoreRun:    r.scoreRunText("2006-01-02"),
		Version:     r.VigieVersion,
		Scope:       r.Scope(),
		TopFindings: r.TopFindings,
		Links:       r.Links,
		History:     r.History,
		LabelW:      170,
		BarW:        220,
	}
	if label, text, ok := r.NotPublished(); ok {
		p.NotPublishedLabel, p.NotPublished = label, text
	}
	if r.ScoreRun.AsOf != nil {
		p.AsOf = r.ScoreRun.AsOf.UTC().Format("2006-01-02 15:04 UTC")
	}
	p.Warnings = r.Warnings
	if r.HarvestRun != nil {
		p.HarvestRun = fmt.Sprintf("%d — %s", r.HarvestRun.ID, r.HarvestRun.StartedAt.UTC().Format("2006-01-02"))
	}
	if r.CompareRun != nil {
		p.CompareRun = fmt.Sprintf("%d — %s", r.CompareRun.ID, r.CompareRun.StartedAt.UTC().Format("2006-01-02"))
	}
	if len(p.Links) > maxHTMLLinks {
		p.LinksCut = fmt.Sprintf("%d / %d — xlsx, csv, json", maxHTMLLinks, len(p.Links))
		p.Links = p.Links[:maxHTMLLinks]
	}
	for _, i := range r.Commitment {
		c := htmlCard{Label: i.Label, Value: fmtNum(i.Value, l), Sub: i.Note}
		if i.Unit == "percent" && i.Value != nil {
			c.Value = l10n.Percent(*i.Value, 1, l) // "91,1 %" in French, "91.1%" in English
		}
		if i.Change != nil {
			c.Delta = fmtChange(i.Change, l)
			if r.CompareRun != nil {
				c.Delta += " " + fmt.Sprintf(T(l, "change_since"), r.CompareRun.ID)
			}
			switch {
			case *i.Change > 0:
				c.DeltaClass = "up"
			case *i.Change < 0:
				c.DeltaClass = "down"
			default:
				c.DeltaClass = "flat"
			}
			if strings.HasPrefix(i.Key, "mqa_bad") { // fewer is better
				if *i.Change > 0 {
					c.DeltaClass = "down"
				} else if *i.Change < 0 {
					c.DeltaClass = "up"
				}
			}
		}
		if i.Baseline != nil && i.Value != nil {
			c.Sub = fmt.Sprintf("%s (%s)", i.Note, fmtChange(ptr(*i.Value-*i.Baseline), l))
		}
		p.Cards = append(p.Cards, c)
	}
	for _, o := range r.Organizations {
		d := o.Title
		if d == "" {
			d = o.Name
		}
		if d == "" {
			d = T(l, "no_org")
		}
		p.Orgs = append(p.Orgs, htmlOrg{Organization: o, Display: d})
	}
	for _, k := range vigie.Ratings {
		p.Ratings = append(p.Ratings, htmlCode{string(k), T(l, k)})
	}
	for _, k := range vigie.FreshnessStatuses {
		p.Statuses = append(p.Statuses, htmlCode{string(k), T(l, k)})
	}
	if len(r.History) > 0 {
		for _, i := range r.History[0].Indicators {
			p.HistoryCols = append(p.HistoryCols, i.Label)
		}
	}
	if len(r.History) > 1 {
		p.Trend = trend(r.History, l)
	}
	layout := historyLayout(r.History)
	for _, h := range r.History {
		p.HistoryDates = append(p.HistoryDates, h.Run.StartedAt.UTC().Format(layout))
	}
	// Charts.
	count := func(v float64) string { return l10n.Int(int(v), l) }
	var bars []htmlBar
	for _, k := range vigie.Ratings {
		bars = append(bars, htmlBar{Label: T(l, k), Y: float64(r.Summary.Ratings[k])})
	}
	p.Charts = append(p.Charts, p.chart("c-ratings", T(l, "chart_ratings"), bars, 0, count))
	bars = nil
	for _, k := range vigie.FreshnessStatuses {
		bars = append(bars, htmlBar{Label: T(l, k), Y: float64(r.Summary.Freshness[k])})
	}
	p.Charts = append(p.Charts, p.chart("c-fresh", T(l, "chart_fresh"), bars, 0, count))
	bars = nil
	for i, n := range r.Summary.Stars {
		bars = append(bars, htmlBar{Label: strings.Repeat("★", i) + strings.Repeat("☆", 5-i), Y: float64(n)})
	}
	p.Charts = append(p.Charts, p.chart("c-stars", T(l, "chart_stars"), bars, 0, count))
	bars = nil
	for _, o := range p.Orgs {
		if len(bars) == 15 {
			break
		}
		if o.Scores.Overall != nil {
			bars = append(bars, htmlBar{Label: o.Display, Y: *o.Scores.Overall})
		}
	}
	p.Charts = append(p.Charts, p.chart("c-orgs", T(l, "chart_orgs"), bars, 100, func(v float64) string { return fmtNum(&v, l) }))
	return p
}

// chart lays out a horizontal bar chart; max 0 means the largest value.
func (p *htmlPage) chart(id, title string, bars []htmlBar, max float64, format func(float64) string) htmlChart {
	dist := max == 0
	if max == 0 {
		for _, b := range bars {
			if b.Y > max {
				max = b.Y
			}
		}
	}
	total := 0.0
	for _, b := range bars {
		total += b.Y
	}
	out := htmlChart{ID: id, Title: title, W: int(p.LabelW + p.BarW + 100), H: 22*len(bars) + 6, LabelW: p.LabelW, BarW: p.BarW}
	for i, b := range bars {
		v := b.Y
		b.Text = format(v)
		if dist && total > 0 { // a distribution: add the share
			b.Text += " (" + l10n.Percent(*round(ptr(100 * v / total)), 1, p.Lang) + ")"
		}
		b.Short = shorten(b.Label, 24)
		b.Y = float64(i*22 + 4)
		b.TY = b.Y + 11.5
		if max > 0 {
			b.BW = p.BarW * v / max
		}
		b.VX = p.LabelW + b.BW + 6
		out.Bars = append(out.Bars, b)
	}
	return out
}

func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// trend draws the overall score, open-licence share and tau over the runs.
func trend(h []HistoryPoint, lang string) *htmlTrend {
	const w, ht, left, right, top, bottom = 860, 240, 40, 210, 12, 30
	t := &htmlTrend{W: w, H: ht}
	x := func(i int) float64 { return left + float64(i)*float64(w-left-right)/float64(len(h)-1) }
	y := func(v float64) float64 { return top + (100-v)*float64(ht-top-bottom)/100 }
	for _, v := range []float64{0, 50, 100} {
		t.Ticks = append(t.Ticks, htmlTick{Text: strconv.Itoa(int(v)), X: left - 6, Y: y(v)})
	}
	layout := historyLayout(h)
	for i, p := range h {
		t.Labels = append(t.Labels, htmlTick{Text: p.Run.StartedAt.UTC().Format(layout), X: x(i), Y: ht - 8, Anchor: "middle"})
	}
	if len(t.Labels) > 6 { // keep the first, the last and a few between
		var keep []htmlTick
		step := (len(t.Labels) + 4) / 5
		for i, lb := range t.Labels {
			if i%step == 0 || i == len(t.Labels)-1 {
				keep = append(keep, lb)
			}
		}
		t.Labels = keep
	}
	var distinct []htmlTick
	for _, lb := range t.Labels {
		if n := len(distinct); n == 0 || distinct[n-1].Text != lb.Text {
			distinct = append(distinct, lb)
		}
	}
	t.Labels = distinct
	if n := len(t.Labels); n > 1 { // the end labels stay inside the chart
		t.Labels[0].Anchor, t.Labels[n-1].Anchor = "start", "end"
	}
	for k, key := range []string{"overall", "open_licence", "tau"} {
		var pts []string
		var last *float64
		for i, p := range h {
			for _, ind := range p.Indicators {
				if ind.Key == key && ind.Value != nil {
					pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(*ind.Value)))
					last = ind.Value
				}
			}
		}
		if len(pts) == 0 {
			continue
		}
		line := htmlLine{Label: T(lang, "ind_"+key), Class: "l" + strconv.Itoa(k), Points: strings.Join(pts, " "), LX: w - right + 8}
		line.LY = y(*last) + 4
		t.Lines = append(t.Lines, line)
	}
	return t
}

// historyLayout is how the history writes a run's time: its date, or its
// date and time when two runs share a day (runs within the same minute then
// share a label).
func historyLayout(h []HistoryPoint) string {
	for i := 1; i < len(h); i++ {
		if h[i].Run.StartedAt.UTC().Format("2006-01-02") == h[i-1].Run.StartedAt.UTC().Format("2006-01-02") {
			return "2006-01-02 15:04"
		}
	}
	return "2006-01-02"
}

// appendCodes appends codes to keys as strings.
func appendCodes[C ~string](keys []string, codes []C) []string {
	for _, c := range codes {
		keys = append(keys, string(c))
	}
	return keys
}
