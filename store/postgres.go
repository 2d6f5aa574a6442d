package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"hash/fnv"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/internal/plain"
)

// PostgreSQL is vigie's shared store: several vigie processes, on several
// machines, write one database at once, each on its own portal. It is
// reached through pgx's database/sql driver (pure Go), wrapped so that the
// store's statements, written once with ? placeholders, reach PostgreSQL
// with $1, $2… (rebind). What differs from SQLite is in this file: opening,
// identity (a vigie_meta table instead of application_id), integrity (the
// server's job), the writer lock (an advisory lock per portal) and the few
// SQL fragments each engine spells its own way (sqlDialect).

//go:embed migration/postgres/*.sql
var pgMigrations embed.FS

// IsPostgres reports whether a --db value names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(dsn string) bool {
	l := strings.ToLower(dsn)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

// RedactDSN is how a database is named in every message: a PostgreSQL URL
// without its password (in the user part or a password= parameter); a path
// as it is.
func RedactDSN(dsn string) string {
	if !IsPostgres(dsn) {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		// Unparseable: show the scheme and host part only, never the rest.
		rest := dsn[strings.Index(dsn, "://")+3:]
		if i := strings.LastIndex(rest, "@"); i >= 0 {
			rest = rest[i+1:]
		}
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		return dsn[:strings.Index(dsn, "://")+3] + rest
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	if q := u.Query(); len(q) > 0 {
		for k := range q {
			if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
				q.Del(k)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// rebind turns the ? placeholders of a statement into PostgreSQL's $1, $2…
// It leaves alone a ? inside a quoted string ('…'), a quoted identifier
// ("…"), a dollar-quoted string ($tag$…$tag$) or a comment (-- to the end of
// the line, /* … */).
func rebind(q string) string {
	if strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // doubled quote inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			if j < len(q) {
				j++
			}
			b.WriteString(q[i:j])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end
		case c == '$' && dollarTag(q[i:]) != "":
			tag := dollarTag(q[i:])
			j := strings.Index(q[i+len(tag):], tag)
			end := len(q)
			if j >= 0 {
				end = i + len(tag) + j + len(tag)
			}
			b.WriteString(q[i:end])
			i = end
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// dollarTag returns the opening tag of a dollar-quoted string at the start
// of s ($$ or $name$), or "" when s does not start one ($1 is a parameter).
func dollarTag(s string) string {
	if len(s) < 2 || s[0] != '$' {
		return ""
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '$':
			return s[:i+1]
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80:
		case c >= '0' && c <= '9' && i > 1:
		default:
			return ""
		}
	}
	return ""
}

// pgConnector hands out pgx connections whose statements are rebound.
type pgConnector struct{ driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return pgConn{conn.(*stdlib.Conn)}, nil
}

// pgConn is a pgx connection taking ? placeholders. The other methods of
// the driver's connection (transactions, ping, session reset, value
// checks) are its own.
type pgConn struct{ *stdlib.Conn }

func (c pgConn) Prepare(q string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(q)) }
func (c pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(q))
}
func (c pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(q), args)
}
func (c pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	if ctx.Value(planEachKey{}) != nil {
		args = append([]driver.NamedValue{{Value: pgx.QueryExecModeExec}}, args...)
	}
	rows, err := c.Conn.QueryContext(ctx, rebind(q), args)
	if done, ok := ctx.Value(rowsDoneKey{}).(func()); ok {
		if err != nil {
			done()
			return nil, err
		}
		return &doneRows{Rows: rows, done: done}, nil
	}
	return rows, err
}

// planEachKey, in a query's context, has PostgreSQL plan the query for
// each execution, with its arguments and the tables' sizes at that moment,
// instead of through the connection's statement cache. A cached statement
// is planned once for all after five executions (its generic plan): a
// lookup prepared while a harvest's first pages were written (a table the
// planner believes nearly empty) kept its sequential scan for the rest of
// the harvest, and each page's lookup read the whole table: quadratic.
type planEachKey struct{}

// planEach marks ctx's queries as planned at each execution (PostgreSQL;
// SQLite ignores it).
func planEach(ctx context.Context) context.Context {
	return context.WithValue(ctx, planEachKey{}, true)
}

