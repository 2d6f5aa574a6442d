package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/internal/plain"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// PruneStats says what Prune removed and how much space it gave back.
type PruneStats struct {
	Keep            int
	Portal          string // the one portal pruned; "" for all
	HarvestRuns     int64
	LinkRuns        int64
	ScoreRuns       int64
	Scores          int64
	Findings        int64
	LinkChecks      int64
	DatasetEvents   int64
	DatasetVersions int64
	Links           int64 // latest states of URLs no dataset uses any more
	SizeBefore      int64
	SizeAfter       int64
	// InSteps is true when the disk was too full for one transaction and
	// the rows went in small transactions, the write-ahead log emptied
	// after each.
	InSteps bool
	// Reclaim is how the freed space went back to the disk: "incremental"
	// (PRAGMA incremental_vacuum, a few pages at a time), "vacuum" (the file
	// rewritten; later prunes are incremental), "none" (not enough free
	// disk to rewrite the file: the free pages stay inside it and are
	// reused by the next runs), or on PostgreSQL "server" (the tables
	// vacuumed: their space is reused by the next runs).
	Reclaim string
	// FreeInFile is the space left free inside the file (bytes).
	FreeInFile int64
	// NeedFree is, when Reclaim is "none", the free disk space a rewrite needs.
	NeedFree int64
}

// Removed is the number of rows Prune deleted.
func (s PruneStats) Removed() int64 {
	return s.HarvestRuns + s.LinkRuns + s.ScoreRuns + s.Scores + s.Findings + s.LinkChecks + s.DatasetEvents + s.DatasetVersions + s.Links
}

// PruneOptions narrow Prune.
type PruneOptions struct {
	// PortalID prunes only that portal's runs; 0 prunes every portal.
	PortalID int64
}

// pruneBatch is how many rows one small transaction deletes when the disk
// is full: a few hundred KiB of write-ahead log.
const pruneBatch = 200

// Prune keeps, per portal, the last keep harvest, link and score runs (plus
// the harvest and link runs a kept score run was computed from) with their
// scores, findings, link checks and dataset events; it keeps every dataset's
// latest version and each version that was current during a kept harvest
// run. Everything else goes, in one transaction; then the space is given
// back to the disk. Datasets themselves (and their current state) are never
// removed.
//
// It works on a full disk, which is when people reach for it: when the one
// transaction fails for lack of space, the rows go in small transactions
// with the write-ahead log truncated after each (children before their run,
// so a kill leaves whole runs, some with fewer rows, that the next prune
// finishes), and the space is reclaimed with incremental_vacuum, which moves
// a few pages at a time, rather than a VACUUM that needs a copy of the file.
func (db *DB) Prune(ctx context.Context, keep int, opts ...PruneOptions) (PruneStats, error) {
	st := PruneStats{Keep: keep}
	var o PruneOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if keep < 1 {
		return st, vigie.NewError(vigie.KindUsage, "store.keep", strconv.Itoa(keep))
	}
	var err error
	if st.SizeBefore, err = db.size(ctx); err != nil {
		return st, err
	}
	plan, err := db.prunePlan(ctx, keep, o.PortalID)
	if err != nil {
		return st, db.explain(err)
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		for _, s := range plan {
			_, n, err := s.deleteRows(ctx, tx, s.where)
			if err != nil {
				return err
			}
			*s.count(&st) += n
		}
		return nil
	})
	if err != nil && isDiskFull(err) {
		st = PruneStats{Keep: keep, SizeBefore: st.SizeBefore, InSteps: true}
		err = db.pruneInSteps(ctx, plan, &st)
	}
	if err != nil {
		return st, db.pruneError(err)
	}
	if err := db.reclaim(ctx, &st); err != nil {
		return st, db.pruneError(err)
	}
	if st.SizeAfter, err = db.size(ctx); err != nil {
		return st, err
	}
	return st, nil
}

