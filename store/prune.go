package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// PruneStats says what Prune removed and how much space it gave back.
type PruneStats struct {
	Keep            int   `json:"keep"`
	HarvestRuns     int64 `json:"harvest_runs"`
	LinkRuns        int64 `json:"link_runs"`
	ScoreRuns       int64 `json:"score_runs"`
	Scores          int64 `json:"scores"`
	Findings        int64 `json:"findings"`
	LinkChecks      int64 `json:"link_checks"`
	DatasetEvents   int64 `json:"dataset_events"`
	DatasetVersions int64 `json:"dataset_versions"`
	Links           int64 `json:"links"` // latest states of URLs no dataset uses any more
	SizeBefore      int64 `json:"size_before"`
	SizeAfter       int64 `json:"size_after"`
}

// Removed is the number of rows Prune deleted.
func (s PruneStats) Removed() int64 {
	return s.HarvestRuns + s.LinkRuns + s.ScoreRuns + s.Scores + s.Findings + s.LinkChecks + s.DatasetEvents + s.DatasetVersions + s.Links
}

// Prune keeps, per portal, the last keep harvest, link and score runs (plus
// the harvest and link runs a kept score run was computed from) with their
// scores, findings, link checks and dataset events; it keeps every dataset's
// latest version and each version that was current during a kept harvest
// run. Everything else goes, in one transaction; then the file is compacted.
// Datasets themselves (and their current state) are never removed.
func (db *DB) Prune(ctx context.Context, keep int) (PruneStats, error) {
	st := PruneStats{Keep: keep}
	if keep < 1 {
		return st, fmt.Errorf("--keep %d: keep at least 1 run", keep)
	}
	var err error
	if st.SizeBefore, err = db.size(ctx); err != nil {
		return st, err
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		portals, err := queryIDs(ctx, tx, `SELECT id FROM portals ORDER BY id`)
		if err != nil {
			return err
		}
		for _, p := range portals {
			if err := prunePortal(ctx, tx, p, keep, &st); err != nil {
				return err
			}
		}
		// Finding texts no finding refers to any more.
		if _, err := tx.ExecContext(ctx, `DELETE FROM finding_texts WHERE id NOT IN (SELECT message_id FROM findings) AND id NOT IN (SELECT hint_id FROM findings)`); err != nil {
			return err
		}
		// URL states nobody uses any more and no kept check refers to.
		res, err := tx.ExecContext(ctx, `DELETE FROM links WHERE url NOT IN (SELECT url FROM resources)
			AND url NOT IN (SELECT url FROM link_checks)`)
		if err != nil {
			return err
		}
		st.Links, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return st, db.explain(err)
	}
	if _, err := db.sql.ExecContext(ctx, `VACUUM`); err != nil {
		return st, db.explain(err)
	}
	if _, err := db.sql.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return st, db.explain(err)
	}
	if st.SizeAfter, err = db.size(ctx); err != nil {
		return st, err
	}
	return st, nil
}

// size is the database's size in bytes (pages in use and free).
func (db *DB) size(ctx context.Context) (int64, error) {
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

func prunePortal(ctx context.Context, tx *sql.Tx, portal int64, keep int, st *PruneStats) error {
	keptScore, err := queryIDs(ctx, tx, `SELECT id FROM score_runs WHERE portal_id = ? ORDER BY id DESC LIMIT ?`, portal, keep)
	if err != nil {
		return err
	}
	keptHarvest, err := queryIDs(ctx, tx, `SELECT id FROM harvest_runs WHERE portal_id = ? AND (
			id IN (SELECT id FROM harvest_runs WHERE portal_id = ? ORDER BY id DESC LIMIT ?)
			OR id IN (SELECT harvest_run_id FROM score_runs WHERE id IN (SELECT value FROM json_each(?))))`,
		portal, portal, keep, idList(keptScore))
	if err != nil {
		return err
	}
	keptLink, err := queryIDs(ctx, tx, `SELECT id FROM link_runs WHERE portal_id = ? AND (
			id IN (SELECT id FROM link_runs WHERE portal_id = ? ORDER BY id DESC LIMIT ?)
			OR id IN (SELECT link_run_id FROM score_runs WHERE id IN (SELECT value FROM json_each(?))))`,
		portal, portal, keep, idList(keptScore))
	if err != nil {
		return err
	}
	ks, kh, kl := idList(keptScore), idList(keptHarvest), idList(keptLink)
	steps := []struct {
		n   *int64
		sql string
		arg []any
	}{
		{&st.Findings, `DELETE FROM findings WHERE score_run_id IN (SELECT id FROM score_runs WHERE portal_id = ? AND id NOT IN (SELECT value FROM json_each(?)))`, []any{portal, ks}},
		{&st.Scores, `DELETE FROM scores WHERE score_run_id IN (SELECT id FROM score_runs WHERE portal_id = ? AND id NOT IN (SELECT value FROM json_each(?)))`, []any{portal, ks}},
		{&st.ScoreRuns, `DELETE FROM score_runs WHERE portal_id = ? AND id NOT IN (SELECT value FROM json_each(?))`, []any{portal, ks}},
		{&st.LinkChecks, `DELETE FROM link_checks WHERE run_id IN (SELECT id FROM link_runs WHERE portal_id = ? AND id NOT IN (SELECT value FROM json_each(?)))`, []any{portal, kl}},
		{&st.LinkRuns, `DELETE FROM link_runs WHERE portal_id = ? AND id NOT IN (SELECT value FROM json_each(?))`, []any{portal, kl}},
		{&st.DatasetEvents, `DELETE FROM dataset_events WHERE portal_id = ? AND run_id NOT IN (SELECT value FROM json_each(?))`, []any{portal, kh}},
		// A version is current from its run until the dataset's next version;
		// keep it when it is the latest or a kept harvest run falls in that span.
		{&st.DatasetVersions, `DELETE FROM dataset_versions WHERE id IN (
			SELECT v.id FROM (SELECT id, run_id, LEAD(run_id) OVER (PARTITION BY dataset_id ORDER BY id) AS next_run
				FROM dataset_versions WHERE portal_id = ?) v
			WHERE v.next_run IS NOT NULL AND NOT EXISTS (
				SELECT 1 FROM json_each(?) k WHERE k.value >= v.run_id AND k.value < v.next_run))`, []any{portal, kh}},
		{&st.HarvestRuns, `DELETE FROM harvest_runs WHERE portal_id = ? AND id NOT IN (SELECT value FROM json_each(?))`, []any{portal, kh}},
	}
	for _, s := range steps {
		res, err := tx.ExecContext(ctx, s.sql, s.arg...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		*s.n += n
	}
	return nil
}
