// Package store keeps vigie's data in SQLite (modernc.org/sqlite, pure Go),
// the embedded default, or in PostgreSQL (pgx), the shared store. It is the
// only package that writes SQL. Each public method is one
// transaction; a run is marked complete last, so an interrupted command
// leaves the previous good data intact.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigie-audit/vigie/internal/plain"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migration/*.sql
var migrations embed.FS

// DB is an open vigie database.
type DB struct {
	sql  *sql.DB
	path string // what messages call it: the file, or the URL without password
	// dsn is the PostgreSQL URL as given (with its password), for the
	// writer lock's own connection; "" for SQLite.
	dsn     string
	dialect dialect
	schema  string // PostgreSQL: the schema vigie's tables are in (current_schema)
	// Now is the clock used for timestamps; tests replace it.
	Now func() time.Time
	// writeMu serialises write transactions of goroutines sharing this DB
	// (several portals audited at once): SQLite has one writer, and waiting
	// here instead of on its busy timeout never fails a long write.
	writeMu sync.Mutex
	// asOf, when set, is the fixed "now" runs judge by (FixClock).
	asOf time.Time
	// snap, in a ReadSnapshot, is the connection holding its read transaction.
	snap *sql.Conn
	// pgSnap is a ReadSnapshot's pool of connections on PostgreSQL.
	pgSnap *pgSnapshot
	// readOnly is set when the database was opened with Options.ReadOnly:
	// nothing is written, not even the stored indicators of past runs.
	readOnly bool
	// missingIdx is the mask of the deferred indexes (deferidx.go) this DB
	// saw missing; indexedBy leaves them out.
	missingIdx atomic.Uint32
	// runTexts are the finding texts the score runs being saved through
	// this DB have committed so far, so that later batches skip them.
	runTexts runTextCache
}

// FixClock makes t the "now" that runs judge by from here on: freshness is
// computed against it, and harvest and score runs record it as their as_of
// with clock "fixed", so a past audit can be reproduced. The runs' own
// started_at and finished_at stay wall-clock times.
func (db *DB) FixClock(t time.Time) { db.asOf = t.UTC() }

// NowFunc is the clock used for timestamps (Now), for stages that stamp
// results themselves.
func (db *DB) NowFunc() func() time.Time { return db.Now }

// AsOf is the "now" runs judge by: the fixed clock when set, else Now().
func (db *DB) AsOf() time.Time {
	if !db.asOf.IsZero() {
		return db.asOf
	}
	return db.Now()
}

// clock names the clock AsOf reads: "fixed" or "system".
func (db *DB) clock() string {
	if !db.asOf.IsZero() {
		return ClockFixed
	}
	return ClockSystem
}

// Clocks a run can have judged by.
const (
	ClockSystem = "system"
	ClockFixed  = "fixed"
)

// Options for Open.
type Options struct {
	ReadOnly bool // open without migrating or writing (reports, listings)
	// BusyTimeout is how long a write waits for another connection's write
	// transaction before failing with a "locked" error; 0 means 10 s.
	BusyTimeout time.Duration
	// Verify runs PRAGMA quick_check before anything is read or written. A
	// writer sets it after an unclean shutdown (Lock.Unclean); every other
	// open only checks the file header, which costs nothing at any size.
	Verify bool
	// NoCreate refuses a database that does not exist or is empty, instead
	// of creating it: only harvest and audit create one, so a mistyped --db
	// elsewhere is an error, not a new empty file.
	NoCreate bool
}

// Open opens (creating if needed) the database dsn names and brings its
// schema up to date: a SQLite file for a path, a PostgreSQL database for a
// postgres:// or postgresql:// URL. Errors name the database (a URL without
// its password).
func Open(ctx context.Context, dsn string, opts ...Options) (*DB, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if dsn == "" {
		return nil, vigie.NewError(vigie.KindNoDatabase, "store.no_path")
	}
	if IsPostgres(dsn) {
		return openPostgres(ctx, dsn, o)
	}
	return openSQLite(ctx, dsn, o)
}

func nowUTC() time.Time { return time.Now().UTC() }

// explain turns low-level database errors into one line that says what is wrong.
func (db *DB) explain(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err // an interruption, told apart by the command line
	}
	msg := err.Error()
	if vigie.KindOf(err) != vigie.KindOther || strings.HasPrefix(msg, "database "+db.path) {
		return err // already explained
	}
	if db.dialect == postgres {
		return db.explainPostgres(err)
	}
	switch {
	case strings.Contains(msg, "disk is full"), strings.Contains(msg, "disk I/O error"):
		return storeErr(vigie.KindDiskFull, db.path, "store.disk_full", db.path, plain.FirstLine(msg))
	case strings.Contains(msg, "file is not a database"), strings.Contains(msg, "malformed"):
		return storeErr(vigie.KindBadDatabase, db.path, "store.not_vigie", db.path)
	case strings.Contains(msg, "readonly"), strings.Contains(msg, "read-only"), strings.Contains(msg, "unable to open"):
		return storeErr(vigie.KindReadOnly, db.path, "store.read_only", db.path)
	case strings.Contains(msg, "locked"), strings.Contains(msg, "busy"):
		return storeErr(vigie.KindInUse, db.path, "store.busy", db.path)
	}
	return fmt.Errorf("database %s: %w", db.path, err)
}

// migrate applies the embedded migrations not yet recorded, each in its own
// transaction together with its record, so none is ever half-applied.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.sql.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		return db.explain(err)
	}
	names, err := db.migrationNames()
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := db.migrateFile(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) migrateFile(ctx context.Context, name string) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return db.explain(err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return db.explain(err)
	}
	if n > 0 {
		return nil
	}
	body, err := db.migrationFS().ReadFile(name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("database %s: migration %s: %w", db.path, name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (name, applied_at) VALUES (?, ?)`, name, ts(db.Now())); err != nil {
		return db.explain(err)
	}
	return tx.Commit()
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// Path is the database file, or the PostgreSQL URL without its password:
// the name every message gives the database.
func (db *DB) Path() string { return db.path }

// Postgres reports whether the database is PostgreSQL rather than a SQLite file.
func (db *DB) Postgres() bool { return db.dialect == postgres }

// migrationFS and migrationNames are the dialect's embedded migrations,
// in the order they apply.
func (db *DB) migrationFS() embed.FS {
	if db.dialect == postgres {
		return pgMigrations
	}
	return migrations
}

func (db *DB) migrationNames() ([]string, error) {
	pattern := "migration/*.sql"
	if db.dialect == postgres {
		pattern = "migration/postgres/*.sql"
	}
	names, err := fs.Glob(db.migrationFS(), pattern)
	sort.Strings(names)
	return names, err
}

// withTx runs fn in one transaction, committed when fn returns nil.
func (db *DB) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if db.dialect == sqlite {
		db.writeMu.Lock()
		defer db.writeMu.Unlock()
	}
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return db.explain(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return db.explain(err)
	}
	return nil
}

// ts formats a time for storage.
func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// tsPtr formats an optional time; nil stays NULL.
func tsPtr(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return ts(*t)
}

// tsZero formats a time, zero stays NULL.
func tsZero(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// parseTS reads a stored time; NULL or bad text gives the zero time.
func parseTS(s sql.NullString) time.Time {
	if !s.Valid || s.String == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	if err != nil {
		return time.Time{}
	}
	return t
}

// parseTSPtr reads an optional stored time.
func parseTSPtr(s sql.NullString) *time.Time {
	t := parseTS(s)
	if t.IsZero() {
		return nil
	}
	return &t
}
