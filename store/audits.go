package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// AuditRun is one `vigie audit` of one portal.
type AuditRun struct {
	ID          int64
	PortalID    int64
	StartedAt   time.Time
	FinishedAt  time.Time
	Status      string // complete, failed, interrupted
	ScoreRunID  int64
	OutDir      string
	Gate        string // passed, failed, none; "" when the audit stopped before it
	GateReasons []string
	Error       string
}

// RecordAudit stores how an audit ended. It works even when ctx is
// cancelled, so that an interrupted audit is recorded as such.
func (db *DB) RecordAudit(ctx context.Context, a *AuditRun) error {
	ctx = context.WithoutCancel(ctx)
	reasons, _ := json.Marshal(a.GateReasons)
	if a.GateReasons == nil {
		reasons = []byte("[]")
	}
	var score any
	if a.ScoreRunID != 0 {
		score = a.ScoreRunID
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO audit_runs (portal_id, started_at, finished_at, status, score_run_id, out_dir, gate, gate_reasons, error)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.PortalID, ts(a.StartedAt), ts(a.FinishedAt), a.Status, score, a.OutDir, a.Gate, string(reasons), a.Error).Scan(&a.ID)
		if err != nil {
			return db.explain(err)
		}
		return nil
	})
}

// AuditRuns lists a portal's audits, newest first, at most limit (0: all).
func (db *DB) AuditRuns(ctx context.Context, portalID int64, limit int) ([]AuditRun, error) {
	q := `SELECT id, portal_id, started_at, finished_at, status, score_run_id, out_dir, gate, gate_reasons, error
		FROM audit_runs WHERE portal_id = ? ORDER BY id DESC`
	args := []any{portalID}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil, nil // a database no audit has written to since audits were recorded, opened read-only
		}
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []AuditRun
	for rows.Next() {
		var a AuditRun
		var started, finished sql.NullString
		var score sql.NullInt64
		var reasons string
		if err := rows.Scan(&a.ID, &a.PortalID, &started, &finished, &a.Status, &score, &a.OutDir, &a.Gate, &reasons, &a.Error); err != nil {
			return nil, db.explain(err)
		}
		a.StartedAt, a.FinishedAt, a.ScoreRunID = parseTS(started), parseTS(finished), score.Int64
		_ = json.Unmarshal([]byte(reasons), &a.GateReasons)
		out = append(out, a)
	}
	return out, rows.Err()
}

// PortalOverview is what `vigie portals` shows of one portal.
type PortalOverview struct {
	Portal
	Published, Private, Missing int
	LastHarvest                 *HarvestRun // newest run, whatever its status
	LastScore                   *ScoreRun   // newest complete score run
	LastAudit                   *AuditRun
}

// PortalOverviews describes every portal of the database, in id order.
// Published datasets are the active public ones whose CKAN state is active
// (the reports' definition): private ones are counted apart, and drafts or
// datasets a dump shows deleted are never published.
func (db *DB) PortalOverviews(ctx context.Context) ([]PortalOverview, error) {
	portals, err := db.Portals(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]PortalOverview, 0, len(portals))
	for _, p := range portals {
		o := PortalOverview{Portal: p}
		err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FILTER (WHERE state = 'active' AND private = 0 AND lower(trim(ckan_state)) IN ('', 'active')),
			COUNT(*) FILTER (WHERE state = 'active' AND private <> 0), COUNT(*) FILTER (WHERE state = 'missing')
			FROM datasets WHERE portal_id = ?`, p.ID).Scan(&o.Published, &o.Private, &o.Missing)
		if err != nil {
			return nil, db.explain(err)
		}
		if runs, err := db.HarvestRuns(ctx, p.ID, 1); err != nil {
			return nil, err
		} else if len(runs) > 0 {
			o.LastHarvest = &runs[0]
		}
		if run, err := db.LatestScoreRun(ctx, p.ID); err == nil {
			o.LastScore = run
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		if audits, err := db.AuditRuns(ctx, p.ID, 1); err != nil {
			return nil, err
		} else if len(audits) > 0 {
			o.LastAudit = &audits[0]
		}
		out = append(out, o)
	}
	return out, nil
}