func isDiskFull(err error) bool {
	s := err.Error()
	return strings.Contains(s, "disk is full") || strings.Contains(s, "SQLITE_FULL") || strings.Contains(s, "no space left")
}

func (db *DB) pruneError(err error) error {
	if isDiskFull(err) {
		return storeErr(vigie.KindDiskFull, db.path, "store.prune_full", db.path, plain.FirstLine(err.Error()))
	}
	return db.explain(err)
}

// pruneStep is one DELETE of the plan: its table, condition and counter.
type pruneStep struct {
	table, where string
	args         []any
	count        func(*PruneStats) *int64
	// weight, when set, is what each deleted row adds to the counter (an
	// SQL expression over the row) instead of 1.
	weight string
}

// deleteRows runs a step's DELETE of the rows that cond (the step's
// condition, or a batch of it) selects, and returns what it adds to the
// step's counter.
func (s pruneStep) deleteRows(ctx context.Context, tx *sql.Tx, cond string) (deleted, counted int64, err error) {
	if s.weight != "" {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(`+s.weight+`), 0) FROM `+s.table+` WHERE `+cond, s.args...).Scan(&deleted, &counted); err != nil {
			return 0, 0, err
		}
		if deleted == 0 {
			return 0, 0, nil
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+s.table+` WHERE `+cond, s.args...)
	if err != nil {
		return 0, 0, err
	}
	n, _ := res.RowsAffected()
	if s.weight == "" {
		counted = n
	}
	return n, counted, nil
}

// prunePlan works out, in one read, which runs each portal keeps, and
// returns the deletions in order: children before the rows they refer to.
func (db *DB) prunePlan(ctx context.Context, keep int, portalID int64) ([]pruneStep, error) {
	var plan []pruneStep
	err := db.withReadTx(ctx, func(tx *sql.Tx) error {
		q := `SELECT id FROM portals ORDER BY id`
		var args []any
		if portalID != 0 {
			q, args = `SELECT id FROM portals WHERE id = ?`, []any{portalID}
		}
		portals, err := queryIDs(ctx, tx, q, args...)
		if err != nil {
			return err
		}
		for _, p := range portals {
			steps, err := db.prunePortal(ctx, tx, p, keep)
			if err != nil {
				return err
			}
			plan = append(plan, steps...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Finding texts no finding refers to any more. On PostgreSQL a score
	// run commits its new texts before its findings (textWriter), so while
	// another portal is scored a text may be unreferenced for a moment: only
	// a prune of every portal, which holds every portal's lock, removes them.
	if db.dialect != postgres || portalID == 0 {
		plan = append(plan, pruneStep{"finding_texts", `id NOT IN (` + db.findingTextIDs(5) + `) AND id NOT IN (` + db.findingTextIDs(6) + `)`, nil,
			func(s *PruneStats) *int64 { var n int64; return &n }, ""})
	}
	return append(plan,
		// URL states nobody uses any more and no kept check refers to.
		pruneStep{"links", `url NOT IN (SELECT url FROM resources) AND url NOT IN (SELECT url FROM link_checks)`, nil,
			func(s *PruneStats) *int64 { return &s.Links }, ""},
	), nil
}

// withReadTx runs fn in one read transaction: one snapshot of the database.
func (db *DB) withReadTx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return db.explain(err)
	}
	defer tx.Rollback()
	return fn(tx)
}

// pruneInSteps runs the plan a batch of rows at a time, each batch its own
// transaction, and truncates the write-ahead log after each so that it never
// needs more than a batch's worth of free disk.
func (db *DB) pruneInSteps(ctx context.Context, plan []pruneStep, st *PruneStats) error {
	if err := db.checkpoint(ctx); err != nil {
		return err
	}
	for _, s := range plan {
		for {
			var n, counted int64
			err := db.withTx(ctx, func(tx *sql.Tx) error {
				rid := db.rowID(s.table)
				var err error
				n, counted, err = s.deleteRows(ctx, tx, rid+` IN (SELECT `+strings.Trim(rid, "()")+` FROM `+s.table+` WHERE `+s.where+` LIMIT `+strconv.Itoa(pruneBatch)+`)`)
				return err
			})
			if err != nil {
				return err
			}
			*s.count(st) += counted
			if err := db.checkpoint(ctx); err != nil {
				return err
			}
			if n < pruneBatch {
				break
			}
		}
	}
	return nil
}

// checkpoint copies the write-ahead log into the file and truncates it
// (on PostgreSQL the server manages its own log).
func (db *DB) checkpoint(ctx context.Context) error {
	if db.dialect == postgres {
		return nil
	}
	_, err := db.sql.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`)
	return err
}

