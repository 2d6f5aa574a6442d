package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/vigie-audit/vigie"
)

// SQLite is vigie's embedded store: one file, nothing to install. What only
// SQLite does is here and in integrity.go, share.go and lock.go: the file's
// header and application_id, WAL, PRAGMA checks, the file lock.

// dialect is the SQL engine behind a DB.
type dialect int

const (
	sqlite dialect = iota
	postgres
)

// openSQLite opens (creating if needed) the SQLite file at path.
func openSQLite(ctx context.Context, path string, o Options) (*DB, error) {
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
	db := &DB{sql: sdb, path: path, Now: nowUTC, readOnly: o.ReadOnly}
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
		// a pass killed before it built its indexes again: read without
		// them until the next writer builds them
		m, err := db.missingIndexes(ctx, db.sql)
		if err != nil {
			return db.explain(err)
		}
		db.missingIdx.Store(m)
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
	// a first harvest killed before the end left its indexes to build
	if err := db.ensureIndexes(ctx); err != nil {
		return err
	}
	return db.mark(ctx, id)
}

// The few SQL fragments the two engines spell differently. Everything else
// is written once in the subset both accept (ON CONFLICT, RETURNING,
// COUNT(*) FILTER, ? placeholders rebound for PostgreSQL).

// jsonArrayAgg aggregates expr ("DISTINCT x" allowed) into a JSON array text.
func (db *DB) jsonArrayAgg(expr string) string {
	if db.dialect == postgres {
		return "CAST(json_agg(" + expr + ") AS TEXT)"
	}
	return "json_group_array(" + expr + ")"
}

// jsonArrayLength is the number of elements of the JSON array held in the
// text column col.
func (db *DB) jsonArrayLength(col string) string {
	if db.dialect == postgres {
		return "json_array_length(CAST(" + col + " AS json))"
	}
	return "json_array_length(" + col + ")"
}

// findingTextIDs is a query of the finding_texts ids that dataset_findings
// refers to at position pos of its findings (5 for messages, 6 for hints).
func (db *DB) findingTextIDs(pos int) string {
	p := strconv.Itoa(pos)
	if db.dialect == postgres {
		return "SELECT CAST(j.value ->> " + p + " AS BIGINT) FROM dataset_findings f, json_array_elements(CAST(f.findings AS json)) j"
	}
	return "SELECT j.value ->> " + p + " FROM dataset_findings f, json_each(f.findings) j"
}

// intList is a table expression, named alias, with one column, value: the
// integers of the JSON array passed as its one ? argument.
func (db *DB) intList(alias string) string {
	if db.dialect == postgres {
		return "(SELECT CAST(value AS BIGINT) AS value FROM json_array_elements_text(CAST(? AS json))) " + alias
	}
	return "json_each(?) " + alias
}

// indexedBy forces SQLite's planner onto an index ("" on PostgreSQL, whose
// planner chooses by itself, and when the index is a deferred one this DB
// saw missing: a first harvest's, deferidx.go).
func (db *DB) indexedBy(index string) string {
	if db.dialect == postgres || db.indexMissing(index) {
		return ""
	}
	return " INDEXED BY " + index
}

// notIndexed makes SQLite read a table in its own order, through none of
// its indexes (nothing on PostgreSQL).
func (db *DB) notIndexed() string {
	if db.dialect == postgres {
		return ""
	}
	return " NOT INDEXED"
}

// unindexed is a column SQLite's planner must not reach through an index
// (a unary + on SQLite; PostgreSQL's planner weighs its indexes itself).
func (db *DB) unindexed(col string) string {
	if db.dialect == postgres {
		return col
	}
	return "+" + col
}

// rowID names a row of table by its physical address, or its key where
// SQLite keeps the row in the key (WITHOUT ROWID), for deleting a table's
// rows in small batches.
func (db *DB) rowID(table string) string {
	switch {
	case db.dialect == postgres:
		return "ctid"
	case table == "link_checks":
		return "(url, run_id)"
	case table == "dataset_events":
		return "(run_id, dataset_id, kind)"
	case table == "links":
		return "url"
	}
	return "rowid"
}

// pragma runs a SQLite tuning PRAGMA (a page cache size…); PostgreSQL has
// none to run.
func (db *DB) pragma(ctx context.Context, c execer, q string) error {
	if db.dialect == postgres {
		return nil
	}
	_, err := c.ExecContext(ctx, q)
	return err
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// insertMulti begins an INSERT of many rows whose failure fails the whole
// transaction anyway. On SQLite it is INSERT OR FAIL: a constraint error
// keeps the statement's earlier rows instead of undoing them, so that
// SQLite keeps no statement journal (a copy of every page the statement
// changes, about a tenth of the resources' statements in a first
// harvest); the transaction's rollback undoes them all the same.
func (db *DB) insertMulti() string {
	if db.dialect == postgres {
		return "INSERT"
	}
	return "INSERT OR FAIL"
}
