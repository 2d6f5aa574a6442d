package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// The score stage keeps the run it completed (the audit's own report keeps
// its runs too): `vigie report`, which opens the store read-only and cannot
// store anything, then computes no run's indicators, current or past, and
// writes the same report twice.
func TestReportReadsIndicatorsTheScoreStageStored(t *testing.T) {
	ctx := context.Background()
	_, srv, _, _ := auditPortal(t, 20)
	db, out := storetest.NewDSN(t), filepath.Join(t.TempDir(), "audits")
	if code, _, stderr := cli(ctx, auditArgs(db, srv.URL, out)...); code != ExitOK {
		t.Fatalf("audit: exit %d: %s", code, stderr)
	}
	for i := 0; i < 2; i++ { // two more score runs, without a report
		if code, _, stderr := cli(ctx, "--db", db, "--portal", srv.URL, "-q", "score"); code != ExitOK {
			t.Fatalf("score: exit %d: %s", code, stderr)
		}
	}
	report := func() string {
		t.Helper()
		before := store.IndicatorComputations()
		code, stdout, stderr := cli(ctx, "--db", db, "--portal", srv.URL, "--quiet", "--lang", "en", "report", "--format", "md")
		if code != ExitOK {
			t.Fatalf("report: exit %d: %s", code, stderr)
		}
		if n := store.IndicatorComputations() - before; n != 0 {
			t.Errorf("the report computed %d runs' indicators, want 0: every run was stored when it was scored", n)
		}
		return stdout
	}
	first, second := report(), report()
	if first != second || !strings.Contains(first, "|") {
		t.Errorf("two reports differ or are empty:\n%s\n---\n%s", first, second)
	}
}
