package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// catalogueWithHidden writes a package_search-shaped dump of n generated
// datasets where some are private, draft or deleted, their titles carrying
// a token ("HIDDEN-…") that must never reach a default report. It returns
// the file and how many are public, private, draft and deleted.
func catalogueWithHidden(t *testing.T, n int) (path string, counts map[string]int) {
	t.Helper()
	pkgs := ckantest.Generate(n, 31, ckantest.GenOptions{Orgs: 5, Now: time.Now().UTC().Add(-48 * time.Hour)})
	counts = map[string]int{"public": 0, "private": 0, "draft": 0, "deleted": 0}
	for i, p := range pkgs {
		vis := "public"
		switch i % 10 {
		case 1:
			p["private"] = true
			vis = "private"
		case 4:
			p["state"] = "draft"
			vis = "draft"
		case 7:
			p["state"] = "deleted"
			p["private"] = i%20 == 7 // a deleted dataset is deleted whether private or not
			vis = "deleted"
		case 8:
			p["state"] = "Active" // the state is read whatever its case
		}
		if vis != "public" {
			p["title"] = fmt.Sprintf("HIDDEN-%s-%03d %v", vis, i, p["title"])
		}
		counts[vis]++
	}
	b, err := json.Marshal(map[string]any{"success": true, "result": map[string]any{"count": n, "results": pkgs}})
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(t.TempDir(), "dump.json")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, counts
}

var hiddenTitle = regexp.MustCompile(`HIDDEN-(private|draft|deleted)-\d{3}`)

// reportTexts writes the report in every format and returns each one's text
// (xlsx: every cell of every sheet; csv: every file of the folder).
func reportTexts(t *testing.T, ctx context.Context, g []string, extra ...string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	out := map[string]string{}
	for _, f := range []string{"html", "xlsx", "json", "md", "csv"} {
		path := filepath.Join(dir, "r."+f)
		if f == "csv" {
			path = filepath.Join(dir, "csv")
		}
		args := append(append([]string{"report", "--format", f, "--out", path}, extra...), g...)
		if code, _, errs := cli(ctx, args...); code != 0 {
			t.Fatalf("report %s: %d %s", f, code, errs)
		}
		switch f {
		case "xlsx":
			x, err := excelize.OpenFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, sh := range x.GetSheetList() {
				rows, err := x.GetRows(sh)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rows {
					b.WriteString(strings.Join(r, "\t") + "\n")
				}
			}
			x.Close()
			out[f] = b.String()
		case "csv":
			ents, err := os.ReadDir(path)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, e := range ents {
				data, _ := os.ReadFile(filepath.Join(path, e.Name()))
				b.Write(data)
			}
			out[f] = b.String()
		default:
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			out[f] = string(data)
		}
	}
	return out
}

func datasetsIndicator(t *testing.T, jsonReport string) (value float64, summary map[string]any) {
	t.Helper()
	var r struct {
		Commitment []struct {
			Key      string   `json:"key"`
			Value    float64  `json:"value"`
			Baseline *float64 `json:"baseline"`
		} `json:"commitment"`
		Summary map[string]any `json:"summary"`
	}
	if err := json.Unmarshal([]byte(jsonReport), &r); err != nil {
		t.Fatalf("json report: %v", err)
	}
	for _, i := range r.Commitment {
		if i.Key == "datasets" {
			return i.Value, r.Summary
		}
	}
	t.Fatal("no datasets indicator")
	return 0, nil
}

