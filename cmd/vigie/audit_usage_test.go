package main

import (
	"bytes"
	"context"
	"github.com/vigie-audit/vigie/internal/storetest"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/store"
)

func TestAuditUsageErrors(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"audit"}, "--out is required"},
		{[]string{"audit", "--out", "x", "--fail-on", "broken-links,bogus"}, `--fail-on "bogus" is not a condition`},
		{[]string{"audit", "--out", "x", "--fail-under", "-1"}, "--fail-under must be"},
		{[]string{"diff", "--from", "yesterday"}, "--from:"},
		{[]string{"diff", "--format", "xml"}, "--format must be one of"},
		{[]string{"prune", "--keep", "0"}, "--keep must be at least 1"},
	} {
		var stdout, stderr bytes.Buffer
		args := append([]string{"--db", storetest.NewDSN(t)}, c.args...)
		code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
		if code != ExitUsage || !strings.Contains(stderr.String(), c.want) || strings.Count(strings.TrimSpace(stderr.String()), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q on one line", c.args, code, stderr.String(), c.want)
		}
	}
}

func TestPruneAndAuditWaitForNoOne(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	db := storetest.NewDSN(t)
	defer holdWriterLock(t, db, defaultPortalURL, "harvest")()
	for _, args := range [][]string{{"prune", "--keep", "3"}, {"audit", "--out", t.TempDir()}} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(""), &stdout, &stderr)
		if code != ExitFailure || !strings.Contains(stderr.String(), "'vigie harvest'") {
			t.Errorf("%s while harvest holds the lock: exit %d, %q", args[0], code, stderr.String())
		}
	}
}

// defaultPortalURL is --portal when neither the flag nor VIGIE_PORTAL is given.
const defaultPortalURL = "https://www.donneesquebec.ca/recherche"

// holdWriterLock takes, as another vigie process would, the writer lock of
// the database at db (path or URL) for portal: SQLite's lock file, or on
// PostgreSQL the portal's advisory lock (the portal recorded first, so that
// prune, which locks every portal, meets it). It returns the release.
func holdWriterLock(t *testing.T, db, portal, command string) func() {
	t.Helper()
	if !store.IsPostgres(db) {
		lock, err := store.AcquireLock(db, command)
		if err != nil {
			t.Fatal(err)
		}
		return func() { lock.Release() }
	}
	ctx := context.Background()
	sdb, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.EnsurePortal(ctx, portal); err != nil {
		t.Fatal(err)
	}
	lock, err := sdb.LockPortals(ctx, []string{portal}, command)
	if err != nil {
		t.Fatal(err)
	}
	return func() { lock.Release(); sdb.Close() }
}
