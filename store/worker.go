package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/vigie-audit/vigie/internal/plain"
)

// The worker queue: the portals 'vigie worker' audits on a schedule, the
// lease a worker holds on the one it audits, and the history of claims.
// Every time is passed in by the caller (the worker's clock), so that
// leases can be tested with a fake clock; they are stored as Unix
// milliseconds.

// QueuedPortal is a portal of the worker queue.
type QueuedPortal struct {
	URL          string
	Name         string
	Source       string // config or queue
	Added        time.Time
	NextDue      time.Time
	LeaseOwner   string
	LeaseUntil   time.Time
	LastStatus   string
	LastFinished time.Time
	LastError    string
}

// Queue sources: a portal of vigie.yaml, or one added with 'vigie worker --add'.
const (
	SourceConfig = "config"
	SourceQueue  = "queue"
)

// Claim is a worker's hold on one portal.
type Claim struct {
	ID         int64
	URL        string
	Name       string
	Owner      string
	Claimed    time.Time
	LeaseUntil time.Time
	// Expired names the worker whose lease on this portal had expired when
	// it was claimed (killed or stalled), "" when the portal was free.
	Expired string
}

// ClaimRecord is one row of the claim history.
type ClaimRecord struct {
	ID      int64     `json:"id"`
	URL     string    `json:"url"`
	Owner   string    `json:"owner"`
	Claimed time.Time `json:"claimed"`
	Ended   time.Time `json:"ended,omitzero"` // zero while running
	Status  string    `json:"status"`
	Error   string    `json:"error,omitempty"`
}

// Claim statuses. A claim runs, then ends as its audit did (complete,
// gate-failed, failed, interrupted), or released (given back unaudited: the
// portal was being written by another process), lost (another worker took
// the portal after this one's lease expired) or expired (the worker stopped
// extending its lease: killed or stalled).
const (
	ClaimRunning     = "running"
	ClaimComplete    = "complete"
	ClaimGateFailed  = "gate-failed"
	ClaimFailed      = "failed"
	ClaimInterrupted = "interrupted"
	ClaimReleased    = "released"
	ClaimLost        = "lost"
	ClaimExpired     = "expired"
)

// ErrLeaseLost is returned when a worker extends or ends a lease that is no
// longer its own: another worker claimed the portal after it expired.
var ErrLeaseLost = errors.New("the lease on this portal was lost: another worker claimed it after it expired")

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// EnqueuePortal adds a portal to the worker queue, due at due; a portal
// already queued keeps its due time. Added by hand (SourceQueue), a portal
// the configuration had queued becomes the queue's own: it stays when it
// leaves the file. It reports whether it was added.
func (db *DB) EnqueuePortal(ctx context.Context, portalURL, name, source string, due time.Time) (bool, error) {
	if err := CheckPortalURL(portalURL); err != nil {
		return false, err
	}
	u := NormalizePortalURL(portalURL)
	var added bool
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO worker_queue (url, name, source, added_ms, next_due_ms) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT(url) DO NOTHING`, u, name, source, ms(db.Now()), ms(due))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		added = n > 0
		if !added && source == SourceQueue {
			_, err = tx.ExecContext(ctx, `UPDATE worker_queue SET source = ? WHERE url = ?`, SourceQueue, u)
		}
		return err
	})
	if err != nil {
		return false, db.explain(err)
	}
	return added, nil
}

// SyncConfigPortals makes the queue's configuration portals those of the
// configuration: new ones are added, due at due; ones no longer in it are
// removed unless a worker holds them. Portals added with --add are left
// alone. It returns how many were added and removed.
func (db *DB) SyncConfigPortals(ctx context.Context, portals map[string]string, due time.Time) (added, removed int, err error) {
	now := ms(db.Now())
	norm := make(map[string]string, len(portals))
	for u, name := range portals {
		norm[NormalizePortalURL(u)] = name
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		added, removed = 0, 0
		for u, name := range norm {
			res, err := tx.ExecContext(ctx, `INSERT INTO worker_queue (url, name, source, added_ms, next_due_ms) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT(url) DO NOTHING`, u, name, SourceConfig, now, ms(due))
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		rows, err := tx.QueryContext(ctx, `SELECT url FROM worker_queue WHERE source = ? AND lease_owner = ''`, SourceConfig)
		if err != nil {
			return err
		}
		var gone []string
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return err
			}
			if _, ok := norm[u]; !ok {
				gone = append(gone, u)
			}
		}
		rows.Close()
		for _, u := range gone {
			if _, err := tx.ExecContext(ctx, `DELETE FROM worker_queue WHERE url = ? AND lease_owner = ''`, u); err != nil {
				return err
			}
			removed++
		}
		return nil
	})
	if err != nil {
		return 0, 0, db.explain(err)
	}
	return added, removed, nil
}

// DequeuePortal removes a portal from the worker queue; a worker auditing
// it finishes, then finds it gone. It reports whether it was queued.
func (db *DB) DequeuePortal(ctx context.Context, portalURL string) (bool, error) {
	var found bool
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM worker_queue WHERE url = ?`, NormalizePortalURL(portalURL))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		found = n > 0
		return err
	})
	if err != nil {
		return false, db.explain(err)
	}
	return found, nil
}