// analyze has PostgreSQL refresh its statistics of tables a run has just
// filled, before the run is recorded as finished and the next stage reads
// them. Autovacuum would, but only on its next round (a minute or more
// later): a nightly audit scores 100,000 datasets and at once compares them
// with the previous night, and with statistics that know nothing of the
// new run the comparison's join planned a nested loop over a sequential
// scan (49 s at 20,000 datasets, quadratic). SKIP_LOCKED skips a table
// another process is analysing; a failure (a role that does not own the
// tables is only warned) changes nothing but the plans, so it is not an
// error. SQLite keeps its own statistics.
//
// written is how many rows of the first table the run wrote. As autovacuum
// does, the tables are analysed only when that is a tenth or more of the
// rows the planner last counted in it (or it was never analysed): a few
// datasets changed on a large portal, or a small portal's run in a
// database that holds hundreds, leave the statistics representative, and
// an analysis samples up to 30,000 rows of each table whatever the run
// wrote.
func (db *DB) analyze(ctx context.Context, written int, tables ...string) {
	if db.dialect != postgres || ctx.Err() != nil || db.readOnly || written <= 0 || len(tables) == 0 {
		return
	}
	var counted float64
	err := db.sql.QueryRowContext(ctx, `SELECT COALESCE(MAX(c.reltuples), -1) FROM pg_class c
		WHERE c.oid = to_regclass(quote_ident(current_schema()) || '.' || ?)`, tables[0]).Scan(&counted)
	if err == nil && counted >= 0 && float64(written) < counted/10 {
		return
	}
	_, _ = db.sql.ExecContext(ctx, `ANALYZE (SKIP_LOCKED) `+strings.Join(tables, ", "))
}

// CheckNamedValue passes every argument to pgx as it is, except a bool,
// which becomes 1 or 0 (vigie's flags are integers on both engines, as
// SQLite stores a bool), and a string holding NUL characters, which
// PostgreSQL's text cannot hold: each becomes U+FFFD, as invalid bytes do
// when a portal's JSON is decoded.
func (c pgConn) CheckNamedValue(nv *driver.NamedValue) error {
	switch v := nv.Value.(type) {
	case bool:
		nv.Value = int64(0)
		if v {
			nv.Value = int64(1)
		}
	case string:
		if strings.IndexByte(v, 0) >= 0 {
			nv.Value = strings.ReplaceAll(v, "\x00", "\uFFFD")
		}
	}
	return nil
}

// openPostgres opens the database a postgres:// URL names.
func openPostgres(ctx context.Context, dsn string, o Options) (*DB, error) {
	name := RedactDSN(dsn)
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, storeErr(vigie.KindBadDatabaseURL, name, "store.pg_url", name, plain.FirstLine(pgURLError(err)))
	}
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "vigie"
	}
	// No JIT compilation, unless the URL asks for it (?jit=on): PostgreSQL
	// compiles a statement whose estimated cost is high, and the reports'
	// reads over a whole catalogue all are, but each runs once, so the
	// compilation is never paid back: 2.4 s of the server's CPU in a
	// 100,000-dataset nightly audit, 2.1 s of it for one link count.
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	sdb := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	// Enough for the stages' parallel reads; the server's own limit is the
	// sum over every vigie process.
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(4)
	db := &DB{sql: sdb, path: name, dsn: dsn, dialect: postgres, Now: nowUTC, readOnly: o.ReadOnly}
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, db.explain(err)
	}
	var schema sql.NullString
	if err := sdb.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		sdb.Close()
		return nil, db.explain(err)
	}
	if !schema.Valid {
		sdb.Close()
		return nil, storeErr(vigie.KindNoSchema, name, "store.pg_no_schema", name)
	}
	db.schema = schema.String
	if err := db.initPostgres(ctx, o); err != nil {
		sdb.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) initPostgres(ctx context.Context, o Options) error {
	if o.ReadOnly {
		_, err := db.identifyPostgres(ctx, o)
		return err
	}
	// Two vigie processes starting at once on a new database would both
	// create its tables, or one would see the other's half-made schema:
	// identifying and migrating run under an advisory lock, and each
	// migration checks again, under it, whether it is applied.
	c, err := db.sql.Conn(ctx)
	if err != nil {
		return db.explain(err)
	}
	defer c.Close()
	key := db.lockKey("migrations")
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, key); err != nil {
		return db.explain(err)
	}
	defer c.ExecContext(context.Background(), `SELECT pg_advisory_unlock(?)`, key)
	id, err := db.identifyPostgres(ctx, o)
	if err != nil {
		return err
	}
	if err := db.migrate(ctx); err != nil {
		return err
	}
	if id.appID != ApplicationID {
		if _, err := db.sql.ExecContext(ctx, `INSERT INTO vigie_meta (key, value) VALUES ('application', 'vigie') ON CONFLICT (key) DO NOTHING`); err != nil {
			return db.explain(err)
		}
	}
	return nil
}

