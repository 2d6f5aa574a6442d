package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// ScoreRun is one `vigie score` pass over a portal.
type ScoreRun struct {
	ID           int64
	PortalID     int64
	HarvestRunID int64 // 0 when no complete harvest existed
	LinkRunID    int64 // 0 when links were never checked
	Profile      string
	StartedAt    time.Time
	FinishedAt   time.Time
	Status       string // running, complete, failed, interrupted
	Datasets     int
	Error        string
	VigieVersion string    // the vigie that scored ("" before it was recorded)
	ProfileHash  string    // sha256 of the profile's rules, hex ("" before it was recorded)
	AsOf         time.Time // the "now" freshness was judged against (StartedAt for runs older than this field)
	Clock        string    // ClockSystem, or ClockFixed by --now / VIGIE_NOW
}

// BeginScoreRun opens a score run for portalID with the named profile, linked
// to the portal's latest complete harvest run and latest link run. It records
// the running vigie's version and profileHash (quality.Profile.Hash), so that
// a change of rules is told apart from a change of quality.
func (db *DB) BeginScoreRun(ctx context.Context, portalID int64, profile string) (int64, error) {
	return db.BeginScoreRunHashed(ctx, portalID, profile, "")
}

// BeginScoreRunHashed is BeginScoreRun recording profileHash too.
func (db *DB) BeginScoreRunHashed(ctx context.Context, portalID int64, profile, profileHash string) (int64, error) {
	var id int64
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		// As for harvests: a run still running belongs to a dead process.
		if _, err := tx.ExecContext(ctx, `UPDATE score_runs SET status = 'interrupted', error = ? WHERE portal_id = ? AND status = 'running'`,
			StaleRunError, portalID); err != nil {
			return err
		}
		var harvest, link sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM harvest_runs WHERE portal_id = ? AND status = 'complete'`, portalID).Scan(&harvest)
		if err != nil {
			return err
		}
		// The latest link run, complete or not: scoring reads the latest
		// state of every URL, which an interrupted run has moved too, and
		// reports count each URL as of this run (earlier runs fill in the
		// URLs it did not reach).
		err = tx.QueryRowContext(ctx, `SELECT MAX(id) FROM link_runs WHERE portal_id = ?`, portalID).Scan(&link)
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO score_runs (portal_id, harvest_run_id, link_run_id, profile, started_at, status, vigie_version, profile_hash, as_of, clock)
			VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?) RETURNING id`,
			portalID, harvest, link, profile, ts(db.Now()), vigie.Version(), profileHash, ts(db.AsOf()), db.clock()).Scan(&id)
		return err
	})
	if err != nil {
		return 0, db.explain(err)
	}
	return id, nil
}