// WorkerQueue lists the queue, the next due first.
func (db *DB) WorkerQueue(ctx context.Context) ([]QueuedPortal, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT url, name, source, added_ms, next_due_ms, lease_owner, lease_until_ms,
		last_status, last_finished_ms, last_error FROM worker_queue ORDER BY next_due_ms, url`)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil // a database no worker has written to yet, opened read-only
		}
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []QueuedPortal
	for rows.Next() {
		var q QueuedPortal
		var added, due, until, finished int64
		if err := rows.Scan(&q.URL, &q.Name, &q.Source, &added, &due, &q.LeaseOwner, &until, &q.LastStatus, &finished, &q.LastError); err != nil {
			return nil, db.explain(err)
		}
		q.Added, q.NextDue, q.LastFinished = fromMS(added), fromMS(due), fromMS(finished)
		if q.LeaseOwner != "" {
			q.LeaseUntil = fromMS(until)
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// ClaimDue claims, for owner, the portal due first among those due by
// horizon whose lease is free or expired at now and whose last claim did
// not end at or after notSince (zero: whenever it ended), and leases it
// until now+lease. It returns nil when none is. The row is chosen and leased in
// one write transaction: SELECT … FOR UPDATE SKIP LOCKED on engines that
// lock rows (other workers skip it instead of waiting), an immediate
// transaction on SQLite (one writer at a time).
func (db *DB) ClaimDue(ctx context.Context, owner string, now, horizon, notSince time.Time, lease time.Duration) (*Claim, error) {
	var c *Claim
	since := int64(1) << 62
	if !notSince.IsZero() {
		since = ms(notSince)
	}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		c = nil
		var url, name, prev string
		var prevClaim, prevUntil int64
		err := tx.QueryRowContext(ctx, `SELECT url, name, lease_owner, claim_id, lease_until_ms FROM worker_queue
			WHERE next_due_ms <= ? AND (lease_owner = '' OR lease_until_ms <= ?) AND last_finished_ms < ?
			ORDER BY next_due_ms, url LIMIT 1`+db.skipLocked(), ms(horizon), ms(now), since).Scan(&url, &name, &prev, &prevClaim, &prevUntil)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if prev != "" && prevClaim != 0 {
			// Its holder stopped extending the lease: killed or stalled.
			if _, err := tx.ExecContext(ctx, `UPDATE worker_claims SET status = ?, ended_ms = ?, error = ? WHERE id = ? AND status = ?`,
				ClaimExpired, prevUntil, "the lease expired: the worker was killed or stalled", prevClaim, ClaimRunning); err != nil {
				return err
			}
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO worker_claims (url, owner, claimed_ms, status) VALUES (?, ?, ?, ?) RETURNING id`,
			url, owner, ms(now), ClaimRunning).Scan(&id); err != nil {
			return err
		}
		until := now.Add(lease)
		if _, err := tx.ExecContext(ctx, `UPDATE worker_queue SET lease_owner = ?, lease_until_ms = ?, claim_id = ? WHERE url = ?`,
			owner, ms(until), id, url); err != nil {
			return err
		}
		c = &Claim{ID: id, URL: url, Name: name, Owner: owner, Claimed: now, LeaseUntil: until, Expired: prev}
		return nil
	})
	if err != nil {
		return nil, db.explain(err)
	}
	return c, nil
}

