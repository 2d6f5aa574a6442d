package main

import (
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"strings"
	"testing"
)

// After vigie is upgraded (a new migration), the first command of a nightly
// run may be a read-only one: it brings the database up to date itself when
// it may write it, without adding a run; when it may not (a read-only file),
// its one-line error names the command that only migrates.
func TestReadOnlyCommandMigratesAnOlderDatabase(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	ctx := context.Background()
	db, portal := harvestedDB(t, 5)
	rollBack := func() {
		t.Helper()
		execSQL(t, db, `DELETE FROM migrations WHERE name = (SELECT max(name) FROM migrations)`)
	}
	applied := queryInt(t, db, `SELECT COUNT(*) FROM migrations`)
	runs := queryInt(t, db, `SELECT COUNT(*) FROM score_runs`)
	rollBack()

	code, out, errs := cli(ctx, "--db", db, "--portal", portal, "report", "--format", "md")
	if code != 0 || !strings.Contains(out, "#") {
		t.Fatalf("report on an older database: exit %d, %s", code, errs)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM migrations`); n != applied {
		t.Errorf("after report, %d migrations applied, want %d", n, applied)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM score_runs`); n != runs {
		t.Errorf("migrating added score runs: %d, want %d", n, runs)
	}
	if b, _ := os.ReadFile(db + ".lock"); strings.TrimSpace(string(b)) != "" {
		t.Errorf("the writer lock was not released: %q", b)
	}

	// A read-only file is not written: the error names the migrate command,
	// which brings it up to date once the file is writable again.
	if storetest.Postgres() {
		rollBack()
		code, out, errs = cli(ctx, "--db", db, "check", "--migrate")
		if code != 0 || !strings.Contains(out, "schema up to date") || strings.Contains(out, "s3cret") {
			t.Fatalf("check --migrate: exit %d, %s", code, errs)
		}
		if n := queryInt(t, db, `SELECT COUNT(*) FROM migrations`); n != applied {
			t.Errorf("after check --migrate, %d migrations applied, want %d", n, applied)
		}
		t.Skip("SQLite file behaviour: the rest makes the file read-only")
	}
	rollBack()
	if err := os.Chmod(db, 0o444); err != nil {
		t.Fatal(err)
	}
	code, _, errs = cli(ctx, "--db", db, "--portal", portal, "report", "--format", "md")
	oneLineErr(t, "report on a read-only older database", code, errs, "'vigie check --migrate'")
	if !strings.Contains(errs, "read-only") {
		t.Errorf("the error does not say why it cannot migrate: %s", errs)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM migrations`); n != applied-1 {
		t.Errorf("a read-only file was migrated: %d migrations", n)
	}
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = cli(ctx, "--db", db, "check", "--migrate")
	if code != 0 || !strings.Contains(out, "schema up to date") {
		t.Fatalf("check --migrate: exit %d, %s", code, errs)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM migrations`); n != applied {
		t.Errorf("after check --migrate, %d migrations applied, want %d", n, applied)
	}
}
