package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/storetest"
	"github.com/vigie-audit/vigie/store"
)

// On PostgreSQL each portal has its own writer lock: two writers of one
// portal are refused as with SQLite's file lock, naming the holder, while
// writers of other portals go ahead; the lock goes with the holder's
// connection.
func TestPortalLocksOnPostgres(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: run with VIGIE_TEST_POSTGRES (scripts/pg.sh)")
	}
	ctx := context.Background()
	dsn := storetest.NewDSN(t)
	a := storetest.Open(t, dsn)
	b := storetest.Open(t, dsn) // another process

	la, err := a.LockPortals(ctx, []string{"https://one.example/", "https://two.example"}, "audit")
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.LockPortals(ctx, []string{"https://two.example/api/3/action"}, "harvest")
	if !errors.Is(err, store.ErrLocked) || vigie.KindOf(err) != vigie.KindInUse {
		t.Fatalf("second writer of the same portal: %v, want an in-use error", err)
	}
	for _, want := range []string{"https://two.example", "'vigie audit'", "pid "} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("in-use error %q does not name %s", err, want)
		}
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("in-use error shows a password: %v", err)
	}
	lc, err := b.LockPortals(ctx, []string{"https://three.example"}, "harvest")
	if err != nil {
		t.Fatalf("a writer of another portal is refused: %v", err)
	}
	lc.Release()
	if err := la.Release(); err != nil {
		t.Fatal(err)
	}
	lb, err := b.LockPortals(ctx, []string{"https://two.example"}, "harvest")
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	// A holder whose connection dies (killed process) loses its lock.
	if _, err := a.ExecForTest(ctx, `SELECT pg_terminate_backend(CAST(backend_pid AS INTEGER), 5000) FROM vigie_writers WHERE portal = 'https://two.example'`); err != nil {
		t.Fatal(err)
	}
	ld, err := a.LockPortals(ctx, []string{"https://two.example"}, "links")
	if err != nil {
		t.Fatalf("after the holder's connection died: %v", err)
	}
	ld.Release()
	lb.Release()
}

// Two vigie processes starting at once on a new PostgreSQL database both
// open it: the migrations run once, under the server's advisory lock
// (without it, the second would fail creating tables that exist, or on the
// migrations table's key).
func TestConcurrentFirstOpensMigrateOnce(t *testing.T) {
	if !storetest.Postgres() {
		t.Skip("PostgreSQL only: run with VIGIE_TEST_POSTGRES (scripts/pg.sh)")
	}
	ctx := context.Background()
	dsn := storetest.NewDSN(t)
	const n = 4
	errs := make(chan error, n)
	dbs := make(chan *store.DB, n)
	for range n {
		go func() {
			db, err := store.Open(ctx, dsn)
			errs <- err
			dbs <- db
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Errorf("concurrent first open: %v", err)
		}
		if db := <-dbs; db != nil {
			defer db.Close()
		}
	}
	db := storetest.Open(t, dsn)
	schema, err := db.SchemaVersion(ctx)
	if err != nil || schema == "" {
		t.Fatalf("schema version %q: %v", schema, err)
	}
}