// SaveAssessments stores a batch of assessments (scores and findings) of a
// score run in one transaction. Saving a dataset again replaces it.
func (db *DB) SaveAssessments(ctx context.Context, runID int64, as []vigie.Assessment) error {
	if len(as) == 0 {
		return nil
	}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		// A bigger page cache for this connection: the findings key is
		// written in dataset order, across the whole index of the run.
		if err := db.pragma(ctx, tx, `PRAGMA cache_size = -65536`); err != nil {
			return err
		}
		delF, err := tx.PrepareContext(ctx, `DELETE FROM findings WHERE score_run_id = ? AND dataset_id = ?`)
		if err != nil {
			return err
		}
		defer delF.Close()
		insS, err := tx.PrepareContext(ctx, `INSERT INTO scores (score_run_id, dataset_id, overall, completeness, freshness, openness, availability,
			mqa_points, mqa_rating, freshness_status, freshness_evidence, frequency, stars, open_licence, open_format, machine_readable,
			errors, warnings, infos, licence_status, licence_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (score_run_id, dataset_id) DO UPDATE SET overall = excluded.overall, completeness = excluded.completeness, freshness = excluded.freshness, openness = excluded.openness, availability = excluded.availability, mqa_points = excluded.mqa_points, mqa_rating = excluded.mqa_rating, freshness_status = excluded.freshness_status, freshness_evidence = excluded.freshness_evidence, frequency = excluded.frequency, stars = excluded.stars, open_licence = excluded.open_licence, open_format = excluded.open_format, machine_readable = excluded.machine_readable, errors = excluded.errors, warnings = excluded.warnings, infos = excluded.infos, licence_status = excluded.licence_status, licence_by = excluded.licence_by`)
		if err != nil {
			return err
		}
		defer insS.Close()
		fw, err := newFindingWriter(ctx, tx, runID)
		if err != nil {
			return err
		}
		defer fw.close()
		// Written in key order: the batch's rows then fill neighbouring
		// pages instead of touching one page of the run per dataset.
		order := make([]int, len(as))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(i, j int) bool { return as[order[i]].DatasetID < as[order[j]].DatasetID })
		for _, i := range order {
			a := &as[i]
			if a.DatasetID == "" {
				return errors.New("assessment without a dataset id")
			}
			var nErr, nWarn, nInfo int
			for _, f := range a.Findings {
				switch f.Severity {
				case vigie.SevError:
					nErr++
				case vigie.SevWarning:
					nWarn++
				default:
					nInfo++
				}
			}
			s := a.Scores
			if _, err := insS.ExecContext(ctx, runID, a.DatasetID, scoreNull(s.Overall), scoreNull(s.Completeness), scoreNull(s.Freshness), scoreNull(s.Openness), scoreNull(s.Availability),
				a.MQA.Points, a.MQA.Rating, a.FreshnessStatus, a.FreshnessEvidence, a.Frequency, a.Stars,
				scoreBool(a.OpenLicence), scoreBool(a.OpenFormat), scoreBool(a.MachineReadable), nErr, nWarn, nInfo, a.LicenceStatus, a.LicenceBy); err != nil {
				return err
			}
			if _, err := delF.ExecContext(ctx, runID, a.DatasetID); err != nil {
				return err
			}
			for seq, f := range a.Findings {
				if err := fw.add(a.DatasetID, seq, f); err != nil {
					return err
				}
			}
		}
		return fw.flush()
	})
	if err != nil {
		return db.explain(err)
	}
	return nil
}

// findingBatch is how many findings one INSERT writes.
const findingBatch = 100

// findingWriter inserts findings in multi-row statements, their texts
// through the finding_texts dictionary.
type findingWriter struct {
	ctx              context.Context
	runID            int64
	batch, one       *sql.Stmt
	textGet, textAdd *sql.Stmt
	texts            map[vigie.Text]int64 // ids known in this transaction
	args             []any
	n                int
}

const findingCols = `(score_run_id, dataset_id, seq, rule, dimension, severity, resource_id, points, message_id, hint_id)`
const findingRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
const findingArgs = 10

func newFindingWriter(ctx context.Context, tx *sql.Tx, runID int64) (*findingWriter, error) {
	w := &findingWriter{ctx: ctx, runID: runID, texts: map[vigie.Text]int64{}, args: make([]any, 0, findingArgs*findingBatch)}
	rows := strings.TrimSuffix(strings.Repeat(findingRow+", ", findingBatch), ", ")
	for _, p := range []struct {
		st **sql.Stmt
		q  string
	}{
		{&w.batch, `INSERT INTO findings ` + findingCols + ` VALUES ` + rows},
		{&w.one, `INSERT INTO findings ` + findingCols + ` VALUES ` + findingRow},
		{&w.textGet, `SELECT fr, en FROM finding_texts WHERE id = ?`},
		{&w.textAdd, `INSERT INTO finding_texts (id, fr, en) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`},
	} {
		st, err := tx.PrepareContext(ctx, p.q)
		if err != nil {
			w.close()
			return nil, err
		}
		*p.st = st
	}
	return w, nil
}

// textHash is where a text's id search starts: a positive 63-bit FNV-1a
// hash of the pair.
func textHash(t vigie.Text) int64 {
	h := fnv.New64a()
	h.Write([]byte(t.FR))
	h.Write([]byte{0})
	h.Write([]byte(t.EN))
	id := int64(h.Sum64() >> 1)
	if id == 0 {
		id = 1
	}
	return id
}

