package main

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/ckantest"
	"github.com/vigie-audit/vigie/internal/storetest"
)

// TestGateLineInBothLanguages: a failed gate is one line in the reader's
// language, the default French with its reasons and numbers written the
// fr-CA way (decimal comma, "82,39"), English with --lang en.
func TestGateLineInBothLanguages(t *testing.T) {
	ctx := context.Background()
	p := ckantest.New(ckantest.Options{})
	p.PutGenerated(30, 31, ckantest.GenOptions{Orgs: 3})
	srv := p.Serve()
	defer srv.Close()
	dir := t.TempDir()
	db := storetest.NewDSN(t)
	run := func(lang, out string) string {
		args := []string{"--db", db, "--portal", srv.URL, "--quiet"}
		if lang != "" {
			args = append(args, "--lang", lang)
		}
		args = append(args, "audit", "--out", filepath.Join(dir, out), "--rate", "0", "--allow-private",
			"--fail-under", "99.5", "--fail-on", "errors,overdue")
		code, _, errs := cli(ctx, args...)
		if code != ExitGate {
			t.Fatalf("--lang %q: exit %d, want %d: %s", lang, code, ExitGate, errs)
		}
		line := strings.TrimSpace(errs)
		if strings.Count(line, "\n") != 0 {
			t.Errorf("--lang %q: the gate is not one line: %q", lang, errs)
		}
		return line
	}
	fr := run("", "fr")
	if !regexp.MustCompile(`^vigie: seuil de qualité non atteint : le score global moyen \d+(,\d+)? est sous 99,5`).MatchString(fr) {
		t.Errorf("French gate line: %q", fr)
	}
	for _, en := range []string{"mean overall", "is under", "findings", "dataset overdue", "datasets overdue", "99.5"} {
		if strings.Contains(fr, en) {
			t.Errorf("French gate line holds %q: %q", en, fr)
		}
	}
	if !strings.Contains(fr, "errors : ") || !strings.Contains(fr, "constat") {
		t.Errorf("French gate line lacks its reasons: %q", fr)
	}
	en := run("en", "en")
	if !regexp.MustCompile(`^vigie: quality gate failed: mean overall score \d+(\.\d+)? is under 99\.5; errors: \d+ finding`).MatchString(en) {
		t.Errorf("English gate line: %q", en)
	}
}
