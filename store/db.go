// Package store keeps vigie's data in SQLite (modernc.org/sqlite, pure Go).
// It is the only package that writes SQL. Each public method is one
// transaction; a run is marked complete last, so an interrupted command
// leaves the previous good data intact.
package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"github.com/vigie-audit/vigie"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/vigie-audit/vigie/internal/plain"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migration/*.sql
var migrations embed.FS

// DB is an open vigie database.
type DB struct {
	sql  *sql.DB
	path string
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

// Open opens (creating if needed) the database at path and brings its schema
// up to date. Errors name the file and say what to do.
func Open(ctx context.Context, path string, opts ...Options) (*DB, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	if path == "" {
		return nil, vigie.NewError(vigie.KindNoDatabase, "store.no_path")
	}
	if o.ReadOnly || o.NoCreate {
		if _, err := os.Stat(path); err != nil {
			return nil, storeErr(vigie.KindNoDatabase, path, "store.db_missing", path)
		}
	}
	if o.ReadOnly {
		if err := checkSharedRead(path); err != nil {
			return nil, err
		}
	} else if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return nil, storeErr(vigie.KindNoFolder, path, "store.no_folder", path, dir)
		}
	}
	busy := 10 * time.Second
	if o.BusyTimeout > 0 {
		busy = o.BusyTimeout
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "temp_store(MEMORY)") // statement journals of multi-row INSERTs stay off disk
	q.Add("_txlock", "immediate")
	switch {
	case o.ReadOnly:
		q.Add("mode", "ro")
	case o.NoCreate:
		q.Add("mode", "rw") // never created by SQLite either
	}
	dsn := "file:" + path + "?" + q.Encode()
	sdb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{sql: sdb, path: path, Now: func() time.Time { return time.Now().UTC() }}
	if err := db.init(ctx, o); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) init(ctx context.Context, o Options) error {
	if err := db.verify(ctx, o.Verify); err != nil {
		return err
	}
	id, err := db.identify(ctx, o)
	if err != nil {
		return err
	}
	if o.ReadOnly {
		return nil
	}
	if id.tables == 0 {
		// Before the first table: lets prune give space back a few pages at
		// a time (incremental_vacuum) instead of rewriting the whole file.
		if _, err := db.sql.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
			return db.explain(err)
		}
	}
	var mode string
	if err := db.sql.QueryRowContext(ctx, "PRAGMA journal_mode = wal").Scan(&mode); err != nil {
		return db.explain(err)
	}
	if mode != "wal" {
		return storeErr(vigie.KindOther, db.path, "store.wal", db.path, mode)
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	return db.mark(ctx, id)
}

// explain turns low-level SQLite errors into one line that says what to do.
func (db *DB) explain(err error) error {
	msg := err.Error()
	switch {
	case vigie.KindOf(err) != vigie.KindOther, strings.HasPrefix(msg, "database "+db.path):
		return err // already explained
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
	names, err := fs.Glob(migrations, "migration/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
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
	body, err := migrations.ReadFile(name)
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

// Path is the database file.
func (db *DB) Path() string { return db.path }

// withTx runs fn in one transaction, committed when fn returns nil.
func (db *DB) withTx(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
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