// textID returns the dictionary id of a text, adding it when new. The id is
// the text's hash, or the next free or matching id after it when another
// text holds it. An empty text has id 0.
func (w *findingWriter) textID(t vigie.Text) (int64, error) {
	if t == (vigie.Text{}) {
		return 0, nil
	}
	if id, ok := w.texts[t]; ok {
		return id, nil
	}
	id := textHash(t)
	for {
		res, err := w.textAdd.ExecContext(w.ctx, id, t.FR, t.EN)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			break
		}
		var have vigie.Text
		if err := w.textGet.QueryRowContext(w.ctx, id).Scan(&have.FR, &have.EN); err != nil {
			return 0, err
		}
		if have == t {
			break
		}
		if id++; id <= 0 {
			id = 1
		}
	}
	w.texts[t] = id
	return id, nil
}

func (w *findingWriter) add(datasetID string, seq int, f vigie.Finding) error {
	mid, err := w.textID(f.Message)
	if err != nil {
		return err
	}
	hid, err := w.textID(f.Hint)
	if err != nil {
		return err
	}
	w.args = append(w.args, w.runID, datasetID, seq, f.Rule, f.Dimension, f.Severity, f.ResourceID, f.Points, mid, hid)
	w.n++
	if w.n < findingBatch {
		return nil
	}
	_, err = w.batch.ExecContext(w.ctx, w.args...)
	w.args, w.n = w.args[:0], 0
	return err
}

func (w *findingWriter) flush() error {
	for i := 0; i < w.n; i++ {
		if _, err := w.one.ExecContext(w.ctx, w.args[i*findingArgs:(i+1)*findingArgs]...); err != nil {
			return err
		}
	}
	w.args, w.n = w.args[:0], 0
	return nil
}

func (w *findingWriter) close() {
	for _, st := range []*sql.Stmt{w.batch, w.one, w.textGet, w.textAdd} {
		if st != nil {
			st.Close()
		}
	}
}

// findingTextCols selects a finding's four texts from the dictionary
// (aliases m and h, joined by findingTextJoin) or, for rows that hold their
// own, the row (alias f).
const findingTextCols = `COALESCE(m.fr, f.message_fr), COALESCE(m.en, f.message_en), COALESCE(h.fr, f.hint_fr), COALESCE(h.en, f.hint_en)`

// findingTextJoin joins the dictionary to findings f: m for the message,
// h for the hint.
const findingTextJoin = ` LEFT JOIN finding_texts m ON m.id = f.message_id LEFT JOIN finding_texts h ON h.id = f.hint_id`

