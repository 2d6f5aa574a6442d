package store

import (
	"context"
	"database/sql"
	"testing"
)

// ExecForTest runs a statement on the database, for the package's external
// tests (store_test) that must reach past the API.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, q, args...)
}

// What the comparison tests and benchmarks (package store_test) borrow from
// the internal fixtures: they run the pipeline's rules, which the internal
// package cannot import.

// DiffHistory is a database holding a portal's history written row by row.
type DiffHistory struct {
	DB     *DB
	Ctx    context.Context
	Portal int64
}

// TwoNights is twoNights: two nights of harvests, link checks and scores
// with every kind of change between them; s1 and s2 are the score runs.
func TwoNights(t *testing.T) (h DiffHistory, s1, s2 int64) {
	f, s1, s2 := twoNights(t)
	return DiffHistory{DB: f.db, Ctx: f.ctx, Portal: f.portal}, s1, s2
}

// BigHistory is bigHistory: n datasets over two nights, 1% changing.
func BigHistory(b *testing.B, n int) (*DB, int64) { return bigHistory(b, n) }

// LongHistory is BigHistory with the link runs of many more nights before.
func LongHistory(b *testing.B, n, nights int) (*DB, int64) { return longHistory(b, n, nights) }
