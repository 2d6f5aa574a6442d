package store

import (
	"context"
	"fmt"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"path"
	"sort"
	"strings"
)

// ApplicationID marks a SQLite file as a vigie database (PRAGMA
// application_id, bytes 68–71 of the header): "vigi" in ASCII. Files
// written before it existed carry 0 and are recognised by their tables.
const ApplicationID = 0x76696769

// identity is what a database file says about who wrote it.
type identity struct {
	appID   int64
	tables  int  // rows of sqlite_schema
	vigie   bool // carries vigie's own tables (portals, harvest_runs, migrations)
	unknown string
}

// identify refuses a database vigie must not touch: another application's
// (a foreign application_id, or tables that are not vigie's), one written
// by a newer vigie (a migration this build does not know), and, unless
// create, an empty one. It runs before anything is written, so a refused
// file is left exactly as it was (no WAL switch, no tables).
func (db *DB) identify(ctx context.Context, o Options) (identity, error) {
	var id identity
	if err := db.sql.QueryRowContext(ctx, `PRAGMA application_id`).Scan(&id.appID); err != nil {
		return id, db.explain(err)
	}
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(&id.tables); err != nil {
		return id, db.explain(err)
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('portals', 'harvest_runs', 'migrations')`).Scan(&n); err != nil {
		return id, db.explain(err)
	}
	id.vigie = n == 3
	switch {
	case id.appID != 0 && id.appID != ApplicationID:
		return id, storeErr(vigie.KindForeignDatabase, db.path, "store.other_app", db.path, fmt.Sprintf("%#x", uint32(id.appID)))
	case id.tables == 0:
		if o.ReadOnly || o.NoCreate {
			return id, storeErr(vigie.KindNoDatabase, db.path, "store.db_empty", db.path)
		}
		return id, nil
	case id.appID == 0 && !id.vigie:
		return id, storeErr(vigie.KindForeignDatabase, db.path, "store.foreign_tables", db.path)
	case id.appID == ApplicationID && !id.vigie:
		return id, db.corrupted("vigie's tables are missing")
	}
	return id, db.checkMigrations(ctx, o)
}

// checkMigrations refuses a database a newer vigie wrote (a migration this
// build does not know) and, for a read-only open, one an older vigie wrote
// (OlderSchemaError).
func (db *DB) checkMigrations(ctx context.Context, o Options) error {
	known := map[string]bool{}
	names, err := db.migrationNames()
	if err != nil {
		return err
	}
	for _, n := range names {
		known[n] = true
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT name FROM migrations`)
	if err != nil {
		return db.explain(err)
	}
	defer rows.Close()
	var unknown []string
	applied := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return db.explain(err)
		}
		applied[n] = true
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	if err := rows.Err(); err != nil {
		return db.explain(err)
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return storeErr(vigie.KindNewerDatabase, db.path, "store.newer", db.path, unknown[len(unknown)-1])
	}
	if o.ReadOnly {
		// Read-only opens do not migrate: on a database an older vigie
		// wrote they would fail on a missing column. The caller may migrate
		// it under the writer lock and open it again (OlderSchemaError).
		for _, n := range names {
			if !applied[n] {
				return &OlderSchemaError{Path: db.path, Schema: strings.TrimSuffix(path.Base(n), ".sql")}
			}
		}
	}
	return nil
}

// mark stamps vigie's application_id on a new database or on one written
// before the id existed.
func (db *DB) mark(ctx context.Context, id identity) error {
	if id.appID == ApplicationID {
		return nil
	}
	if _, err := db.sql.ExecContext(ctx, fmt.Sprintf(`PRAGMA application_id = %d`, ApplicationID)); err != nil {
		return db.explain(err)
	}
	return nil
}

// MigrateCommand is the command that only brings a database's schema up to
// date, named by every error about a database an older vigie wrote.
const MigrateCommand = "vigie check --migrate"

// OlderSchemaError is what a read-only Open returns on a database an older
// vigie wrote: a migration this build knows is not applied yet. Reason, when
// set, says why the caller could not apply it itself.
type OlderSchemaError struct {
	Path, Schema, Reason string
}

func (e *OlderSchemaError) Error() string { return e.Localize("en") }

// Localize is the error in lang; the command line adds what to do (run
// MigrateCommand) from its kind. Reason is given in the reader's language.
func (e *OlderSchemaError) Localize(lang string) string {
	s := l10n.T(lang, "store.older", e.Path, e.Schema)
	if e.Reason != "" {
		s = l10n.T(lang, "store.older.reason", s, e.Reason)
	}
	return s
}

// ErrorKind makes it an older database for the command line's hint.
func (e *OlderSchemaError) ErrorKind() vigie.ErrorKind { return vigie.KindOlderDatabase }
