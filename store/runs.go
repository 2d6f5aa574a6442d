package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/vigie-audit/vigie"
)

// runTable is one kind of run that begins and finishes: harvest, link and
// score runs share one lifecycle, written once in beginRun and finishRun,
// each table bringing only its own columns. (An audit is recorded once, when
// it ends: RecordAudit.)
type runTable struct {
	name     string // the table
	notFound string // message id of a run id it does not hold
}

var (
	harvestRuns = runTable{name: "harvest_runs", notFound: "store.harvest_run"}
	linkRuns    = runTable{name: "link_runs", notFound: "store.link_run"}
	scoreRuns   = runTable{name: "score_runs", notFound: "store.score_run"}
)

// runCols are a run's own columns (names) and their values (vals), beside
// the ones every run has.
type runCols struct {
	names []string
	vals  []any
}

// beginRun records the start of a run of the portal and returns its id: a
// row of t running since now, made by this vigie, with own's columns. own is
// called inside the transaction, so it may read what the run links to; nil
// when the run has none. Writers take the lock one at a time, so a run of t
// still marked running belongs to a process that was killed or crashed: it
// is marked interrupted first, with StaleRunError.
func (db *DB) beginRun(ctx context.Context, t runTable, portalID int64, own func(tx *sql.Tx) (runCols, error)) (int64, error) {
	var id int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE `+t.name+` SET status = ?, error = ? WHERE portal_id = ? AND status = ?`,
			RunInterrupted, StaleRunError, portalID, RunRunning); err != nil {
			return err
		}
		cols := runCols{names: []string{"portal_id", "started_at", "status", "vigie_version"},
			vals: []any{portalID, ts(db.Now()), RunRunning, vigie.Version()}}
		if own != nil {
			c, err := own(tx)
			if err != nil {
				return err
			}
			cols.names, cols.vals = append(cols.names, c.names...), append(cols.vals, c.vals...)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO `+t.name+` (`+strings.Join(cols.names, ", ")+`) VALUES (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(cols.vals)), ", ")+`) RETURNING id`, cols.vals...).Scan(&id)
	})
	if err != nil {
		return 0, db.explain(err)
	}
	return id, nil
}

// finishRun records how a run of t ended: its status (complete, failed or
// interrupted), its error message and the time, with set, the assignments of
// its own columns ("col = ?, …"), and their args. It works even when ctx is
// cancelled, so that an interrupted run is recorded as such.
func (db *DB) finishRun(ctx context.Context, t runTable, runID int64, status, errMsg, set string, args ...any) error {
	ctx = context.WithoutCancel(ctx)
	q := `UPDATE ` + t.name + ` SET status = ?, error = ?, finished_at = ?`
	if set != "" {
		q += ", " + set
	}
	q += ` WHERE id = ?`
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, append(append([]any{status, errMsg, ts(db.Now())}, args...), runID)...)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound(vigie.KindNotFound, t.notFound, strconv.FormatInt(runID, 10))
		}
		return nil
	})
	if err != nil {
		return db.explain(err)
	}
	return nil
}