// reclaim gives the free pages back to the disk in a way that needs little
// free space: incremental_vacuum a few pages at a time when the database
// allows it (every database vigie creates does); otherwise a VACUUM that
// also makes it incremental for next time, but only when the disk has room
// for the copy the VACUUM writes; otherwise nothing, and says so.
//
// On PostgreSQL, a plain VACUUM of the pruned tables makes their dead rows'
// space reusable by the next runs ("server"); a VACUUM FULL, which would
// give it back to the disk, locks each table for the time it rewrites it,
// and the other portals' writers with it: left to the administrator.
func (db *DB) reclaim(ctx context.Context, st *PruneStats) error {
	if db.dialect == postgres {
		st.Reclaim = "server"
		for _, t := range []string{"dataset_findings", "scores", "score_runs", "report_indicators", "link_checks", "link_runs", "dataset_events", "dataset_versions", "harvest_runs", "finding_texts", "links"} {
			if _, err := db.sql.ExecContext(ctx, `VACUUM `+t); err != nil {
				return err
			}
		}
		return nil
	}
	if err := db.checkpoint(ctx); err != nil {
		return err
	}
	var auto, free, pageSize, pages int64
	for q, v := range map[string]*int64{`PRAGMA auto_vacuum`: &auto, `PRAGMA freelist_count`: &free, `PRAGMA page_size`: &pageSize, `PRAGMA page_count`: &pages} {
		if err := db.sql.QueryRowContext(ctx, q).Scan(v); err != nil {
			return err
		}
	}
	switch {
	case auto == 2: // incremental
		st.Reclaim = "incremental"
		for free > 0 {
			if _, err := db.sql.ExecContext(ctx, `PRAGMA incremental_vacuum(64)`); err != nil {
				return err
			}
			if err := db.checkpoint(ctx); err != nil {
				return err
			}
			if err := db.sql.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
				return err
			}
		}
	case free == 0:
		st.Reclaim = "none"
	default:
		// VACUUM builds the new file in memory (temp_store) and writes it
		// through the write-ahead log: it needs the used size free on disk.
		need := (pages-free)*pageSize + 4<<20
		var fs syscall.Statfs_t
		if err := syscall.Statfs(filepath.Dir(db.path), &fs); err == nil && int64(fs.Bavail)*int64(fs.Bsize) < need {
			st.Reclaim, st.NeedFree = "none", need
			break
		}
		st.Reclaim = "vacuum"
		if _, err := db.sql.ExecContext(ctx, `PRAGMA auto_vacuum = INCREMENTAL`); err != nil {
			return err
		}
		if _, err := db.sql.ExecContext(ctx, `VACUUM`); err != nil {
			return err
		}
		if err := db.checkpoint(ctx); err != nil {
			return err
		}
	}
	if err := db.sql.QueryRowContext(ctx, `PRAGMA freelist_count`).Scan(&free); err != nil {
		return err
	}
	st.FreeInFile = free * pageSize
	return nil
}

// size is the database's size in bytes (pages in use and free).
func (db *DB) size(ctx context.Context) (int64, error) {
	if db.dialect == postgres {
		var n int64
		if err := db.sql.QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&n); err != nil {
			return 0, db.explain(err)
		}
		return n, nil
	}
	var pages, pageSize int64
	if err := db.sql.QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		return 0, db.explain(err)
	}
	if err := db.sql.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return 0, db.explain(err)
	}
	return pages * pageSize, nil
}

