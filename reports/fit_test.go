package reports

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/vigie-audit/vigie"
)

// The dashboard's numbers read as the language writes them everywhere, the
// summary charts included: "1 408 (70,4 %)" with narrow no-break spaces in
// French, "1,408 (70.4%)" in English, and the cards' percentages likewise.
func TestHTMLNumbersFollowLanguage(t *testing.T) {
	for _, tc := range []struct {
		lang              string
		bar, card, absent string
	}{
		{"fr", "1\u202f408 (70,4\u202f%)", "66,7\u202f%", "1408"},
		{"en", "1,408 (70.4%)", "66.7%", "1408"},
	} {
		r := sampleReport(tc.lang)
		r.Summary.Ratings = map[vigie.Rating]int{"excellent": 0, "good": 1408, "sufficient": 570, "bad": 22}
		doc, err := html.Parse(bytes.NewReader(write(t, HTML{}, r)))
		if err != nil {
			t.Fatal(err)
		}
		var bars, cards []string
		walk(doc, func(n *html.Node) {
			if n.Type != html.ElementNode {
				return
			}
			if c, _ := attr(n, "class"); c == "val" && n.Data == "text" {
				bars = append(bars, textOf(n))
			} else if c == "value" {
				cards = append(cards, textOf(n))
			}
		})
		if !contains(bars, tc.bar) {
			t.Errorf("%s: no chart value %q among %q", tc.lang, tc.bar, bars)
		}
		for _, b := range bars {
			if strings.Contains(b, tc.absent) || strings.Contains(b, " %") {
				t.Errorf("%s: chart value %q: thousands not grouped, or an ordinary space before %%", tc.lang, b)
			}
		}
		if !contains(cards, tc.card) { // open licence: 2 of 3 datasets
			t.Errorf("%s: no card %q among %q", tc.lang, tc.card, cards)
		}
	}
}

// Runs on the same day are told apart in the history by their time, in the
// chart's labels (no label repeated, the first and last inside the chart)
// and in the table.
func TestHistoryTellsSameDayRunsApart(t *testing.T) {
	r := sampleReport("fr")
	morning := Run{ID: 8, StartedAt: time.Date(2026, 11, 26, 9, 5, 0, 0, time.UTC), Profile: "donneesquebec"}
	r.History = []HistoryPoint{r.History[0], {Run: morning, Indicators: r.History[0].Indicators}, r.History[1]}
	out := string(write(t, HTML{}, r))
	for _, want := range []string{">2026-11-01 11:00<", ">2026-11-26 09:05<", ">2026-11-26 11:00<",
		`text-anchor="start">2026-11-01 11:00</text>`, `text-anchor="end">2026-11-26 11:00</text>`} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q", want)
		}
	}
	p := htmlPageOf(r)
	seen := map[string]bool{}
	for _, l := range p.Trend.Labels {
		if seen[l.Text] {
			t.Errorf("label %q repeated", l.Text)
		}
		seen[l.Text] = true
	}
	// Runs on different days keep the date alone.
	r.History = []HistoryPoint{r.History[0], r.History[2]}
	if p := htmlPageOf(r); p.HistoryDates[0] != "2026-11-01" || p.Trend.Labels[1].Text != "2026-11-26" {
		t.Errorf("dates %q, labels %+v", p.HistoryDates, p.Trend.Labels)
	}
}

// manyPortals is the seeded comparison's portal twelve times, under long
// names and with large counts: the widest comparison a page shows.
func manyPortals(t *testing.T, lang string) *Comparison {
	c := seededComparison(t)
	c.Lang = lang
	one := c.Portals[0]
	c.Portals = nil
	for i := 0; i < 12; i++ {
		p := one
		p.Name = fmt.Sprintf("portail-de-donnees-ouvertes-%02d", i)
		p.URL = fmt.Sprintf("https://donnees.municipalite-%02d.example.qc.ca/recherche", i)
		p.Datasets, p.Publishers = 123456, 1234
		c.Portals = append(c.Portals, p)
	}
	return c
}

// The comparison writes counts as the language does and its charts' legend
// wraps onto as many rows as the portals need, inside the chart.
func TestComparisonNumbersAndLegend(t *testing.T) {
	for lang, want := range map[string]string{"fr": "123\u202f456", "en": "123,456"} {
		c := manyPortals(t, lang)
		out := string(writeCmp(t, c, "html"))
		if !strings.Contains(out, ">"+want+"<") || strings.Contains(out, ">123456<") {
			t.Errorf("%s: the datasets count is not written %q", lang, want)
		}
		md := string(writeCmp(t, c, "md"))
		if !strings.Contains(md, "| "+want+" |") {
			t.Errorf("%s: markdown lacks %q", lang, want)
		}
	}
	c := manyPortals(t, "fr")
	var series []svgSeries
	for _, p := range c.Portals {
		series = append(series, svgSeries{Name: p.Name, Points: []svgPoint{{T: seedNow, V: f64(50)}}})
	}
	ch := lineChart("t", series, 100, "fr")
	if len(ch.Legend) != 12 {
		t.Fatalf("%d legend entries, want 12", len(ch.Legend))
	}
	rows := map[float64]bool{}
	for _, lg := range ch.Legend {
		end := lg.X + 14 + 7*float64(len([]rune(lg.Label)))
		if end > chartW || lg.Y+12 > float64(ch.H) {
			t.Errorf("legend %q at (%v,%v) to x %v leaves the %dx%d chart", lg.Label, lg.X, lg.Y, end, chartW, ch.H)
		}
		rows[lg.Y] = true
	}
	if len(rows) < 3 {
		t.Errorf("12 long names on %d legend rows", len(rows))
	}
}

// In a 1,400-pixel window no table of the comparison page needs a horizontal
// scroll, with twelve portals of long names and large counts (measured in
// headless Chromium, when installed).
func TestComparisonFitsInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	for _, lang := range []string{"fr", "en"} {
		page := string(writeCmp(t, manyPortals(t, lang), "html"))
		overflow := measureTables(t, bin, page, ".wrap", 1400)
		if len(overflow) != 3 {
			t.Fatalf("%s: measured %v, want 3 tables", lang, overflow)
		}
		for i, px := range overflow {
			if px != 0 {
				t.Errorf("%s: table %d overflows a 1,400-pixel window by %d pixels", lang, i+1, px)
			}
		}
	}
}

// measureTables opens page in Chromium width pixels wide and returns by how many
// pixels each box matching selector is narrower than its content (0: no
// horizontal scroll). The page's Content-Security-Policy is loosened on a
// copy to let the measuring script run.
func measureTables(t *testing.T, bin, page, selector string, width int) []int {
	t.Helper()
	page = strings.Replace(page, "default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';", 1)
	page = strings.Replace(page, "</body>", `<script>window.addEventListener("load", function () {
  setTimeout(function () {
    var o = [];
    document.querySelectorAll("`+selector+`").forEach(function (w) { o.push(w.scrollWidth - w.clientWidth); });
    document.body.setAttribute("data-overflow", o.join(" "));
  }, 0);
});</script></body>`, 1)
	file := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--hide-scrollbars", "--user-data-dir="+t.TempDir(), fmt.Sprintf("--window-size=%d,900", width), "--virtual-time-budget=3000",
		"--dump-dom", "file://"+file)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	m := regexp.MustCompile(`data-overflow="([^"]*)"`).FindSubmatch(stdout.Bytes())
	if m == nil {
		t.Fatal("the measuring script did not run")
	}
	var out []int
	for _, f := range strings.Fields(string(m[1])) {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	return out
}
