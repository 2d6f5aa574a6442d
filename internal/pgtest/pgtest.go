// Package pgtest gives tests a fresh PostgreSQL store on the server that
// VIGIE_TEST_POSTGRES names (scripts/pg.sh starts a throwaway one). Each is
// created for one test and dropped when it ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// Env is the variable holding the test server's URL, as
// postgres://USER@HOST:PORT/DATABASE (a database the user may connect to;
// the user must be allowed to create databases).
const Env = "VIGIE_TEST_POSTGRES"

// Server is the test server's URL, or "" when tests run on SQLite only.
func Server() string { return os.Getenv(Env) }

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// NewDatabase gives the test an empty vigie store on the test server and
// returns its URL: a schema of its own in the server's database, named by
// search_path in the URL, dropped when the test ends (after the test's own
// cleanups, registered later, have closed it). A schema rather than a
// database per test: vigie keeps to its connection's schema (tables,
// identity, advisory lock keys), and creating and dropping a database costs
// a checkpoint each, which made the PostgreSQL pass ten times slower.
func NewDatabase(tb testing.TB) string {
	tb.Helper()
	server := Server()
	if server == "" {
		tb.Fatalf("pgtest: %s is not set", Env)
	}
	adminOnce.Do(func() {
		admin, adminErr = sql.Open("pgx", server)
		if adminErr == nil {
			adminErr = admin.Ping()
		}
	})
	if adminErr != nil {
		tb.Fatalf("pgtest: cannot reach the test server %s: %v (start one with scripts/pg.sh)", redact(server), adminErr)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "vigie_t_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+name); err != nil {
		tb.Fatalf("pgtest: create schema %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), `DROP SCHEMA IF EXISTS `+name+` CASCADE`); err != nil {
			tb.Errorf("pgtest: drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("pgtest: %s: %v", Env, err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
