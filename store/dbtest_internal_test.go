package store

import (
	"path/filepath"
	"regexp"
	"testing"

	"github.com/vigie-audit/vigie/internal/pgtest"
)

// testDSN is a fresh database for this package's own tests: a SQLite file,
// or a new PostgreSQL database when VIGIE_TEST_POSTGRES names a server (as
// storetest.NewDSN, which this package's tests cannot import).
func testDSN(tb testing.TB) string {
	tb.Helper()
	if pgtest.Server() != "" {
		return pgtest.NewDatabase(tb)
	}
	return filepath.Join(tb.TempDir(), "vigie.db")
}

// skipIfPostgres skips a test about SQLite's files on PostgreSQL.
func skipIfPostgres(tb testing.TB) {
	tb.Helper()
	if pgtest.Server() != "" {
		tb.Skip("SQLite file behaviour")
	}
}

// idTable matches an INSERT into a table whose rows have a generated id.
var idTable = regexp.MustCompile(`^\s*INSERT INTO (portals|harvest_runs|link_runs|score_runs|dataset_versions|audit_runs) \(`)
