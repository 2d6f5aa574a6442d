package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/reports"
)

// twoAuditedPortals audits two emulated portals listed in a configuration
// and returns the configuration's path and the work folder.
func twoAuditedPortals(t *testing.T) (cfg, dir string) {
	t.Helper()
	dir = t.TempDir()
	_, srvA, _, _ := auditPortal(t, 20)
	_, srvB, _, _ := auditPortal(t, 12)
	cfg = writeConfig(t, fmt.Sprintf(`db: %s
out: %s
defaults:
  rate: 0
  lang: en
  links: {allow_private: true, failures: 1, broken_after: 0s, older_than: 0s}
portals:
  - name: alpha
    url: %s
    baseline: 15
  - name: beta
    url: %s
`, filepath.Join(dir, "v.db"), filepath.Join(dir, "audits"), srvA.URL, srvB.URL))
	t.Setenv("VIGIE_DB", "")
	t.Setenv("VIGIE_PORTAL", "")
	t.Setenv("VIGIE_LANG", "")
	for i := 0; i < 2; i++ {
		if code, out, errb := cli(context.Background(), "--config", cfg, "--quiet", "audit"); code != 0 {
			t.Fatalf("audit: exit %d\n%s\n%s", code, out, errb)
		}
	}
	return cfg, dir
}

func TestReportPortalsAndPerOrg(t *testing.T) {
	ctx := context.Background()
	cfg, dir := twoAuditedPortals(t)

	code, out, errb := cli(ctx, "--config", cfg, "report", "--portals", "all", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d %s", code, errb)
	}
	var c reports.Comparison
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Portals) != 2 || c.Portals[0].Name != "alpha" || c.Portals[0].Datasets != 20 || *c.Portals[0].Baseline != 15 ||
		c.Portals[1].Baseline != nil || len(c.Portals[1].Trend) != 2 || c.Lang != "en" {
		t.Fatalf("comparison: %+v", c)
	}
	for _, f := range []string{"cmp.html", "cmp.xlsx", "cmp.md"} {
		if code, _, errb := cli(ctx, "--config", cfg, "report", "--portals", "beta,alpha", "--out", filepath.Join(dir, f)); code != 0 {
			t.Fatalf("%s: exit %d %s", f, code, errb)
		}
	}
	html, _ := os.ReadFile(filepath.Join(dir, "cmp.html"))
	if !strings.Contains(string(html), "<svg") || strings.Index(string(html), ">beta<") > strings.Index(string(html), ">alpha<") {
		t.Fatalf("html: in the order asked, with charts")
	}
	if code, _, errb := cli(ctx, "--config", cfg, "report", "--portals", "all", "--format", "csv", "--out", filepath.Join(dir, "cmpcsv")); code != 0 {
		t.Fatalf("csv: exit %d %s", code, errb)
	}
	for _, f := range reports.ComparisonCSVFiles {
		if _, err := os.Stat(filepath.Join(dir, "cmpcsv", f)); err != nil {
			t.Fatal(err)
		}
	}
	code, _, errb = cli(ctx, "--config", cfg, "report", "--portals", "gamma")
	if code != ExitUsage || !strings.Contains(errb, "gamma") {
		t.Fatalf("unknown portal: exit %d %s", code, errb)
	}

	// Per publisher: the configuration's first portal unless --portal names another.
	code, _, errb = cli(ctx, "--config", cfg, "--portal", "beta", "report", "--per-org", filepath.Join(dir, "pub"))
	if code != 0 {
		t.Fatalf("per-org: exit %d %s", code, errb)
	}
	index, err := os.ReadFile(filepath.Join(dir, "pub", "index.html"))
	if err != nil || !strings.Contains(string(index), "Reports per publisher") {
		t.Fatalf("index: %v", err)
	}
	contacts, _ := os.ReadFile(filepath.Join(dir, "pub", "contacts.csv"))
	if lines := strings.Count(strings.TrimSpace(string(contacts)), "\n"); lines != 3 || !strings.Contains(string(contacts), "@") {
		t.Fatalf("contacts.csv (%d rows):\n%s", lines, contacts)
	}
	code, _, errb = cli(ctx, "--config", cfg, "report", "--per-org", filepath.Join(dir, "pub"), "--out", "x.html")
	if code != ExitUsage {
		t.Fatalf("--per-org with --out: exit %d %s", code, errb)
	}
}
