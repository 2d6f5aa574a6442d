package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"github.com/vigie-audit/vigie/internal/storetest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/store"
)

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	if store.IsPostgres(path) {
		return [32]byte{} // no file: what a refused command left is checked by the tests' queries
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// openRaw opens a test database (a file or a PostgreSQL URL) past vigie.
func openRaw(t *testing.T, path string, readOnly bool) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	switch {
	case store.IsPostgres(path):
		db, err = sql.Open("pgx", path)
	case readOnly:
		db, err = sql.Open("sqlite", "file:"+path+"?mode=ro")
	default:
		db, err = sql.Open("sqlite", "file:"+path)
	}
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// execSQL runs statements on a test database; on PostgreSQL it leaves out
// SQLite's PRAGMAs.
func execSQL(t *testing.T, path string, stmts ...string) {
	t.Helper()
	db := openRaw(t, path, false)
	defer db.Close()
	for _, s := range stmts {
		if store.IsPostgres(path) && strings.HasPrefix(s, "PRAGMA") {
			continue
		}
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func queryInt(t *testing.T, path, q string) int64 {
	t.Helper()
	db := openRaw(t, path, true)
	defer db.Close()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// oneLineErr checks that a command failed with exit 1 and one line holding want.
func oneLineErr(t *testing.T, what string, code int, stderr, want string) {
	t.Helper()
	if code != ExitFailure || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
		t.Errorf("%s: exit %d, stderr %q, want one line with %q", what, code, stderr, want)
	}
}

// A database written by a newer vigie (a migration this build does not know)
// is refused by every command, writers and readers, and left untouched.
func TestNewerDatabaseIsRefused(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	db, portal := harvestedDB(t, 5)
	execSQL(t, db, `INSERT INTO migrations (name, applied_at) VALUES ('migration/9999_from_the_future.sql', '2030-01-01T00:00:00Z')`, `PRAGMA wal_checkpoint(TRUNCATE)`)
	before := fileSum(t, db)
	ctx := context.Background()
	for _, args := range [][]string{{"harvest", "--rate", "0"}, {"score"}, {"links"}, {"prune"}, {"datasets"}, {"report", "--format", "md"}} {
		code, _, errs := cli(ctx, append([]string{"--db", db, "--portal", portal, "-q"}, args...)...)
		oneLineErr(t, args[0], code, errs, "written by a newer vigie (schema migration/9999_from_the_future.sql unknown to this one): upgrade vigie")
	}
	if fileSum(t, db) != before {
		t.Error("the newer database was written to")
	}
}

// Another application's SQLite file is refused before anything is written:
// it is not switched to WAL and gets none of vigie's tables.
func TestForeignDatabaseIsRefusedUntouched(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	dir := t.TempDir()
	plain := filepath.Join(dir, "notes.sqlite")
	execSQL(t, plain, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`, `INSERT INTO notes (body) VALUES ('keep me')`)
	stamped := filepath.Join(dir, "other-app.db")
	execSQL(t, stamped, `PRAGMA application_id = 1234567`, `CREATE TABLE portals (x)`, `CREATE TABLE harvest_runs (x)`, `CREATE TABLE migrations (name)`)
	ctx := context.Background()
	for path, want := range map[string]string{
		plain:   "is not a vigie database (its tables are another application's)",
		stamped: "belongs to another application (SQLite application_id 0x12d687), not vigie",
	} {
		before := fileSum(t, path)
		for _, args := range [][]string{{"prune"}, {"harvest", "--rate", "0"}, {"score"}, {"datasets"}} {
			code, _, errs := cli(ctx, append([]string{"--db", path, "--portal", "http://127.0.0.1:1", "-q"}, args...)...)
			oneLineErr(t, filepath.Base(path)+" "+args[0], code, errs, want)
		}
		if fileSum(t, path) != before {
			t.Errorf("%s was modified", path)
		}
		b, _ := os.ReadFile(path)
		if b[18] != 1 || b[19] != 1 {
			t.Errorf("%s was switched to WAL", path)
		}
		if _, err := os.Stat(path + "-wal"); err == nil {
			t.Errorf("%s got a -wal file", path)
		}
	}
}

// Only harvest and audit create a database; a mistyped --db elsewhere is an
// error that creates nothing, not even a lock file.
func TestMistypedDBCreatesNothing(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	dir := t.TempDir()
	missing := filepath.Join(dir, "vigei.db")
	ctx := context.Background()
	for _, args := range [][]string{{"prune"}, {"links"}, {"score"}, {"datasets"}, {"report", "--format", "md"}, {"runs"}} {
		code, _, errs := cli(ctx, append([]string{"--db", missing, "-q"}, args...)...)
		oneLineErr(t, args[0], code, errs, "database "+missing+" does not exist: run 'vigie harvest' first")
	}
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o644)
	for _, args := range [][]string{{"prune"}, {"score"}, {"datasets"}} {
		code, _, errs := cli(ctx, append([]string{"--db", empty, "-q"}, args...)...)
		oneLineErr(t, "empty "+args[0], code, errs, "is empty: run 'vigie harvest' first")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("files created by commands that must not create a database: %v", names)
	}
	if st, _ := os.Stat(empty); st.Size() != 0 {
		t.Errorf("the empty file was written to (%d bytes)", st.Size())
	}
}

// New databases carry vigie's application_id; a vigie database from before
// the id (vigie's tables, id 0) is still read, and marked by the next writer.
func TestVigieDatabasesAreMarkedAndOldOnesAccepted(t *testing.T) {
	storetest.SkipIfPostgres(t) // SQLite's application_id (PostgreSQL's mark is vigie_meta)
	db, portal := harvestedDB(t, 5)
	if id := queryInt(t, db, `PRAGMA application_id`); id != store.ApplicationID {
		t.Fatalf("a new database has application_id %#x", id)
	}
	execSQL(t, db, `PRAGMA application_id = 0`)
	ctx := context.Background()
	code, out, errs := cli(ctx, "--db", db, "--portal", portal, "datasets", "--format", "json")
	if code != 0 || strings.Count(out, `"name"`) != 5 {
		t.Fatalf("an unmarked vigie database is not read: exit %d %s", code, errs)
	}
	if id := queryInt(t, db, `PRAGMA application_id`); id != 0 {
		t.Errorf("a read-only command marked the database")
	}
	if code, _, errs := cli(ctx, "--db", db, "--portal", portal, "-q", "score"); code != 0 {
		t.Fatalf("score on an unmarked vigie database: %s", errs)
	}
	if id := queryInt(t, db, `PRAGMA application_id`); id != store.ApplicationID {
		t.Errorf("the writer did not mark the database: %#x", id)
	}
}

// An address that is not an http(s) URL is refused before the database is
// created or touched: no portal row, no file.
func TestInvalidPortalAddsNoRow(t *testing.T) {
	t.Setenv("VIGIE_LANG", "en") // asserts the English messages
	db, _ := harvestedDB(t, 3)
	before := queryInt(t, db, `SELECT COUNT(*) FROM portals`)
	dir := t.TempDir()
	ctx := context.Background()
	for _, p := range []string{"not a url", "ftp://files.example", "http://", "https://user:hunter2@"} {
		for _, args := range [][]string{{"harvest"}, {"audit", "--out", filepath.Join(dir, "out")}} {
			code, _, errs := cli(ctx, append([]string{"--db", db, "--portal", p}, args...)...)
			if code != ExitUsage || !strings.Contains(errs, "is not an http(s) URL") || strings.Contains(errs, "hunter2") {
				t.Errorf("%s --portal %q: exit %d %q", args[0], p, code, errs)
			}
			code, _, _ = cli(ctx, append([]string{"--db", filepath.Join(dir, "new.db"), "--portal", p}, args...)...)
			if code != ExitUsage {
				t.Errorf("%s --portal %q on a new database: exit %d", args[0], p, code)
			}
		}
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM portals`); n != before {
		t.Errorf("invalid portals added %d rows", n-before)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.db")); err == nil {
		t.Error("an invalid portal created a database")
	}
}