// identifyPostgres is identify for PostgreSQL: the current schema's tables
// say whether the database is new, vigie's, or another application's.
func (db *DB) identifyPostgres(ctx context.Context, o Options) (identity, error) {
	var id identity
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&id.tables); err != nil {
		return id, db.explain(err)
	}
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name IN ('portals', 'harvest_runs', 'migrations')`).Scan(&n); err != nil {
		return id, db.explain(err)
	}
	id.vigie = n == 3
	var meta int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'vigie_meta'`).Scan(&meta); err != nil {
		return id, db.explain(err)
	}
	if meta > 0 {
		var app string
		err := db.sql.QueryRowContext(ctx, `SELECT value FROM vigie_meta WHERE key = 'application'`).Scan(&app)
		switch {
		case err == nil && app == "vigie":
			id.appID = ApplicationID
		case err == nil || errors.Is(err, sql.ErrNoRows):
		default:
			return id, db.explain(err)
		}
	}
	switch {
	case id.tables == 0:
		if o.ReadOnly || o.NoCreate {
			return id, storeErr(vigie.KindNoDatabase, db.path, "store.db_empty", db.path)
		}
		return id, nil
	case !id.vigie && id.appID != ApplicationID:
		return id, storeErr(vigie.KindForeignDatabase, db.path, "store.pg_foreign", db.path, db.schema)
	case !id.vigie:
		return id, db.corrupted("vigie's tables are missing")
	}
	return id, db.checkMigrations(ctx, o)
}

// pgURLError is why a PostgreSQL URL cannot be parsed, without the URL
// itself, which the sentence names already (redacted).
func pgURLError(err error) string {
	text := err.Error()
	if rest, ok := strings.CutPrefix(text, "cannot parse `"); ok {
		if _, why, ok := strings.Cut(rest, "`: "); ok {
			return why
		}
	}
	return text
}

