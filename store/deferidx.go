package store

import (
	"context"
	"database/sql"
	"strings"
)

// A first harvest into a SQLite database that holds no dataset at all
// builds its secondary indexes once, at the end of the pass, instead of
// updating them row by row: the datasets come in id order, so that every
// index below is filled in random order, and at 100,000 datasets each
// page's commit rewrote thousands of their pages (the URL index alone
// holds 340,000 entries). CREATE INDEX sorts once instead.
//
// Only the indexes that none of the harvest's own statements read are
// deferred (EXPLAIN QUERY PLAN: a page's statements go through the primary
// keys; the end of a pass, MarkMissing and the counts, reads datasets_org
// for portal_id but the primary key serves as well). They are shared by
// every portal, so they are dropped only when the database holds no
// dataset. Safety: they are created again when the run finishes (complete,
// failed or interrupted) and, after a pass killed before that, when the
// database is next opened for writing; a reader that finds one missing
// (opened read-only meanwhile, or during the pass) reads without it
// (indexedBy), slower but the same. A migration that touches one of them
// must say IF EXISTS: it may find it missing.
var deferredIndexes = []struct{ name, create string }{
	{"datasets_name", `CREATE INDEX IF NOT EXISTS datasets_name ON datasets(portal_id, name)`},
	{"datasets_org", `CREATE INDEX IF NOT EXISTS datasets_org ON datasets(portal_id, organization)`},
	{"datasets_unpublished", `CREATE INDEX IF NOT EXISTS datasets_unpublished ON datasets(portal_id)
    WHERE NOT (1 = 1 AND private = 0 AND lower(trim(ckan_state)) IN ('', 'active'))`},
	{"resources_url", `CREATE INDEX IF NOT EXISTS resources_url ON resources(url, portal_id, dataset_id)`},
	{"dataset_versions_ds", `CREATE INDEX IF NOT EXISTS dataset_versions_ds ON dataset_versions(portal_id, dataset_id, id)`},
}

// allDeferred is the mask of every deferred index (bit i: deferredIndexes[i]).
const allDeferred = 1<<5 - 1

// rowQuerier runs a query on a pool, a connection or a transaction.
type rowQuerier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// missingIndexes reads which deferred indexes the schema lacks, as a mask:
// one read of sqlite_schema. Always 0 on PostgreSQL.
func (db *DB) missingIndexes(ctx context.Context, q rowQuerier) (uint32, error) {
	if db.dialect == postgres {
		return 0, nil
	}
	names := make([]string, len(deferredIndexes))
	args := make([]any, len(deferredIndexes))
	for i, d := range deferredIndexes {
		names[i], args[i] = "?", d.name
	}
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'index' AND name IN (`+strings.Join(names, ", ")+`)`, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	missing := uint32(allDeferred)
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return 0, err
		}
		for i, d := range deferredIndexes {
			if d.name == name {
				missing &^= 1 << i
			}
		}
	}
	return missing, rows.Err()
}

// ensureIndexes creates the deferred indexes the schema lacks (a first
// pass finished, or one killed before it could), in one transaction.
func (db *DB) ensureIndexes(ctx context.Context) error {
	if db.dialect == postgres || db.readOnly {
		return nil
	}
	missing, err := db.missingIndexes(ctx, db.sql)
	if err != nil {
		return db.explain(err)
	}
	if missing == 0 {
		db.missingIdx.Store(0)
		return nil
	}
	if err := db.buildIndexes(ctx, missing); err != nil {
		return db.explain(err)
	}
	db.missingIdx.Store(0)
	return nil
}

// buildIndexes creates the missing deferred indexes in one transaction, on
// a connection of its own whose sorts spill to temporary files and whose
// page cache (which also sizes the sort's runs in memory) is 8 MiB: with
// the pool's temp_store = MEMORY and the harvest's 32 MiB cache, the sort
// of 340,000 URLs (100,000 datasets) took 64–90 MiB more than the pass.
func (db *DB) buildIndexes(ctx context.Context, missing uint32) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, q := range []string{`PRAGMA temp_store = FILE`, `PRAGMA cache_size = -8192`} {
		if _, err := c.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	defer c.ExecContext(context.WithoutCancel(ctx), `PRAGMA temp_store = MEMORY`)
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, d := range deferredIndexes {
		if missing&(1<<i) != 0 {
			if _, err := tx.ExecContext(ctx, d.create); err != nil {
				return err
			}
		}
	}
	return tx.Commit()
}

// deferIndexes drops the deferred indexes in tx, the transaction that
// begins a harvest run, when the database holds no dataset at all.
func (db *DB) deferIndexes(ctx context.Context, tx *sql.Tx) error {
	if db.dialect == postgres {
		return nil
	}
	var has bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM datasets)`).Scan(&has); err != nil || has {
		return err
	}
	for _, d := range deferredIndexes {
		if _, err := tx.ExecContext(ctx, `DROP INDEX IF EXISTS `+d.name); err != nil {
			return err
		}
	}
	db.missingIdx.Store(allDeferred)
	return nil
}

// indexMissing reports whether index is a deferred index this DB saw
// missing (when it was opened, its snapshot began, or it dropped it).
func (db *DB) indexMissing(index string) bool {
	m := db.missingIdx.Load()
	if m == 0 {
		return false
	}
	for i, d := range deferredIndexes {
		if d.name == index {
			return m&(1<<i) != 0
		}
	}
	return false
}
