package main

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/reports"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Three portals in one configuration: two work (one with a gate it cannot
// pass), one is not a CKAN API. One 'vigie audit --all' audits them
// concurrently; the broken one does not stop the others, the summary has a
// line per portal and the exit code is the worst.
func TestAuditAllPortalsFromConfig(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, srvA, _, _ := auditPortal(t, 25)
	_, srvB, _, _ := auditPortal(t, 15)
	notCKAN := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notCKAN.Close)
	db := storetest.NewDSN(t)
	out := filepath.Join(dir, "audits")
	cfg := writeConfig(t, fmt.Sprintf(`db: %s
out: %s
parallel: 2
defaults:
  rate: 0
  lang: en
  links: {allow_private: true, failures: 1, broken_after: 0s, older_than: 0s}
portals:
  - name: alpha
    url: %s
  - name: beta
    url: %s
    fail_under: 99
  - name: broken
    url: %s
`, db, out, srvA.URL, srvB.URL, notCKAN.URL))
	t.Setenv("VIGIE_DB", "")
	t.Setenv("VIGIE_PORTAL", "")
	code, stdout, stderr := cli(ctx, "--config", cfg, "--quiet", "audit", "--all")
	if code != ExitFailure {
		t.Fatalf("exit %d, want 1 (the worst)\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per portal:\n%s", stdout)
	}
	for i, want := range []string{"alpha  ok", "beta   gate failed", "broken failed"} {
		if !strings.HasPrefix(strings.Join(strings.Fields(lines[i])[:len(strings.Fields(want))], " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("line %d: %q, want %q", i, lines[i], want)
		}
	}
	if !strings.Contains(lines[1], "mean overall score") || !strings.Contains(lines[2], "not a CKAN action API") {
		t.Errorf("lines say why:\n%s", stdout)
	}
	if !strings.Contains(stderr, "3 portals audited: 1 ok, 1 gate failed, 1 failed") || strings.Count(stderr, "vigie:") != 1 {
		t.Errorf("stderr:\n%s", stderr)
	}
	for _, name := range []string{"alpha", "beta"} {
		var rec reports.RunDocument
		readJSON(t, filepath.Join(out, name, "latest", "run.json"), &rec)
		if rec.ScoreRun == 0 || len(rec.Stages) != 4 {
			t.Fatalf("%s: run.json %+v", name, rec)
		}
		if _, err := os.Stat(filepath.Join(out, name, "latest", "audit.html")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "broken", "latest")); err == nil {
		t.Fatal("a failed audit has no report folder")
	}
	code, js, _ := cli(ctx, "--config", cfg, "portals", "--format", "json")
	var rows []reports.PortalRow
	if err := json.Unmarshal([]byte(js), &rows); code != 0 || err != nil || len(rows) != 3 {
		t.Fatalf("portals: %d %v\n%s", code, err, js)
	}
	got := map[string]string{}
	for _, r := range rows {
		got[r.Name] = r.LastAudit.Status + "/" + r.LastAudit.Gate
	}
	if got["alpha"] != "complete/none" || got["beta"] != "complete/failed" || got["broken"] != "failed/" {
		t.Fatalf("audits recorded: %v", got)
	}

	// --portal repeated (names or URLs) and the flags win over the file:
	// --fail-under 0 lifts beta's gate.
	code, stdout, stderr = cli(ctx, "--config", cfg, "--quiet", "audit", "--portal", "alpha", "--portal", srvB.URL, "--parallel", "1", "--fail-under", "0")
	if code != 0 || strings.Count(strings.TrimSpace(stdout), "\n") != 2 || !strings.Contains(stdout, "2 portals audited: 2 ok") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	// One --portal is the classic single audit, into --out itself.
	code, stdout, stderr = cli(ctx, "--config", cfg, "--quiet", "audit", "--portal", "beta", "--out", filepath.Join(dir, "one"))
	if code != ExitGate || !strings.HasPrefix(stdout, "audit written to "+filepath.Join(dir, "one")) {
		t.Fatalf("single: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr = cli(ctx, "--config", cfg, "audit", "--all", "--parallel", "0"); code != ExitUsage || !strings.Contains(stderr, "--parallel") {
		t.Fatalf("--parallel 0: exit %d %s", code, stderr)
	}
}
