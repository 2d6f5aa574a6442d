package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/reports"
)

// The configuration's portals are the queue's: 'vigie worker --once' audits
// each with its own settings into OUT/NAME/, the file's out: and db: apply,
// one added by hand stays when it leaves the file; a second --once the same
// day finds nothing due.
func TestWorkerAuditsTheConfigurationsPortals(t *testing.T) {
	ctx := context.Background()
	_, srvA, _, _ := auditPortal(t, 12)
	_, srvB, _, _ := auditPortal(t, 8)
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	out := filepath.Join(dir, "audits")
	cfgText := func(portals string) string {
		return fmt.Sprintf(`db: %s
out: %s
defaults:
  rate: 0
  lang: en
  links: {allow_private: true}
portals:
%s`, db, out, portals)
	}
	both := fmt.Sprintf("  - name: alpha\n    url: %s\n  - name: beta\n    url: %s\n    fail_under: 99\n", srvA.URL, srvB.URL)
	cfg := writeConfig(t, cfgText(both))
	t.Setenv("VIGIE_DB", "")
	t.Setenv("VIGIE_PORTAL", "")
	code, stdout, stderr := cli(ctx, "--config", cfg, "--quiet", "worker", "--once")
	if code != ExitGate {
		t.Fatalf("exit %d, want 3 (beta's gate)\n%s\n%s", code, stdout, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	sort.Strings(lines) // claimed in due order, then URL order: the ports decide
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "alpha\taudit written to "+filepath.Join(out, "alpha")) ||
		!strings.HasPrefix(lines[1], "beta\taudit written to "+filepath.Join(out, "beta")) {
		t.Fatalf("one summary line per portal, in English (the file's lang):\n%s", stdout)
	}
	if !strings.Contains(stderr, "quality gate failed for 1 portal") {
		t.Errorf("stderr: %s", stderr)
	}
	for _, name := range []string{"alpha", "beta"} {
		if _, err := os.Stat(filepath.Join(out, name, "latest", "audit.html")); err != nil {
			t.Error(err)
		}
	}
	list := func() []reports.QueueRow {
		t.Helper()
		code, js, errs := cli(ctx, "--config", cfg, "worker", "--list", "--format", "json")
		var q []reports.QueueRow
		if err := json.Unmarshal([]byte(js), &q); code != 0 || err != nil {
			t.Fatalf("--list: exit %d %v\n%s%s", code, err, js, errs)
		}
		return q
	}
	q := list()
	status := map[string]string{}
	for _, p := range q {
		status[p.Name] = p.Source + "/" + p.LastStatus
	}
	if len(q) != 2 || status["alpha"] != "config/complete" || status["beta"] != "config/gate-failed" {
		t.Fatalf("queue: %+v", q)
	}
	// The table speaks the reader's language: an audit's outcome and the
	// queue's source are words, not codes.
	for lang, want := range map[string][]string{
		"fr": {"configuration", "terminé", "seuil non atteint"},
		"en": {"config", "complete", "gate failed"},
	} {
		code, table, errs := cli(ctx, "--config", cfg, "--lang", lang, "worker", "--list")
		if code != 0 {
			t.Fatalf("--list --lang %s: exit %d %s", lang, code, errs)
		}
		for _, w := range want {
			if !strings.Contains(table, "  "+w+"  ") {
				t.Errorf("--list --lang %s lacks %q:\n%s", lang, w, table)
			}
		}
		if lang == "fr" && strings.Contains(table, "complete") {
			t.Errorf("English outcome in the French table:\n%s", table)
		}
	}
	// Nothing is due the same day.
	if code, stdout, stderr = cli(ctx, "--config", cfg, "--quiet", "worker", "--once"); code != 0 || stdout != "" {
		t.Fatalf("second pass: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// beta is added by hand, then leaves the file: it stays, due as it
	// was. (A portal of the file that leaves it leaves the queue:
	// store.TestSyncConfigPortals.)
	if code, stdout, _ = cli(ctx, "--config", cfg, "--lang", "en", "worker", "--add", srvB.URL+"/"); code != 0 || !strings.Contains(stdout, srvB.URL+" is already in the queue") {
		t.Fatalf("--add: %d %s", code, stdout)
	}
	cfg = writeConfig(t, cfgText(fmt.Sprintf("  - name: alpha\n    url: %s\n", srvA.URL)))
	if code, _, stderr = cli(ctx, "--config", cfg, "--quiet", "worker", "--once"); code != 0 {
		t.Fatalf("third pass: %d %s", code, stderr)
	}
	q = list()
	var urls []string
	for _, p := range q {
		urls = append(urls, p.URL+"/"+p.Source)
	}
	sort.Strings(urls)
	want := []string{srvA.URL + "/config", srvB.URL + "/queue"}
	sort.Strings(want)
	if strings.Join(urls, " ") != strings.Join(want, " ") {
		t.Fatalf("queue after beta left the file: %v", urls)
	}
	if code, _, stderr = cli(ctx, "--config", cfg, "--lang", "en", "worker", "--remove", "https://nothere.example"); code != ExitUsage || !strings.Contains(stderr, "not in the queue") {
		t.Fatalf("--remove of an unknown portal: %d %s", code, stderr)
	}
	if code, _, stderr = cli(ctx, "--config", cfg, "worker", "--lease", "0s"); code != ExitUsage || !strings.Contains(stderr, "--lease") {
		t.Fatalf("--lease 0: %d %s", code, stderr)
	}
}
