package main

import (
	"context"
	"errors"
	"time"

	"github.com/vigie-audit/vigie/store"
)

// defaultParallel is how many portals `vigie audit` audits at once.
const defaultParallel = 3

// recordAudit stores how an audit of a.Portal ended, for 'vigie portals'
// and 'vigie notify --only-changes'. An audit that failed before the portal
// was known leaves nothing to record.
func recordAudit(ctx context.Context, a *App, db *store.DB, o *auditOptions, rec *auditRecord, dir string, err error) {
	p, perr := db.Portal(context.WithoutCancel(ctx), a.Portal)
	if perr != nil {
		return
	}
	r := &store.AuditRun{PortalID: p.ID, StartedAt: rec.StartedAt, FinishedAt: time.Now().UTC(), Status: "complete",
		ScoreRunID: rec.ScoreRun, OutDir: dir}
	var ee *exitError
	switch {
	case err == nil, errors.As(err, &ee) && ee.code == ExitGate:
	case errors.Is(err, context.Canceled):
		r.Status = "interrupted"
	default:
		r.Status, r.Error = "failed", firstLine(err.Error())
	}
	if rec.Summary != nil && dir != "" {
		switch {
		case !rec.Gate.Passed:
			r.Gate, r.GateReasons = "failed", rec.Gate.Reasons
		case !o.underSet && len(o.failOn) == 0:
			r.Gate = "none"
		default:
			r.Gate = "passed"
		}
	}
	if werr := db.RecordAudit(ctx, r); werr != nil {
		a.Log.Warn("could not record the audit", "error", firstLine(werr.Error()))
	}
}