// FinishScoreRun closes a score run with its final status (complete, failed
// or interrupted), the number of datasets scored and an error message.
func (db *DB) FinishScoreRun(ctx context.Context, runID int64, status string, datasets int, errMsg string) error {
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE score_runs SET status = ?, datasets = ?, error = ?, finished_at = ? WHERE id = ?`,
			status, datasets, errMsg, ts(db.Now()), runID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("score run %d does not exist", runID)
		}
		return nil
	})
	if err != nil {
		return db.explain(err)
	}
	return nil
}

const scoreRunCols = `id, portal_id, harvest_run_id, link_run_id, profile, started_at, finished_at, status, datasets, error, vigie_version, profile_hash, as_of, clock`

func scanScoreRun(row interface{ Scan(...any) error }) (*ScoreRun, error) {
	var r ScoreRun
	var harvest, link sql.NullInt64
	var started, finished, asOf sql.NullString
	if err := row.Scan(&r.ID, &r.PortalID, &harvest, &link, &r.Profile, &started, &finished, &r.Status, &r.Datasets, &r.Error, &r.VigieVersion, &r.ProfileHash, &asOf, &r.Clock); err != nil {
		return nil, err
	}
	r.HarvestRunID, r.LinkRunID = harvest.Int64, link.Int64
	r.StartedAt, r.FinishedAt = parseTS(started), parseTS(finished)
	if r.AsOf = parseTS(asOf); r.AsOf.IsZero() {
		r.AsOf = r.StartedAt
	}
	return &r, nil
}

// LatestScoreRun returns the portal's latest complete score run. It returns
// an error wrapping ErrNotFound that says to run `vigie score` when none exists.
func (db *DB) LatestScoreRun(ctx context.Context, portalID int64) (*ScoreRun, error) {
	row := db.rd().QueryRowContext(ctx, `SELECT `+scoreRunCols+` FROM score_runs WHERE portal_id = ? AND status = 'complete' ORDER BY id DESC LIMIT 1`, portalID)
	r, err := scanScoreRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(vigie.KindNotScored, "store.no_score_run.in", db.path)
	}
	if err != nil {
		return nil, db.explain(err)
	}
	return r, nil
}

// ScoreRuns lists the portal's score runs, newest first.
func (db *DB) ScoreRuns(ctx context.Context, portalID int64) ([]ScoreRun, error) {
	return db.queryScoreRuns(ctx, `WHERE portal_id = ? ORDER BY id DESC`, portalID)
}

// queryScoreRuns reads the score runs that the WHERE … ORDER BY clause selects.
func (db *DB) queryScoreRuns(ctx context.Context, clause string, args ...any) ([]ScoreRun, error) {
	rows, err := db.rd().QueryContext(ctx, `SELECT `+scoreRunCols+` FROM score_runs `+clause, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []ScoreRun
	for rows.Next() {
		r, err := scanScoreRun(rows)
		if err != nil {
			return nil, db.explain(err)
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

const scoreCols = `dataset_id, overall, completeness, freshness, openness, availability, mqa_points, mqa_rating,
	freshness_status, freshness_evidence, frequency, stars, open_licence, open_format, machine_readable, licence_status, licence_by`

func scanScore(row interface{ Scan(...any) error }) (vigie.Assessment, error) {
	var a vigie.Assessment
	var ov, co, fr, op, av sql.NullFloat64
	var ol, of, mr int
	err := row.Scan(&a.DatasetID, &ov, &co, &fr, &op, &av, &a.MQA.Points, &a.MQA.Rating,
		&a.FreshnessStatus, &a.FreshnessEvidence, &a.Frequency, &a.Stars, &ol, &of, &mr, &a.LicenceStatus, &a.LicenceBy)
	if err != nil {
		return a, err
	}
	a.Scores = vigie.Scores{Overall: scorePtr(ov), Completeness: scorePtr(co), Freshness: scorePtr(fr), Openness: scorePtr(op), Availability: scorePtr(av)}
	a.OpenLicence, a.OpenFormat, a.MachineReadable = ol != 0, of != 0, mr != 0
	return a, nil
}

// Assessments returns every assessment of a score run keyed by dataset id,
// without findings (fast; use Assessment for one dataset's findings).
func (db *DB) Assessments(ctx context.Context, scoreRunID int64) (map[string]vigie.Assessment, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT `+scoreCols+` FROM scores WHERE score_run_id = ?`, scoreRunID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	out := make(map[string]vigie.Assessment)
	for rows.Next() {
		a, err := scanScore(rows)
		if err != nil {
			return nil, db.explain(err)
		}
		out[a.DatasetID] = a
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// LatestAssessments returns, keyed by dataset id and without findings, each
// dataset's assessment from the most recent complete score run that scored
// it: a run limited to some organizations does not hide the others' scores.
// It reads runs newest first and stops at the first that covered every
// active dataset, so with whole-portal runs it reads one run. The map is
// empty when the portal was never scored.
func (db *DB) LatestAssessments(ctx context.Context, portalID int64) (map[string]vigie.Assessment, error) {
	runs, err := db.ScoreRuns(ctx, portalID)
	if err != nil {
		return nil, err
	}
	var active int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM datasets WHERE portal_id = ? AND state = 'active'`, portalID).Scan(&active); err != nil {
		return nil, db.explain(err)
	}
	out := map[string]vigie.Assessment{}
	for _, r := range runs {
		if r.Status != RunComplete {
			continue
		}
		first := len(out) == 0
		as, err := db.Assessments(ctx, r.ID)
		if err != nil {
			return nil, err
		}
		if first {
			out = as
		} else {
			for id, a := range as {
				if _, seen := out[id]; !seen {
					out[id] = a
				}
			}
		}
		if active > 0 && (r.Datasets >= active || len(out) >= active) {
			break
		}
	}
	return out, nil
}

// Assessment returns one dataset's assessment in a score run with its
// findings in the order they were found. The error wraps ErrNotFound when the
// dataset was not scored in that run.
func (db *DB) Assessment(ctx context.Context, scoreRunID int64, datasetID string) (*vigie.Assessment, error) {
	row := db.sql.QueryRowContext(ctx, `SELECT `+scoreCols+` FROM scores WHERE score_run_id = ? AND dataset_id = ?`, scoreRunID, datasetID)
	a, err := scanScore(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(vigie.KindNotScored, "store.not_scored_in", datasetID, id(scoreRunID))
	}
	if err != nil {
		return nil, db.explain(err)
	}
	fs, err := db.Findings(ctx, scoreRunID, datasetID)
	if err != nil {
		return nil, err
	}
	a.Findings = fs
	return &a, nil
}

// Findings returns one dataset's findings in a score run, in order.
func (db *DB) Findings(ctx context.Context, scoreRunID int64, datasetID string) ([]vigie.Finding, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT f.rule, f.dimension, f.severity, f.resource_id, f.points, `+findingTextCols+`
		FROM findings f`+findingTextJoin+` WHERE f.score_run_id = ? AND f.dataset_id = ? ORDER BY f.seq`, scoreRunID, datasetID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	out := []vigie.Finding{}
	for rows.Next() {
		var f vigie.Finding
		if err := rows.Scan(&f.Rule, &f.Dimension, &f.Severity, &f.ResourceID, &f.Points, &f.Message.FR, &f.Message.EN, &f.Hint.FR, &f.Hint.EN); err != nil {
			return nil, db.explain(err)
		}
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// RuleCount is how many datasets and findings a rule produced in a score run.
type RuleCount struct {
	Rule      string
	Dimension vigie.Dimension
	Severity  vigie.Severity
	Datasets  int
	Findings  int
	Points    float64 // total points lost
}

// RuleCounts summarises a score run's findings per rule, most datasets first.
func (db *DB) RuleCounts(ctx context.Context, scoreRunID int64) ([]RuleCount, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT rule, MIN(dimension), MIN(severity), COUNT(DISTINCT dataset_id), COUNT(*), COALESCE(SUM(points), 0)
		FROM findings WHERE score_run_id = ? GROUP BY rule ORDER BY COUNT(DISTINCT dataset_id) DESC, rule`, scoreRunID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var out []RuleCount
	for rows.Next() {
		var c RuleCount
		if err := rows.Scan(&c.Rule, &c.Dimension, &c.Severity, &c.Datasets, &c.Findings, &c.Points); err != nil {
			return nil, db.explain(err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func scoreNull(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func scorePtr(n sql.NullFloat64) *float64 {
	if !n.Valid {
		return nil
	}
	v := n.Float64
	return &v
}

func scoreBool(b bool) int {
	if b {
		return 1
	}
	return 0
}

// LatestAssessmentOf returns a dataset's assessment, with findings, from the
// most recent complete score run of the portal that scored it (a run limited
// to some organizations may have left it out), and that run. The error wraps
// ErrNotFound when no complete run scored it.
func (db *DB) LatestAssessmentOf(ctx context.Context, portalID int64, datasetID string) (*vigie.Assessment, *ScoreRun, error) {
	row := db.sql.QueryRowContext(ctx, `SELECT `+scoreRunCols+` FROM score_runs r
		WHERE r.portal_id = ? AND r.status = 'complete'
		AND EXISTS (SELECT 1 FROM scores s WHERE s.score_run_id = r.id AND s.dataset_id = ?)
		ORDER BY r.id DESC LIMIT 1`, portalID, datasetID)
	run, err := scanScoreRun(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound(vigie.KindNotScored, "store.not_scored", datasetID)
	}
	if err != nil {
		return nil, nil, db.explain(err)
	}
	a, err := db.Assessment(ctx, run.ID, datasetID)
	if err != nil {
		return nil, nil, err
	}
	return a, run, nil
}