// TestImportedHiddenDatasetsAreNotPublished imports a dump holding private,
// draft and deleted datasets: the harvest says how many are published, the
// "datasets published" indicator counts only those, no default report in
// any format shows a hidden title, and --include-private lists them marked
// in every format while the indicators stay the same.
func TestImportedHiddenDatasetsAreNotPublished(t *testing.T) {
	ctx := context.Background()
	dump, counts := catalogueWithHidden(t, 60)
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", "https://open.example/data", "--quiet"}
	code, out, errs := cli(ctx, append([]string{"harvest", "--lang", "en", "--from", dump}, g...)...)
	notPub := counts["private"] + counts["draft"] + counts["deleted"]
	want := fmt.Sprintf("; %d published, %d not (%d private, %d draft, %d deleted)", counts["public"], notPub, counts["private"], counts["draft"], counts["deleted"])
	if code != 0 || !strings.Contains(out, "60 datasets") || !strings.Contains(out, want) {
		t.Fatalf("harvest --from: %d %q %s; want %q", code, out, errs, want)
	}
	if code, _, errs := cli(ctx, append([]string{"score"}, g...)...); code != 0 {
		t.Fatalf("score: %s", errs)
	}

	// vigie datasets shows CKAN's state and private flag.
	code, out, _ = cli(ctx, append([]string{"datasets", "--format", "json"}, g...)...)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || len(rows) != 60 {
		t.Fatalf("datasets: %d %v %d rows", code, err, len(rows))
	}
	byVis := map[string]int{}
	for _, r := range rows {
		byVis[r["visibility"].(string)]++
		title := r["title"].(string)
		if m := hiddenTitle.FindStringSubmatch(title); m != nil && m[1] != r["visibility"] || m == nil && r["visibility"] != "public" {
			t.Errorf("%s: visibility %v, private %v, ckan_state %v", title, r["visibility"], r["private"], r["ckan_state"])
		}
		if r["visibility"] == "draft" && r["ckan_state"] != "draft" || r["visibility"] == "private" && r["private"] != true {
			t.Errorf("row %v", r)
		}
	}
	for k, n := range counts {
		if byVis[k] != n {
			t.Errorf("datasets: %d %s, want %d", byVis[k], k, n)
		}
	}
	code, out, _ = cli(ctx, append([]string{"datasets", "--visibility", "unpublished", "--format", "csv"}, g...)...)
	if lines := strings.Count(strings.TrimSpace(out), "\n"); code != 0 || lines != notPub || !strings.Contains(out, ";visibility;") {
		t.Errorf("datasets --visibility unpublished: %d lines, want %d:\n%s", lines, notPub, out)
	}

	// Default reports: only published datasets, in every format.
	texts := reportTexts(t, ctx, g)
	for f, s := range texts {
		if m := hiddenTitle.FindString(s); m != "" {
			t.Errorf("%s report shows the title of a dataset that is not published: %s", f, m)
		}
	}
	v, sum := datasetsIndicator(t, texts["json"])
	if int(v) != counts["public"] || int(sum["datasets"].(float64)) != counts["public"] {
		t.Errorf("datasets published = %v (summary %v), want %d", v, sum["datasets"], counts["public"])
	}
	vis := sum["visibility"].(map[string]any)
	if int(vis["private"].(float64)) != counts["private"] || int(vis["draft"].(float64)) != counts["draft"] || int(vis["deleted"].(float64)) != counts["deleted"] {
		t.Errorf("summary visibility %v, want %v", vis, counts)
	}
	if !strings.Contains(texts["md"], fmt.Sprintf("%d privés, %d brouillons, %d supprimés", counts["private"], counts["draft"], counts["deleted"])) ||
		!strings.Contains(texts["md"], "ne figurent pas") {
		t.Errorf("md does not say what was left out:\n%s", texts["md"][:min(len(texts["md"]), 1500)])
	}

	// The 2021 baseline is Données Québec's: none here unless one is given.
	for f, s := range texts {
		if strings.Contains(s, "2021") && strings.Contains(s, "1 200") || strings.Contains(s, `"baseline"`) {
			t.Errorf("%s report of a portal other than Données Québec shows the 2021 baseline", f)
		}
	}
	code, out, errs = cli(ctx, append([]string{"report", "--format", "md", "--baseline", "40"}, g...)...)
	if code != 0 || !strings.Contains(out, "référence : 40 jeux") {
		t.Errorf("report --baseline 40: %d %s\n%s", code, errs, out)
	}
	if code, _, errs := cli(ctx, append([]string{"report", "--format", "md", "--baseline", "-1"}, g...)...); code != 2 || !strings.Contains(errs, "--baseline") {
		t.Errorf("report --baseline -1: exit %d %s", code, errs)
	}

	// --include-private: every format lists them marked, indicators unchanged.
	texts = reportTexts(t, ctx, g, "--include-private")
	mark := map[string]string{"private": "[privé] ", "draft": "[brouillon] ", "deleted": "[supprimé] "}
	for _, f := range []string{"html", "xlsx", "json", "csv"} {
		s := texts[f]
		found := hiddenTitle.FindAllStringSubmatchIndex(s, -1)
		if len(found) < notPub {
			t.Errorf("%s --include-private lists %d hidden titles, want at least %d", f, len(found), notPub)
		}
		for _, m := range found {
			kind := s[m[2]:m[3]]
			if !strings.HasSuffix(s[:m[0]], mark[kind]) {
				t.Errorf("%s: %q is not marked %q", f, s[max(0, m[0]-20):m[1]], mark[kind])
				break
			}
		}
	}
	if !strings.Contains(texts["md"], "marqués [privé]") || !strings.Contains(texts["html"], "marqués [privé]") || !strings.Contains(texts["xlsx"], "marqués [privé]") {
		t.Error("md, html or xlsx does not warn that private datasets are listed")
	}
	if !regexp.MustCompile(`;private\r?\n`).MatchString(texts["csv"]) { // French CSV: ';' separated
		t.Error("csv datasets table has no visibility column saying private")
	}
	v2, sum2 := datasetsIndicator(t, texts["json"])
	if v2 != v || sum2["datasets"] != sum["datasets"] || fmt.Sprint(sum2["scores"]) != fmt.Sprint(sum["scores"]) {
		t.Errorf("--include-private changed the public indicators: %v %v vs %v %v", v2, sum2["scores"], v, sum["scores"])
	}
	var jr struct {
		IncludePrivate bool `json:"include_private"`
		Datasets       []struct {
			Title, Visibility string
		} `json:"datasets"`
	}
	if err := json.Unmarshal([]byte(texts["json"]), &jr); err != nil || !jr.IncludePrivate || len(jr.Datasets) != 60 {
		t.Fatalf("json --include-private: %v %v %d datasets", err, jr.IncludePrivate, len(jr.Datasets))
	}
	for _, d := range jr.Datasets {
		if (d.Visibility != "public") != strings.Contains(d.Title, "HIDDEN-") {
			t.Errorf("json dataset %q visibility %q", d.Title, d.Visibility)
		}
	}
}