func queryIDs(ctx context.Context, tx *sql.Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func idList(ids []int64) string {
	if ids == nil {
		ids = []int64{}
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

func (db *DB) prunePortal(ctx context.Context, tx *sql.Tx, portal int64, keep int) ([]pruneStep, error) {
	in := `SELECT value FROM ` + db.intList("k")
	keptScore, err := queryIDs(ctx, tx, `SELECT id FROM score_runs WHERE portal_id = ? ORDER BY id DESC LIMIT ?`, portal, keep)
	if err != nil {
		return nil, err
	}
	keptHarvest, err := queryIDs(ctx, tx, `SELECT id FROM harvest_runs WHERE portal_id = ? AND (
			id IN (SELECT id FROM harvest_runs WHERE portal_id = ? ORDER BY id DESC LIMIT ?)
			OR id IN (SELECT harvest_run_id FROM score_runs WHERE id IN (`+in+`)))`,
		portal, portal, keep, idList(keptScore))
	if err != nil {
		return nil, err
	}
	keptLink, err := queryIDs(ctx, tx, `SELECT id FROM link_runs WHERE portal_id = ? AND (
			id IN (SELECT id FROM link_runs WHERE portal_id = ? ORDER BY id DESC LIMIT ?)
			OR id IN (SELECT link_run_id FROM score_runs WHERE id IN (`+in+`)))`,
		portal, portal, keep, idList(keptScore))
	if err != nil {
		return nil, err
	}
	ks, kh, kl := idList(keptScore), idList(keptHarvest), idList(keptLink)
	return []pruneStep{
		{"dataset_findings", `score_run_id IN (SELECT id FROM score_runs WHERE portal_id = ? AND id NOT IN (` + in + `))`, []any{portal, ks},
			func(s *PruneStats) *int64 { return &s.Findings }, db.jsonArrayLength("findings")},
		{"scores", `score_run_id IN (SELECT id FROM score_runs WHERE portal_id = ? AND id NOT IN (` + in + `))`, []any{portal, ks},
			func(s *PruneStats) *int64 { return &s.Scores }, ""},
		{"score_runs", `portal_id = ? AND id NOT IN (` + in + `)`, []any{portal, ks},
			func(s *PruneStats) *int64 { return &s.ScoreRuns }, ""},
		{"link_checks", `run_id IN (SELECT id FROM link_runs WHERE portal_id = ? AND id NOT IN (` + in + `))`, []any{portal, kl},
			func(s *PruneStats) *int64 { return &s.LinkChecks }, ""},
		{"link_runs", `portal_id = ? AND id NOT IN (` + in + `)`, []any{portal, kl},
			func(s *PruneStats) *int64 { return &s.LinkRuns }, ""},
		{"dataset_events", `portal_id = ? AND run_id NOT IN (` + in + `)`, []any{portal, kh},
			func(s *PruneStats) *int64 { return &s.DatasetEvents }, ""},
		// A version is current from its run until the dataset's next version;
		// keep it when it is the latest or a kept harvest run falls in that span.
		{"dataset_versions", `id IN (
			SELECT v.id FROM (SELECT id, run_id, LEAD(run_id) OVER (PARTITION BY dataset_id ORDER BY id) AS next_run
				FROM dataset_versions WHERE portal_id = ?) v
			WHERE v.next_run IS NOT NULL AND NOT EXISTS (
				SELECT 1 FROM ` + db.intList("k") + ` WHERE k.value >= v.run_id AND k.value < v.next_run))`, []any{portal, kh},
			func(s *PruneStats) *int64 { return &s.DatasetVersions }, ""},
		{"harvest_runs", `portal_id = ? AND id NOT IN (` + in + `)`, []any{portal, kh},
			func(s *PruneStats) *int64 { return &s.HarvestRuns }, ""},
	}, nil
}
