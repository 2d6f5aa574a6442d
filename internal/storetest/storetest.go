// Package storetest sets up databases for tests: a fresh one, an existing
// file, and a harvested catalogue, each closed when the test ends.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/pgtest"
	"github.com/vigie-audit/vigie/store"
)

// Postgres reports whether the tests run on PostgreSQL: VIGIE_TEST_POSTGRES
// names a server (scripts/pg.sh starts a throwaway one). Otherwise they run
// on SQLite files.
func Postgres() bool { return pgtest.Server() != "" }

// NewDSN returns what --db takes for a fresh, empty database: a file in a
// temporary folder, or on PostgreSQL a URL naming a new schema on the test
// server (pgtest.NewDatabase), dropped when the test ends.
func NewDSN(tb testing.TB) string {
	tb.Helper()
	if Postgres() {
		return pgtest.NewDatabase(tb)
	}
	return filepath.Join(tb.TempDir(), "vigie.db")
}

// NewDB opens a fresh database: a SQLite file in a temporary folder, or a
// new PostgreSQL store when the tests run on PostgreSQL (NewDSN).
func NewDB(tb testing.TB) *store.DB {
	tb.Helper()
	return Open(tb, NewDSN(tb))
}

// SkipIfPostgres skips a test about SQLite's files (the lock file, WAL,
// permissions, a damaged file) when the tests run on PostgreSQL, where
// there is no file; on SQLite it runs.
func SkipIfPostgres(tb testing.TB) {
	tb.Helper()
	if Postgres() {
		tb.Skip("SQLite file behaviour")
	}
}

// Open opens the database at path (creating it unless opts say read-only);
// it is closed when the test ends, if the test has not closed it.
func Open(tb testing.TB, path string, opts ...store.Options) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), path, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Portal records portalURL in db.
func Portal(tb testing.TB, db *store.DB, portalURL string) *store.Portal {
	tb.Helper()
	p, err := db.EnsurePortal(context.Background(), portalURL)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// HarvestFixture stores ds as one complete full harvest of portalURL, as if
// the portal had just been harvested, and returns the portal and the run.
func HarvestFixture(tb testing.TB, db *store.DB, portalURL string, ds []vigie.Dataset) (*store.Portal, int64) {
	tb.Helper()
	ctx := context.Background()
	p := Portal(tb, db, portalURL)
	run, err := db.BeginHarvestRun(ctx, p.ID, store.HarvestOptions{Mode: store.ModeFull})
	if err != nil {
		tb.Fatal(err)
	}
	c, err := db.SaveDatasets(ctx, p.ID, run, ds)
	if err != nil {
		tb.Fatal(err)
	}
	if err := db.FinishHarvestRun(ctx, run, store.HarvestResult{Mode: store.ModeFull, Status: store.RunComplete, ListingComplete: true,
		Expected: len(ds), Fetched: len(ds), Counts: c}); err != nil {
		tb.Fatal(err)
	}
	return p, run
}
