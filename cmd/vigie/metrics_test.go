package main

import (
	"context"
	"encoding/json"
	"github.com/vigie-audit/vigie/internal/storetest"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
)

// promLine is a sample line of the Prometheus text format.
var promLine = regexp.MustCompile(`^[a-z_]+\{([a-z_]+="(?:[^"\\]|\\.)*",?)+\} -?[0-9.]+(e[+-][0-9]+)?$`)

func TestAuditMetricsFile(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(30, 31, ckantest.GenOptions{Orgs: 3})
	srv := p.Serve()
	defer srv.Close()
	dir := t.TempDir()
	db, prom := storetest.NewDSN(t), filepath.Join(dir, "vigie.prom")
	code, _, errs := cli(ctx, "--db", db, "--portal", srv.URL, "--log-format", "json", "audit", "--out", filepath.Join(dir, "a"),
		"--rate", "0", "--allow-private", "--metrics-file", prom, "--fail-under", "99")
	if code != ExitGate {
		t.Fatalf("exit %d %s", code, errs)
	}
	b, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for _, want := range []string{
		`vigie_audit_success{portal="` + srv.URL + `"} 1`,
		`vigie_datasets{portal="` + srv.URL + `"} 30`,
		`vigie_gate_passed{portal="` + srv.URL + `"} 0`,
		`vigie_score_mean{portal="` + srv.URL + `",dimension="overall"} `,
		`vigie_score_mean{portal="` + srv.URL + `",dimension="completeness"} `,
		`vigie_links{portal="` + srv.URL + `",state="broken"} `,
		`vigie_audit_stage_duration_seconds{portal="` + srv.URL + `",stage="score"} `,
		"# TYPE vigie_audit_last_success_timestamp_seconds gauge",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q:\n%s", want, text)
		}
	}
	for _, l := range strings.Split(strings.TrimSpace(text), "\n") {
		if !strings.HasPrefix(l, "#") && !promLine.MatchString(l) {
			t.Errorf("not a Prometheus sample line: %q", l)
		}
	}
	// JSON logs: the stage lines carry numbers.
	var sawScore bool
	for _, l := range strings.Split(errs, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) != nil || m["stage"] != "score" {
			continue
		}
		_, isNum := m["elapsed_ms"].(float64)
		_, ds := m["datasets"].(float64)
		sawScore = isNum && ds
	}
	if !sawScore {
		t.Errorf("the score stage's JSON log line has no numeric elapsed_ms and datasets:\n%s", errs)
	}

	// A failed audit of another portal adds its lines, keeps the first
	// portal's, and carries no success time it never had.
	notCKAN := httptest.NewServer(http.NotFoundHandler())
	defer notCKAN.Close()
	code, _, _ = cli(ctx, "--db", db, "--portal", notCKAN.URL, "audit", "--out", filepath.Join(dir, "a"),
		"--metrics-file", prom, "--allow-private", "-q")
	if code == 0 {
		t.Fatal("an unreachable portal's audit succeeded")
	}
	b, _ = os.ReadFile(prom)
	text = string(b)
	if !strings.Contains(text, `vigie_audit_success{portal="`+notCKAN.URL+`"} 0`) ||
		!strings.Contains(text, `vigie_audit_success{portal="`+srv.URL+`"} 1`) ||
		strings.Contains(text, `vigie_audit_last_success_timestamp_seconds{portal="`+notCKAN.URL+`"}`) ||
		strings.Count(text, "# TYPE vigie_audit_success gauge") != 1 {
		t.Errorf("after a failed audit of another portal:\n%s", text)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestMetricsKeepLastSuccessOnFailure(t *testing.T) {
	prom := filepath.Join(t.TempDir(), "v.prom")
	m := &auditMetrics{Portal: `https://x.org/"q"`, Success: true}
	m.Finished = m.Finished.AddDate(2026, 0, 0)
	if err := writeMetricsFile(prom, m); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(prom)
	m2 := &auditMetrics{Portal: m.Portal, Success: false, Finished: m.Finished.Add(86400e9)}
	if err := writeMetricsFile(prom, m2); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(prom)
	re := regexp.MustCompile(`vigie_audit_last_success_timestamp_seconds\{portal="https://x.org/\\"q\\""\} [0-9]+`)
	if a, b := re.Find(first), re.Find(second); a == nil || string(a) != string(b) {
		t.Errorf("last success time not kept across a failure:\n%s\n---\n%s", first, second)
	}
}
