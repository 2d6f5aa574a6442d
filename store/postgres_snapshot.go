package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"sync"
)

// A read snapshot on PostgreSQL. On SQLite a report's reads share one
// connection holding one read transaction, even when they run at once (two
// aggregates in parallel, findings read while datasets are). A PostgreSQL
// connection runs one query at a time, so there the snapshot is a small
// pool of connections that all see the same state: the first exports its
// REPEATABLE READ READ ONLY snapshot (pg_export_snapshot), each other one
// imports it (SET TRANSACTION SNAPSHOT). A query takes a free connection
// and gives it back when its rows are closed; none of them blocks a writer.
type pgSnapshot struct {
	db     *sql.DB
	id     string
	holder *sql.Conn // exports the snapshot; keeps it alive

	mu    sync.Mutex
	free  []*sql.Conn
	all   []*sql.Conn
	ended bool
}

func (db *DB) pgReadSnapshot(ctx context.Context) (*DB, error) {
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return nil, db.explain(err)
	}
	s := &pgSnapshot{db: db.sql, holder: c}
	if _, err := c.ExecContext(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
		c.Close()
		return nil, db.explain(err)
	}
	if err := c.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&s.id); err != nil {
		s.end()
		return nil, db.explain(err)
	}
	return &DB{sql: db.sql, path: db.path, dsn: db.dsn, dialect: db.dialect, schema: db.schema, Now: db.Now, asOf: db.asOf, pgSnap: s, readOnly: db.readOnly}, nil
}

// conn returns a free connection in the snapshot, opening one if needed.
func (s *pgSnapshot) conn(ctx context.Context) (*sql.Conn, error) {
	s.mu.Lock()
	if n := len(s.free); n > 0 {
		c := s.free[n-1]
		s.free = s.free[:n-1]
		s.mu.Unlock()
		return c, nil
	}
	s.mu.Unlock()
	c, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := c.ExecContext(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
		c.Close()
		return nil, err
	}
	if _, err := c.ExecContext(ctx, "SET TRANSACTION SNAPSHOT '"+s.id+"'"); err != nil {
		c.ExecContext(context.Background(), "ROLLBACK")
		c.Close()
		return nil, err
	}
	s.mu.Lock()
	s.all = append(s.all, c)
	s.mu.Unlock()
	return c, nil
}

// put gives a connection back; one whose query was cancelled, or that
// comes back after the snapshot ended, is dropped. It is called while
// database/sql closes the rows, holding the connection: the drop, which
// uses the connection, runs after.
func (s *pgSnapshot) put(ctx context.Context, c *sql.Conn) {
	s.mu.Lock()
	if ctx.Err() != nil || s.ended {
		s.mu.Unlock()
		go s.drop(c)
		return
	}
	s.free = append(s.free, c)
	s.mu.Unlock()
}

func (s *pgSnapshot) drop(c *sql.Conn) {
	c.ExecContext(context.Background(), "ROLLBACK")
	c.Close()
	s.mu.Lock()
	for i, x := range s.all {
		if x == c {
			s.all = append(s.all[:i], s.all[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
}

func (s *pgSnapshot) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	c, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	// The driver calls done when database/sql closes the rows.
	var once sync.Once
	done := func() { once.Do(func() { s.put(ctx, c) }) }
	return c.QueryContext(context.WithValue(ctx, rowsDoneKey{}, done), q, args...)
}

func (s *pgSnapshot) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	c, err := s.conn(ctx)
	if err != nil {
		// A Row carrying the error: a query on a closed pool returns one.
		return s.db.QueryRowContext(canceled(ctx), q, args...)
	}
	var once sync.Once
	done := func() { once.Do(func() { s.put(ctx, c) }) }
	return c.QueryRowContext(context.WithValue(ctx, rowsDoneKey{}, done), q, args...)
}

func (s *pgSnapshot) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	c, err := s.conn(ctx)
	if err != nil {
		return nil, err
	}
	defer s.put(ctx, c)
	return c.ExecContext(ctx, q, args...)
}

// Close leaves the snapshot open: it is the querier handed to one report
// query (reportConn), and EndSnapshot ends it.
func (s *pgSnapshot) Close() error { return nil }

func (s *pgSnapshot) end() {
	s.mu.Lock()
	all := s.all
	s.all, s.free, s.ended = nil, nil, true
	s.mu.Unlock()
	for _, c := range all {
		c.ExecContext(context.Background(), "ROLLBACK")
		c.Close()
	}
	s.holder.ExecContext(context.Background(), "ROLLBACK")
	s.holder.Close()
}

func canceled(ctx context.Context) context.Context {
	c, cancel := context.WithCancel(ctx)
	cancel()
	return c
}

// rowsDoneKey carries, in a query's context, what to call when the rows
// it returns are closed (pgConn.QueryContext).
type rowsDoneKey struct{}

// doneRows calls done once its rows are closed.
type doneRows struct {
	driver.Rows
	done func()
}

func (r *doneRows) Close() error {
	err := r.Rows.Close()
	r.done()
	return err
}

// PrepareContext prepares on the pool, outside the snapshot: it serves only
// reads of what never changes once written (the finding text dictionary,
// whose ids are hashes of the texts), which a statement cannot share with
// a connection that is reading rows.
func (s *pgSnapshot) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return s.db.PrepareContext(ctx, q)
}