// TestPrivateDatasetsLeaveThePublishedCount harvests with a token and
// --include-private, then without: the datasets published never count the
// private ones, even though the unauthenticated harvests cannot see them to
// mark them gone, and the audit's reports do not show them.
func TestPrivateDatasetsLeaveThePublishedCount(t *testing.T) {
	const token = "tok-published-test"
	ctx := context.Background()
	files := ckantest.NewLinkServer(ckantest.LinkOptions{Seed: 2, BrokenShare: 0.3})
	fsrv := files.Serve()
	defer fsrv.Close()
	p := ckantest.New(ckantest.Options{Token: token, RowsMax: 50})
	p.PutGenerated(150, 9, ckantest.GenOptions{LinkBase: fsrv.URL, Orgs: 4, PrivateShare: 0.2, Now: time.Now().UTC().Add(-24 * time.Hour)})
	srv := p.Serve()
	defer srv.Close()
	private := 0
	for _, id := range p.IDs() {
		if pkg, ok := p.Package(id); ok && pkg["private"] == true {
			private++
		}
	}
	if private == 0 {
		t.Fatal("the generated portal has no private dataset")
	}
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	g := []string{"--db", db, "--portal", srv.URL, "--quiet"}
	t.Setenv("VIGIE_API_TOKEN", token)
	code, out, errs := cli(ctx, append([]string{"harvest", "--lang", "en", "--rate", "0", "--include-private"}, g...)...)
	if code != 0 || !strings.Contains(out, fmt.Sprintf("%d published, %d not (%d private", 150-private, private, private)) {
		t.Fatalf("harvest --include-private: %d %q %s", code, out, errs)
	}
	t.Setenv("VIGIE_API_TOKEN", "")
	for _, full := range []bool{false, true, true} {
		args := []string{"harvest", "--rate", "0"}
		if full {
			args = append(args, "--full")
		}
		if code, _, errs := cli(ctx, append(args, g...)...); code != 0 {
			t.Fatalf("harvest without token: %s", errs)
		}
	}
	code, out, errs = cli(ctx, append([]string{"audit", "--out", filepath.Join(dir, "audits"), "--rate", "0", "--allow-private", "--links-timeout", "5s"}, g...)...)
	if code != 0 {
		t.Fatalf("audit: %d %s %s", code, out, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "audits", "latest", "audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	v, sum := datasetsIndicator(t, string(b))
	if int(v) != 150-private {
		t.Errorf("datasets published after harvests without the token = %v, want %d (not the %d private ones)", v, 150-private, private)
	}
	if vis := sum["visibility"].(map[string]any); int(vis["private"].(float64)) != private {
		t.Errorf("summary visibility %v", vis)
	}
	for _, f := range []string{"audit.json", "audit.md", "audit.html", "diff.md", "diff.json"} {
		data, err := os.ReadFile(filepath.Join(dir, "audits", "latest", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range p.IDs() {
			if pkg, _ := p.Package(id); pkg["private"] == true && strings.Contains(string(data), pkg["name"].(string)) {
				t.Errorf("%s names private dataset %s", f, pkg["name"])
				break
			}
		}
	}
	// The links table names the datasets that use each failing link: the
	// private ones only with --include-private, marked.
	privateNames := map[string]bool{}
	for _, id := range p.IDs() {
		if pkg, _ := p.Package(id); pkg["private"] == true {
			privateNames[pkg["name"].(string)] = true
		}
	}
	linkNames := func(extra ...string) (marked, unmarked int) {
		t.Helper()
		csvDir := filepath.Join(t.TempDir(), "csv")
		if code, _, errs := cli(ctx, append(append([]string{"report", "--format", "csv", "--out", csvDir}, extra...), g...)...); code != 0 {
			t.Fatalf("report csv: %s", errs)
		}
		b, err := os.ReadFile(filepath.Join(csvDir, "links.csv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range strings.Fields(strings.NewReplacer(";", " ", ",", " ", "\"", " ").Replace(string(b))) {
			if privateNames[w] {
				unmarked++
			}
		}
		marked = strings.Count(string(b), " [privé]")
		return marked, unmarked
	}
	if marked, n := linkNames(); marked != 0 || n != 0 {
		t.Errorf("default links.csv names %d private datasets (%d marked)", n, marked)
	}
	if marked, n := linkNames("--include-private"); n == 0 || marked != n {
		t.Errorf("links.csv --include-private: %d private dataset names, %d marked", n, marked)
	}

	// Made public on the portal: the next harvest sees it and counts it.
	var opened string
	for _, id := range p.IDs() {
		if pkg, _ := p.Package(id); pkg["private"] == true {
			p.SetPrivate(id, false)
			p.Edit(id, func(pkg map[string]any) { pkg["notes"] = "rendu public" })
			opened = id
			break
		}
	}
	if code, _, errs := cli(ctx, append([]string{"harvest", "--rate", "0", "--full"}, g...)...); code != 0 {
		t.Fatalf("harvest: %s", errs)
	}
	code, out, _ = cli(ctx, append([]string{"datasets", "--visibility", "public", "--format", "json"}, g...)...)
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); code != 0 || err != nil || !strings.Contains(out, opened) || len(rows) != 150-private+1 {
		t.Errorf("after the dataset was made public: %d rows public, want %d (%v)", len(rows), 150-private+1, err)
	}
}
