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
// database: a writer of another portal runs meanwhile, a writer of one of
// its portals makes it fail with the in-use error naming that writer.
func TestAuditAllLocksEachPortalOnPostgres(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: run with VIGIE_TEST_POSTGRES (scripts/pg.sh)")
	}
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	_, srvA, _, _ := auditPortal(t, 10)
	_, srvB, _, _ := auditPortal(t, 10)
	db := storetest.NewDSN(t)
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
`, db, filepath.Join(t.TempDir(), "audits"), srvA.URL, srvB.URL))
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

	release := holdWriterLock(t, db, srvB.URL, "harvest")
	defer release()
	code, _, stderr = cli(ctx, "--config", cfg, "--quiet", "audit", "--all")
	if code != ExitFailure || !strings.Contains(stderr, "'vigie harvest'") || !strings.Contains(stderr, srvB.URL) {
		t.Errorf("audit --all while one of its portals is written: exit %d, %q", code, stderr)
	}
}
