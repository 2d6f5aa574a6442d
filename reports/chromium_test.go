package reports

import (
	"bytes"
	"context"
	"github.com/vigie-audit/vigie"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// TestHTMLInChromium renders the dashboard in headless Chromium (Debian's
// chromium package) when it is installed: the script must fill the datasets
// table page by page, and the hostile title must stay text. Screenshots at
// laptop and phone widths are kept in testdata/artifacts (ignored by git).
func TestHTMLInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	ctx := context.Background()
	db := seedStore(t, 200, 2, true)
	r, err := Build(ctx, db, Options{Scope: vigie.Scope{Portal: seedPortal}, Now: seedNow})
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "artifacts"))
	if err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, write(t, HTML{}, r), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) []byte {
		t.Helper()
		cctx, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
			"--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
		cmd := exec.CommandContext(cctx, bin, append(append(base, args...), "file://"+page)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
		}
		return stdout.Bytes()
	}
	dom, err := html.Parse(bytes.NewReader(run("--dump-dom")))
	if err != nil {
		t.Fatal(err)
	}
	var dsRows int
	var count string
	walk(dom, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		id, _ := attr(n, "id")
		switch {
		case n.Data == "table" && id == "ds":
			walk(n, func(c *html.Node) {
				if c.Type == html.ElementNode && c.Data == "tr" && c.Parent != nil && c.Parent.Data == "tbody" {
					dsRows++
				}
			})
		case id == "ds-count":
			count = textOf(n)
		case n.Data == "img":
			t.Error("an <img> appeared in the rendered page: the hostile title was parsed as markup")
		}
	})
	if dsRows != 50 {
		t.Errorf("the datasets table shows %d rows, want a first page of 50", dsRows)
	}
	if !strings.Contains(count, "200") {
		t.Errorf("row count %q does not say 200", count)
	}
	// In a 1,400-pixel window every table fits: no column is cut off behind a
	// horizontal scroll (the datasets table, the organizations, the findings,
	// the links and the history, whose column per indicator is the widest).
	// A real portal's names may have nothing to break at
	// (december_2020_purchase_card_transactions on data.birmingham.gov.uk), and
	// a title may be one long token: on the first page (lowest score), they wrap.
	wide := sampleReport("fr")
	wide.Datasets[0].Name = "december_2020_purchase_card_transactions_birmingham_city_council"
	wide.Datasets[0].Title = `=HYPERLINK("http://evil.example/un/chemin/assez/long","cliquez")`
	if o := measureTables(t, bin, string(write(t, HTML{}, wide)), "#datasets .tablewrap", 1400); len(o) != 1 || o[0] != 0 {
		t.Errorf("in a 1,400-pixel window, unbreakable names and titles widen the datasets table by %v pixels", o)
	}
	overflow := measureTables(t, bin, string(write(t, HTML{}, r)), ".tablewrap", 1400)
	if len(overflow) != 5 {
		t.Fatalf("measured %v, want 5 tables", overflow)
	}
	for i, px := range overflow {
		if px != 0 {
			t.Errorf("in a 1,400-pixel window table %d of 5 overflows its box by %d pixels: columns are cut off", i+1, px)
		}
	}
	// On a phone the filters stay inside the screen: a long organization name
	// in the select does not push it past the edge.
	r.Organizations = append(r.Organizations, Organization{Name: "long", Title: strings.Repeat("Ministère de l'Économie, de l'Innovation et de l'Énergie ", 2)})
	if o := measureTables(t, bin, string(write(t, HTML{}, r)), "#ds-filters", 390); len(o) != 1 || o[0] != 0 {
		t.Errorf("in a 390-pixel window the filters overflow by %v pixels", o)
	}
	for _, size := range []struct{ name, window string }{{"report-laptop.png", "1366,3000"}, {"report-phone.png", "390,2400"}} {
		shot := filepath.Join(dir, size.name)
		run("--window-size="+size.window, "--screenshot="+shot)
		if st, err := os.Stat(shot); err != nil || st.Size() < 10_000 {
			t.Errorf("screenshot %s: %v", shot, err)
		}
		t.Logf("screenshot: %s", shot)
	}
}
