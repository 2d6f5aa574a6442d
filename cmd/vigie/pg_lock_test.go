package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// On PostgreSQL, audit --all locks each portal it audits, not the whole
// database: a writer of another portal runs meanwhile, and a writer of one
// of its portals leaves that portal reported in use, naming the writer,
// while the others are audited; the exit code is the in-use one (failure).
func TestAuditAllLocksEachPortalOnPostgres(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: run with VIGIE_TEST_POSTGRES (scripts/pg.sh)")
	}
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	_, srvA, _, _ := auditPortal(t, 10)
	_, srvB, _, _ := auditPortal(t, 10)
	_, srvC, _, _ := auditPortal(t, 10)
	db := storetest.NewDSN(t)
	out := filepath.Join(t.TempDir(), "audits")
	cfg := writeConfig(t, fmt.Sprintf(`db: "%s"
out: %s
parallel: 2
defaults:
  rate: 0
  links: {allow_private: true}
portals:
  - name: alpha
    url: %s
  - name: beta
    url: %s
  - name: gamma
    url: %s
`, db, out, srvA.URL, srvB.URL, srvC.URL))
	t.Setenv("VIGIE_DB", "")
	t.Setenv("VIGIE_PORTAL", "")

	// A portal the database does not hold yet (audit --all audits every
	// portal the database holds), being harvested for the first time.
	sdb, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	other, err := sdb.LockPortals(ctx, []string{"https://other.example"}, "harvest")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := cli(ctx, "--config", cfg, "--quiet", "audit", "--all")
	other.Release()
	if code != ExitOK {
		t.Fatalf("audit --all while another portal is written: exit %d\n%s\n%s", code, stdout, stderr)
	}
	audited := func() map[string]int {
		m := map[string]int{}
		ps, err := sdb.Portals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			runs, err := sdb.AuditRuns(ctx, p.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			m[p.URL] = len(runs)
		}
		return m
	}
	before := audited()

	release := holdWriterLock(t, db, srvB.URL, "harvest")
	defer release()
	code, stdout, stderr = cli(ctx, "--config", cfg, "--quiet", "audit", "--all")
	if code != ExitFailure {
		t.Fatalf("audit --all while one of its portals is written: exit %d, want %d (in use)\n%s\n%s", code, ExitFailure, stdout, stderr)
	}
	t.Logf("audit --all with beta held:\n%s%s", stdout, stderr)
	var line string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "beta ") {
			line = l
		}
		if (strings.HasPrefix(l, "alpha ") || strings.HasPrefix(l, "gamma ")) && !strings.Contains(l, " ok ") {
			t.Errorf("a portal no other writer holds was not audited: %q\n%s", l, stdout)
		}
	}
	if !strings.Contains(line, "in use") || !strings.Contains(line, "'vigie harvest'") || !strings.Contains(line, "pid ") {
		t.Errorf("the held portal's line does not say it is in use and by whom: %q\n%s", line, stdout)
	}
	if !strings.Contains(stderr, "3 portals audited: 2 ok, 1 in use") {
		t.Errorf("summary: %q", stderr)
	}
	after := audited()
	for _, u := range []string{srvA.URL, srvC.URL} {
		if after[store.NormalizePortalURL(u)] != before[store.NormalizePortalURL(u)]+1 {
			t.Errorf("%s: %d audits before, %d after: want one more", u, before[u], after[u])
		}
	}
	if b := store.NormalizePortalURL(srvB.URL); after[b] != before[b] {
		t.Errorf("the held portal was audited: %d audits before, %d after", before[b], after[b])
	}

	// In French too, through the catalogue.
	code, stdout, _ = cli(ctx, "--config", cfg, "--quiet", "--lang", "fr", "audit", "--all")
	if code != ExitFailure || !strings.Contains(stdout, "occupé") || !strings.Contains(stdout, "est en cours d'écriture par « vigie harvest »") {
		t.Errorf("French: exit %d\n%s", code, stdout)
	}
}
