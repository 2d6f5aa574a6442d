package store

import (
	"context"
	"database/sql"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/l10n"
)

// On PostgreSQL the writer lock is per portal: several vigie processes, on
// several machines, write one database at once, each on its own portal, and
// two writers of the same portal are refused as on SQLite. Each portal's
// lock is a session advisory lock (pg_try_advisory_lock) keyed by a hash of
// its URL, held on a connection of its own for the command's life. Like
// flock, it belongs to the server: it goes when the holder's connection
// does, even when the holder is killed, so a dead writer never leaves a
// stale lock behind. The holder's description (command, pid, host) is a row
// of vigie_writers, read by a writer that is refused the lock.

func init() {
	l10n.Add(map[string]l10n.Msg{
		"store.pg_in_use":         {FR: "le portail %s de %s est en cours d'écriture par « vigie %s » (pid %s sur %s, depuis %s)", EN: "portal %s in %s is being written by 'vigie %s' (pid %s on %s, since %s)"},
		"store.pg_in_use.unknown": {FR: "le portail %s de %s est en cours d'écriture par un autre processus vigie", EN: "portal %s in %s is being written by another vigie process"},
	})
}

// LockPortals takes the writer lock of each portal on a PostgreSQL
// database, or fails at once naming the holder of the first one taken
// elsewhere (an error wrapping ErrLocked, of kind KindInUse); then it holds
// none. Portal URLs are normalised as EnsurePortal does. Release frees them.
func (db *DB) LockPortals(ctx context.Context, portalURLs []string, command string) (*Lock, error) {
	l, _, err := db.lockPortals(ctx, portalURLs, command, false)
	return l, err
}

// LockFreePortals is LockPortals for a command that writes each portal on
// its own (audit --all): it takes the lock of every portal no other writer
// holds, and returns the in-use error of each one held elsewhere, by
// normalised URL, instead of failing. The lock may hold no portal.
func (db *DB) LockFreePortals(ctx context.Context, portalURLs []string, command string) (*Lock, map[string]error, error) {
	return db.lockPortals(ctx, portalURLs, command, true)
}

func (db *DB) lockPortals(ctx context.Context, portalURLs []string, command string, skipHeld bool) (*Lock, map[string]error, error) {
	cfg, err := pgx.ParseConfig(db.dsn)
	if err != nil {
		return nil, nil, db.explain(err)
	}
	cfg.RuntimeParams["application_name"] = "vigie " + command
	ldb := sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)})
	ldb.SetMaxOpenConns(1)
	c, err := ldb.Conn(ctx)
	if err != nil {
		ldb.Close()
		return nil, nil, db.explain(err)
	}
	l := &Lock{path: db.path, pg: ldb, conn: c}
	seen := map[string]bool{}
	var urls []string
	for _, u := range portalURLs {
		if u = NormalizePortalURL(u); u != "" && !seen[u] {
			seen[u] = true
			urls = append(urls, u)
		}
	}
	sort.Strings(urls) // one order for every process
	var held map[string]error
	host, _ := os.Hostname()
	since := time.Now().UTC().Truncate(time.Second)
	for _, u := range urls {
		key := db.lockKey("portal " + u)
		var got bool
		if err := c.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(?)`, key).Scan(&got); err != nil {
			l.Release()
			return nil, nil, db.explain(err)
		}
		if !got {
			e := db.describePortalHolder(ctx, c, u, key)
			if skipHeld {
				if held == nil {
					held = map[string]error{}
				}
				held[u] = e
				continue
			}
			l.Release()
			return nil, nil, e
		}
		l.keys = append(l.keys, key)
		if _, err := c.ExecContext(ctx, `INSERT INTO vigie_writers (lock_key, portal, pid, host, command, since, backend_pid)
			VALUES (?, ?, ?, ?, ?, ?, pg_backend_pid())
			ON CONFLICT (lock_key) DO UPDATE SET portal = excluded.portal, pid = excluded.pid, host = excluded.host,
				command = excluded.command, since = excluded.since, backend_pid = excluded.backend_pid`,
			key, u, os.Getpid(), host, command, ts(since)); err != nil {
			l.Release()
			return nil, nil, db.explain(err)
		}
	}
	return l, held, nil
}

// describePortalHolder is the in-use error naming who holds portal's lock.
func (db *DB) describePortalHolder(ctx context.Context, c *sql.Conn, portal string, key int64) error {
	var command, host, since string
	var pid int64
	err := c.QueryRowContext(ctx, `SELECT command, pid, host, since FROM vigie_writers WHERE lock_key = ?`, key).Scan(&command, &pid, &host, &since)
	var e *vigie.Error
	if err != nil || pid == 0 {
		e = storeErr(vigie.KindInUse, db.path, "store.pg_in_use.unknown", portal, db.path)
	} else {
		e = storeErr(vigie.KindInUse, db.path, "store.pg_in_use", portal, db.path, command, strconv.FormatInt(pid, 10), host, since)
	}
	e.Portal = portal
	e.Err = ErrLocked
	return e
}

// releasePortals frees a PostgreSQL lock's portals and forgets its rows.
func (l *Lock) releasePortals() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, k := range l.keys {
		l.conn.ExecContext(ctx, `DELETE FROM vigie_writers WHERE lock_key = ? AND backend_pid = pg_backend_pid()`, k)
	}
	if len(l.keys) > 0 {
		l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock_all()`)
	}
	l.keys = nil
	l.conn.Close()
	err := l.pg.Close() // closing the session would drop the locks anyway
	l.conn, l.pg = nil, nil
	return err
}