// pgErrorText is the server's message of a PostgreSQL error, or the error's text.
func pgErrorText(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

func init() {
	l10n.Add(map[string]l10n.Msg{
		"store.pg_url":         {FR: "base de données %s : adresse PostgreSQL invalide (%s)", EN: "database %s: not a valid PostgreSQL URL (%s)"},
		"store.pg_connect":     {FR: "base de données %s : connexion au serveur PostgreSQL impossible (%s)", EN: "database %s: cannot connect to the PostgreSQL server (%s)"},
		"store.pg_no_database": {FR: "la base de données %s n'existe pas sur le serveur", EN: "database %s does not exist on the server"},
		"store.pg_login":       {FR: "base de données %s : le serveur a refusé la connexion (%s)", EN: "database %s: the server refused the login (%s)"},
		"store.pg_denied":      {FR: "base de données %s : permission refusée (%s)", EN: "database %s: permission denied (%s)"},
		"store.pg_replica":     {FR: "la base de données %s ne peut pas être écrite, le serveur est en lecture seule (%s)", EN: "database %s cannot be written, the server is read-only (%s)"},
		"store.pg_disk_full":   {FR: "base de données %s : le serveur ne peut plus écrire, son disque est plein (%s)", EN: "database %s: the server cannot write, its disk is full (%s)"},
		"store.pg_connections": {FR: "base de données %s : le serveur a trop de connexions", EN: "database %s: the server has too many connections"},
		"store.pg_conflict":    {FR: "base de données %s : une écriture concurrente est entrée en collision avec celle-ci (%s)", EN: "database %s: a concurrent write collided with this one (%s)"},
		"store.pg_no_schema":   {FR: "base de données %s : aucun schéma où créer les tables (celui de search_path n'existe pas)", EN: "database %s: no schema to create the tables in (the search_path one does not exist)"},
		"store.pg_foreign":     {FR: "la base de données %s contient les tables d'une autre application (schéma %s), pas celles de vigie", EN: "database %s holds another application's tables (in schema %s), not vigie's"},
	})
}

// explainPostgres turns a PostgreSQL or connection error into one line
// that says what is wrong and, where the command line cannot, what to do.
func (db *DB) explainPostgres(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		detail := plain.FirstLine(pe.Message)
		switch {
		case pe.Code == "53100": // disk_full
			return storeErr(vigie.KindServerFull, db.path, "store.pg_disk_full", db.path, detail)
		case pe.Code == "3D000": // invalid_catalog_name
			return storeErr(vigie.KindNoServerDatabase, db.path, "store.pg_no_database", db.path)
		case pe.Code == "28P01" || pe.Code == "28000": // authentication
			return storeErr(vigie.KindLoginRefused, db.path, "store.pg_login", db.path, detail)
		case pe.Code == "42501": // insufficient_privilege
			return storeErr(vigie.KindDenied, db.path, "store.pg_denied", db.path, detail)
		case pe.Code == "25006": // read_only_sql_transaction
			return storeErr(vigie.KindReplica, db.path, "store.pg_replica", db.path, detail)
		case pe.Code == "53300": // too_many_connections
			return storeErr(vigie.KindTooManyConnections, db.path, "store.pg_connections", db.path)
		case strings.HasPrefix(pe.Code, "40"): // serialization failure, deadlock
			return storeErr(vigie.KindConflict, db.path, "store.pg_conflict", db.path, detail)
		}
		return storeErr(vigie.KindOther, db.path, "store.error", db.path, detail)
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return storeErr(vigie.KindServerDown, db.path, "store.pg_connect", db.path, plain.FirstLine(pgErrorText(ce.Unwrap())))
	}
	e := storeErr(vigie.KindOther, db.path, "store.error", db.path, plain.FirstLine(err.Error()))
	e.Err = err // the driver's error stays the cause
	return e
}

// lockKey is the advisory lock key of name in this store: a 64-bit hash of
// the schema and name. Advisory locks belong to the database, so two vigie
// stores in two schemas of one database never share one. Names are
// "migrations" (while a process identifies and migrates the schema) and
// "portal " + a normalised portal URL (that portal's writer lock).
func (db *DB) lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("vigie\x00" + db.schema + "\x00" + name))
	return int64(h.Sum64())
}

// vigieTables are the tables of vigie's PostgreSQL schema after its last
// migration: add a table a migration creates, drop one it drops.
var vigieTables = []string{"vigie_meta", "vigie_writers", "migrations", "portals", "harvest_runs", "organizations", "datasets",
	"resources", "dataset_versions", "dataset_events", "link_runs", "links", "link_checks", "score_runs", "scores",
	"dataset_findings", "finding_texts", "portal_licences", "audit_runs", "report_indicators"}

// postgresProblems reads one row of each of vigie's tables: a table that
// is missing or cannot be read is a problem.
func (db *DB) postgresProblems(ctx context.Context, max int) ([]string, error) {
	var out []string
	for _, t := range vigieTables {
		var n int
		err := db.sql.QueryRowContext(ctx, `SELECT 1 FROM `+t+` LIMIT 1`).Scan(&n)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			out = append(out, "table "+t+": "+plain.FirstLine(pgErrorText(err)))
			if len(out) >= max {
				break
			}
		}
	}
	return out, nil
}

// SchemaVersion is the last migration applied to the database ("0001_init").
func (db *DB) SchemaVersion(ctx context.Context) (string, error) {
	var name sql.NullString
	if err := db.sql.QueryRowContext(ctx, `SELECT MAX(name) FROM migrations`).Scan(&name); err != nil {
		return "", db.explain(err)
	}
	return strings.TrimSuffix(path.Base(name.String), ".sql"), nil
}