// ExtendLease moves the claim's lease to now+lease. It fails with
// ErrLeaseLost when another worker has claimed the portal meanwhile (or it
// was removed from the queue).
func (db *DB) ExtendLease(ctx context.Context, c *Claim, now time.Time, lease time.Duration) error {
	until := now.Add(lease)
	var n int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE worker_queue SET lease_until_ms = ? WHERE url = ? AND lease_owner = ? AND claim_id = ?`,
			ms(until), c.URL, c.Owner, c.ID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return db.explain(err)
	}
	if n == 0 {
		return ErrLeaseLost
	}
	c.LeaseUntil = until
	return nil
}

// EndClaim ends a claim: the lease is released, the claim recorded with its
// status and error, and the portal is next due at nextDue (zero keeps its
// due time: an interrupted or released portal is still due). It works even
// when ctx is cancelled. When the lease is no longer the claim's own, the
// claim is recorded as lost, the queue is left to its new holder, and
// ErrLeaseLost is returned.
func (db *DB) EndClaim(ctx context.Context, c *Claim, now time.Time, status, errText string, nextDue time.Time) error {
	ctx = context.WithoutCancel(ctx)
	errText = plain.FirstLine(errText)
	if len(errText) > 500 {
		errText = errText[:500]
	}
	lost := false
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		q := `UPDATE worker_queue SET lease_owner = '', lease_until_ms = 0, last_status = ?, last_finished_ms = ?, last_error = ?`
		args := []any{status, ms(now), errText}
		if !nextDue.IsZero() {
			q += `, next_due_ms = ?`
			args = append(args, ms(nextDue))
		}
		q += ` WHERE url = ? AND lease_owner = ? AND claim_id = ?`
		args = append(args, c.URL, c.Owner, c.ID)
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		st := status
		if n == 0 {
			lost, st = true, ClaimLost
			if errText == "" {
				errText = "ended as " + status + " after another worker had claimed the portal"
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE worker_claims SET status = ?, ended_ms = ?, error = ? WHERE id = ?`, st, ms(now), errText, c.ID)
		return err
	})
	if err != nil {
		return db.explain(err)
	}
	if lost {
		return ErrLeaseLost
	}
	return nil
}

// NextWake is the earliest time a queued portal becomes claimable: its due
// time, or the end of the lease holding it. ok is false when the queue is
// empty.
func (db *DB) NextWake(ctx context.Context) (t time.Time, ok bool, err error) {
	var v sql.NullInt64
	err = db.sql.QueryRowContext(ctx, `SELECT MIN(CASE WHEN lease_owner <> '' AND lease_until_ms > next_due_ms THEN lease_until_ms ELSE next_due_ms END)
		FROM worker_queue`).Scan(&v)
	if err != nil {
		return time.Time{}, false, db.explain(err)
	}
	if !v.Valid {
		return time.Time{}, false, nil
	}
	return fromMS(v.Int64), true, nil
}

// WorkerClaims lists the claims of one portal ("" for every portal), oldest first.
func (db *DB) WorkerClaims(ctx context.Context, portalURL string) ([]ClaimRecord, error) {
	q := `SELECT id, url, owner, claimed_ms, ended_ms, status, error FROM worker_claims`
	var args []any
	if portalURL != "" {
		q += ` WHERE url = ?`
		args = append(args, NormalizePortalURL(portalURL))
	}
	rows, err := db.sql.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil
		}
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []ClaimRecord
	for rows.Next() {
		var r ClaimRecord
		var claimed, ended int64
		if err := rows.Scan(&r.ID, &r.URL, &r.Owner, &claimed, &ended, &r.Status, &r.Error); err != nil {
			return nil, db.explain(err)
		}
		r.Claimed, r.Ended = fromMS(claimed), fromMS(ended)
		out = append(out, r)
	}
	return out, rows.Err()
}

// skipLocked is the row-locking clause of a claim. On PostgreSQL the
// chosen row is locked and rows other workers are claiming are skipped,
// not waited for. SQLite has one writer, whose immediate transaction
// already excludes every other claim.
func (db *DB) skipLocked() string {
	if db.dialect == postgres {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ""
}
