package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie/internal/storetest"
)

// storeRefusal runs args in French and in English and checks that each
// fails with exit code, on one line that holds the store's sentence and,
// once, the kind's hint from the command line's table (never a second
// what-to-do of the store's own).
func storeRefusal(t *testing.T, what string, args []string, code int, want map[string][2]string) {
	t.Helper()
	ctx := context.Background()
	for _, lang := range []string{"fr", "en"} {
		got, out, errs := cli(ctx, append([]string{"--lang", lang}, args...)...)
		w := want[lang]
		if got != code || out != "" || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, w[0]) || strings.Count(errs, w[1]) != 1 {
			t.Errorf("%s (%s): exit %d, stdout %q, stderr %q; want exit %d, one line with %q and then %q once", what, lang, got, out, errs, code, w[0], w[1])
		}
	}
}

// A --db that is not a valid PostgreSQL URL is a usage mistake: what is
// wrong from the store, how to write it from the kinds table, the password
// never shown, the URL not repeated by the parser's words.
func TestBadPostgresURLHintFromTheTable(t *testing.T) {
	args := []string{"--db", "postgres://u:hunter2@bad host:5432/vigie", "datasets"}
	storeRefusal(t, "bad URL", args, ExitUsage, map[string][2]string{
		"fr": {"adresse PostgreSQL invalide (", " : écrivez --db (ou VIGIE_DB) sous la forme postgres://UTILISATEUR@HÔTE:PORT/BASE"},
		"en": {"not a valid PostgreSQL URL (", ": write --db (or VIGIE_DB) as postgres://USER@HOST:PORT/DATABASE"},
	})
	_, _, errs := cli(context.Background(), args...)
	if strings.Contains(errs, "hunter2") || strings.Contains(errs, "cannot parse") {
		t.Errorf("the bad URL's error shows the password or repeats the URL: %q", errs)
	}
}

// Another application's SQLite file: vigie is given a file of its own, not
// told to move someone else's file aside.
func TestForeignSQLiteHintFromTheTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.sqlite")
	execSQL(t, path, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`)
	storeRefusal(t, "foreign file", []string{"--db", path, "datasets"}, ExitFailure, map[string][2]string{
		"fr": {"n'est pas une base vigie (ses tables sont celles d'une autre application)", " : donnez à vigie un fichier à lui : passez un autre --db"},
		"en": {"is not a vigie database (its tables are another application's)", ": give vigie a file of its own: pass another --db"},
	})
}

// A truncated SQLite file: how much is missing from the store, what to do
// (restore, or move aside and harvest again) once, from the table.
func TestTruncatedDatabaseHintFromTheTable(t *testing.T) {
	storetest.SkipIfPostgres(t) // a damaged file
	db, portal := harvestedDB(t, 20)
	execSQL(t, db, `PRAGMA wal_checkpoint(TRUNCATE)`)
	b, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(db + "-wal")
	storeRefusal(t, "truncated", []string{"--db", db, "--portal", portal, "datasets"}, ExitFailure, map[string][2]string{
		"fr": {"est endommagée (tronquée : ", " : restaurez-la d'une sauvegarde, ou mettez-la de côté et moissonnez à nouveau"},
		"en": {"is corrupted (truncated: ", ": restore it from a backup, or move it aside and harvest again"},
	})
}

// On PostgreSQL, a schema holding another application's tables: its own
// database or its own schema, from the table.
func TestForeignPostgresHintFromTheTable(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: run with VIGIE_TEST_POSTGRES (scripts/pg.sh)")
	}
	db := storetest.NewDSN(t)
	execSQL(t, db, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`)
	storeRefusal(t, "foreign schema", []string{"--db", db, "datasets"}, ExitFailure, map[string][2]string{
		"fr": {"contient les tables d'une autre application (schéma vigie_t_", " : donnez à vigie sa propre base avec --db, ou son propre schéma avec ?search_path=vigie dans l'adresse"},
		"en": {"holds another application's tables (in schema vigie_t_", ": give vigie its own database with --db, or its own schema with ?search_path=vigie in the URL"},
	})
}

// On PostgreSQL, a server that refuses writes (a read-only replica, here a
// session whose transactions are read-only): connect to the primary.
func TestReplicaHintFromTheTable(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: run with VIGIE_TEST_POSTGRES (scripts/pg.sh)")
	}
	db := storetest.NewDSN(t)
	sep := "?"
	if strings.Contains(db, "?") {
		sep = "&"
	}
	storeRefusal(t, "replica", []string{"--db", db + sep + "default_transaction_read_only=on", "harvest", "--portal", "http://127.0.0.1:1"}, ExitFailure, map[string][2]string{
		"fr": {"ne peut pas être écrite, le serveur est en lecture seule (", " : connectez-vous au serveur principal, pas à une réplique en lecture seule (--db ou VIGIE_DB)"},
		"en": {"cannot be written, the server is read-only (", ": connect to the primary server, not a read-only replica (--db or VIGIE_DB)"},
	})
}

// A file that is not a database at all (a mistyped --db): not told to
// restore a backup of it, only to move it aside or pass another --db.
func TestNotADatabaseHintFromTheTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("hello, this is no database\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	storeRefusal(t, "text file", []string{"--db", path, "datasets"}, ExitFailure, map[string][2]string{
		"fr": {"n'est pas une base vigie ou est endommagée", " : mettez-la de côté, ou passez un autre --db"},
		"en": {"is not a vigie database or is corrupted", ": move it aside, or pass another --db"},
	})
	_, _, errs := cli(context.Background(), "--db", path, "datasets")
	if strings.Contains(errs, "sauvegarde") {
		t.Errorf("a text file is not a database to restore: %q", errs)
	}
}
