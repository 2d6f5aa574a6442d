package store

import (
	"context"
	"database/sql"
)

// ExecForTest runs a statement on the database, for the package's external
// tests (store_test) that must reach past the API.
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, q, args...)
}
