package main

import (
	"context"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// Before any `vigie links`, no organization has "0 broken links": the count
// is unknown ("—" for people, null in JSON, an empty CSV cell), as the
// headline indicator is at 0 % coverage.
func TestBrokenLinksUnknownBeforeAnyCheck(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	const portal = "https://data.humdata.org"
	if code, _, errb := cli(ctx, "--db", db, "-q", "harvest", "--portal", portal, "--from", "../../testdata/observed/data.humdata.org/package_search_observed.json"); code != 0 {
		t.Fatalf("harvest: exit %d %s", code, errb)
	}
	if code, _, errb := cli(ctx, "--db", db, "-q", "score", "--portal", portal); code != 0 {
		t.Fatalf("score: exit %d %s", code, errb)
	}
	base := []string{"--db", db, "--portal", portal, "-q", "--lang", "en"}

	code, out, errb := cli(ctx, append(base, "orgs", "--format", "json")...)
	var rows []map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &rows) != nil || len(rows) == 0 {
		t.Fatalf("orgs json: exit %d %s\n%s", code, errb, out)
	}
	for _, r := range rows {
		if v, ok := r["broken_links"]; !ok || v != nil {
			t.Errorf("orgs json: %s broken_links = %v, want null", r["name"], v)
		}
	}
	code, out, _ = cli(ctx, append(base, "orgs")...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) < 2 {
		t.Fatalf("orgs: exit %d\n%s", code, out)
	}
	for _, l := range lines[1:] {
		if !strings.HasSuffix(l, "  —") {
			t.Errorf("orgs table row does not end with —: %q", l)
		}
	}
	code, out, _ = cli(ctx, append(base, "orgs", "--format", "csv")...)
	for _, l := range strings.Split(strings.TrimSpace(out), "\n")[1:] {
		if code != 0 || !strings.HasSuffix(l, ",") {
			t.Errorf("orgs csv row does not end with an empty cell: %q", l)
		}
	}

	// The comparison across portals: unknown too.
	code, out, errb = cli(ctx, "--db", db, "-q", "--lang", "en", "report", "--portals", "all", "--format", "json")
	var cmp struct {
		Portals []map[string]any `json:"portals"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &cmp) != nil || len(cmp.Portals) != 1 {
		t.Fatalf("comparison json: exit %d %s\n%s", code, errb, out)
	}
	if v, ok := cmp.Portals[0]["broken_links"]; !ok || v != nil {
		t.Errorf("comparison json: broken_links = %v, want null", v)
	}

	code, out, _ = cli(ctx, append(base, "report", "--format", "md")...)
	orgRow := regexp.MustCompile(`(?m)^\| 1 \| .* \|$`).FindString(out)
	if code != 0 || !strings.HasSuffix(orgRow, "| — |") {
		t.Errorf("md organizations row %q, want the broken links unknown", orgRow)
	}
	html := filepath.Join(dir, "r.html")
	if code, _, errb = cli(ctx, append(base, "report", "--out", html)...); code != 0 {
		t.Fatalf("html: exit %d %s", code, errb)
	}
	b, _ := os.ReadFile(html)
	if strings.Contains(string(b), `data-v="0">0</td>`+"\n"+`<td class="n hide-sm"`) || !strings.Contains(string(b), `data-v="">—</td>`+"\n"+`<td class="n hide-sm"`) {
		t.Error("html organizations table does not show the broken links as unknown")
	}
	xlsx := filepath.Join(dir, "r.xlsx")
	if code, _, errb = cli(ctx, append(base, "report", "--out", xlsx)...); code != 0 {
		t.Fatalf("xlsx: exit %d %s", code, errb)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet, err := f.GetRows("Organizations")
	if err != nil || len(sheet) < 2 {
		t.Fatalf("organizations sheet: %v %v", err, sheet)
	}
	col := -1
	for i, h := range sheet[0] {
		if h == "Broken links" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no Broken links column in %v", sheet[0])
	}
	for _, r := range sheet[1:] {
		if len(r) <= col || r[col] != "—" {
			t.Errorf("xlsx organizations row %v: broken links not —", r)
		}
	}
}
