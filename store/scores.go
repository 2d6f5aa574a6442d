package store

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
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
	return db.beginRun(ctx, scoreRuns, portalID, func(tx *sql.Tx) (runCols, error) {
		var harvest, link sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT MAX(id) FROM harvest_runs WHERE portal_id = ? AND status = 'complete'`, portalID).Scan(&harvest)
		if err != nil {
			return runCols{}, err
		}
		// The latest link run, complete or not: scoring reads the latest
		// state of every URL, which an interrupted run has moved too, and
		// reports count each URL as of this run (earlier runs fill in the
		// URLs it did not reach).
		err = tx.QueryRowContext(ctx, `SELECT MAX(id) FROM link_runs WHERE portal_id = ?`, portalID).Scan(&link)
		if err != nil {
			return runCols{}, err
		}
		return runCols{names: []string{"harvest_run_id", "link_run_id", "profile", "profile_hash", "as_of", "clock"},
			vals: []any{harvest, link, profile, profileHash, ts(db.AsOf()), db.clock()}}, nil
	})
}

// SaveAssessments stores a batch of assessments (scores and findings) of a
// score run in one transaction. Saving a dataset again replaces it.
func (db *DB) SaveAssessments(ctx context.Context, runID int64, as []vigie.Assessment) error {
	if len(as) == 0 {
		return nil
	}
	// Written in key order, each dataset once (the last assessment of a
	// dataset listed twice wins): the batch's rows then fill neighbouring
	// pages, and a multi-row upsert never meets the same key twice.
	order := make([]int, 0, len(as))
	for i := range as {
		if as[i].DatasetID == "" {
			return errors.New("assessment without a dataset id")
		}
		order = append(order, i)
	}
	sort.SliceStable(order, func(i, j int) bool { return as[order[i]].DatasetID < as[order[j]].DatasetID })
	uniq := order[:0]
	for k, i := range order {
		if k+1 < len(order) && as[order[k+1]].DatasetID == as[i].DatasetID {
			continue
		}
		uniq = append(uniq, i)
	}
	order = uniq
	known := db.runTexts.get(runID)
	var w *scoreWriter
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		var err error
		w, err = newScoreWriter(ctx, tx, db.textWriter(tx), runID)
		if err != nil {
			return err
		}
		w.known = known
		defer w.close()
		if err := w.knowTexts(as, order); err != nil {
			return err
		}
		for _, i := range order {
			if err := w.add(&as[i]); err != nil {
				return err
			}
		}
		return w.flush()
	})
	if err != nil {
		return db.explain(err)
	}
	db.runTexts.add(runID, known, w.texts)
	return nil
}

// runTextCache holds, per score run being saved, the dictionary ids of the
// finding texts its committed batches used. A text is looked up, hashed
// and probed once per run instead of once per batch (28,646 distinct texts
// among the 1.2 million of the 100k catalogue's ~600,000 findings). The ids
// stay valid: the run's own committed findings use them, so prune keeps
// their rows.
type runTextCache struct {
	mu   sync.Mutex
	runs map[int64]map[vigie.Text]int64 // never changed once stored: replaced
}

// get returns the texts known for run, not to be modified.
func (c *runTextCache) get(run int64) map[vigie.Text]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.runs[run]
}

// add records, once a batch of run committed, the texts it learnt beside
// the ones it started from (known, as get returned it).
func (c *runTextCache) add(run int64, known, learnt map[vigie.Text]int64) {
	if len(learnt) == 0 {
		return
	}
	m := make(map[vigie.Text]int64, len(known)+len(learnt))
	maps.Copy(m, known)
	maps.Copy(m, learnt)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.runs == nil {
		c.runs = map[int64]map[vigie.Text]int64{}
	}
	c.runs[run] = m
}

// drop forgets run's texts: it is finished.
func (c *runTextCache) drop(run int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.runs, run)
}

// scoreRowsMax is how many datasets one INSERT writes.
const scoreRowsMax = 32

const scoreInsertCols = `(score_run_id, dataset_id, overall, completeness, freshness, openness, availability,
	mqa_points, mqa_rating, freshness_status, freshness_evidence, frequency, stars, open_licence, open_format, machine_readable,
	errors, warnings, infos, licence_status, licence_by)`
const scoreInsertRow = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
const scoreInsertArgs = 21
const scoreUpsert = ` ON CONFLICT (score_run_id, dataset_id) DO UPDATE SET overall = excluded.overall,
	completeness = excluded.completeness, freshness = excluded.freshness, openness = excluded.openness,
	availability = excluded.availability, mqa_points = excluded.mqa_points, mqa_rating = excluded.mqa_rating,
	freshness_status = excluded.freshness_status, freshness_evidence = excluded.freshness_evidence,
	frequency = excluded.frequency, stars = excluded.stars, open_licence = excluded.open_licence,
	open_format = excluded.open_format, machine_readable = excluded.machine_readable, errors = excluded.errors,
	warnings = excluded.warnings, infos = excluded.infos, licence_status = excluded.licence_status,
	licence_by = excluded.licence_by`
const findingSetUpsert = ` ON CONFLICT (score_run_id, dataset_id) DO UPDATE SET findings = excluded.findings`

// scoreWriter inserts scores and findings rows scoreRowsMax datasets at a
// time, the finding texts through the finding_texts dictionary.
type scoreWriter struct {
	ctx                    context.Context
	runID                  int64
	scoresN, findingsN     [scoreRowsMax + 1]*sql.Stmt // by number of rows
	tx                     *sql.Tx
	textQ                  textQuerier          // where textID adds and reads texts
	known                  map[vigie.Text]int64 // ids committed by the run's earlier batches; read only
	texts                  map[vigie.Text]int64 // ids known in this transaction
	scoreArgs, findingArgs []any
	n                      int
	buf                    []storedFinding
	json                   []byte // the findings JSON of the dataset being added
	// pre holds, for each text of the batch in the order add meets them
	// (datasets in key order, each finding's message then hint), its id
	// when knowTexts found it among the known ones, else 0: add then does
	// not hash and compare it again. preAt is the next one add takes.
	pre   []int64
	preAt int
}

// textWriter is where a score run adds finding texts to the dictionary:
// its own transaction on SQLite (one writer at a time), and on PostgreSQL
// the pool, each text committed at once. There, portals scored at once
// often add the same new texts: inside their long transactions, the second
// would wait for the first to commit, and two adding two texts in opposite
// orders would deadlock. A text committed early is harmless: its id is its
// hash, and prune removes the ones no finding uses.
//
// Its statements are not prepared: a statement prepared on the pool is
// prepared on every connection it ran on, and closing it takes each of
// those connections' locks, among them one another portal's transaction may
// hold while it waits for this one to commit its texts: both waited
// forever (two portals audited at once on PostgreSQL).
func (db *DB) textWriter(tx *sql.Tx) textQuerier {
	if db.dialect == postgres {
		return db.sql
	}
	return tx
}

// textQuerier is where a score run's texts are added one at a time: the
// pool (*sql.DB) or the batch's transaction (*sql.Tx).
type textQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func newScoreWriter(ctx context.Context, tx *sql.Tx, texts textQuerier, runID int64) (*scoreWriter, error) {
	return &scoreWriter{ctx: ctx, runID: runID, tx: tx, textQ: texts, texts: map[vigie.Text]int64{},
		scoreArgs: make([]any, 0, scoreInsertArgs*scoreRowsMax), findingArgs: make([]any, 0, 3*scoreRowsMax)}, nil
}

// stmts returns the INSERTs of n score rows and n findings rows, prepared
// once per transaction.
func (w *scoreWriter) stmts(n int) (*sql.Stmt, *sql.Stmt, error) {
	if w.scoresN[n] == nil {
		q := `INSERT INTO scores ` + scoreInsertCols + ` VALUES ` + strings.TrimSuffix(strings.Repeat(scoreInsertRow+", ", n), ", ") + scoreUpsert
		st, err := w.tx.PrepareContext(w.ctx, q)
		if err != nil {
			return nil, nil, err
		}
		w.scoresN[n] = st
	}
	if w.findingsN[n] == nil {
		q := `INSERT INTO dataset_findings (score_run_id, dataset_id, findings) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", n), ", ") + findingSetUpsert
		st, err := w.tx.PrepareContext(w.ctx, q)
		if err != nil {
			return nil, nil, err
		}
		w.findingsN[n] = st
	}
	return w.scoresN[n], w.findingsN[n], nil
}

func (w *scoreWriter) add(a *vigie.Assessment) error {
	var nErr, nWarn, nInfo int
	w.buf = w.buf[:0]
	for _, f := range a.Findings {
		switch f.Severity {
		case vigie.SevError:
			nErr++
		case vigie.SevWarning:
			nWarn++
		default:
			nInfo++
		}
		mid, err := w.knownID(f.Message)
		if err != nil {
			return err
		}
		hid, err := w.knownID(f.Hint)
		if err != nil {
			return err
		}
		w.buf = append(w.buf, storedFinding{Rule: f.Rule, Dimension: f.Dimension, Severity: f.Severity, ResourceID: f.ResourceID,
			Points: f.Points, MessageID: mid, HintID: hid})
	}
	s := a.Scores
	w.scoreArgs = append(w.scoreArgs, w.runID, a.DatasetID, scoreNull(s.Overall), scoreNull(s.Completeness), scoreNull(s.Freshness), scoreNull(s.Openness), scoreNull(s.Availability),
		a.MQA.Points, a.MQA.Rating, a.FreshnessStatus, a.FreshnessEvidence, a.Frequency, a.Stars,
		scoreBool(a.OpenLicence), scoreBool(a.OpenFormat), scoreBool(a.MachineReadable), nErr, nWarn, nInfo, a.LicenceStatus, a.LicenceBy)
	w.json = appendFindingsJSON(w.json[:0], w.buf)
	w.findingArgs = append(w.findingArgs, w.runID, a.DatasetID, string(w.json))
	if w.n++; w.n == scoreRowsMax {
		return w.flush()
	}
	return nil
}

func (w *scoreWriter) flush() error {
	if w.n == 0 {
		return nil
	}
	ins, insF, err := w.stmts(w.n)
	if err != nil {
		return err
	}
	if _, err := ins.ExecContext(w.ctx, w.scoreArgs...); err != nil {
		return err
	}
	if _, err := insF.ExecContext(w.ctx, w.findingArgs...); err != nil {
		return err
	}
	w.scoreArgs, w.findingArgs, w.n = w.scoreArgs[:0], w.findingArgs[:0], 0
	return nil
}

func (w *scoreWriter) close() {
	all := append(append([]*sql.Stmt{}, w.scoresN[:]...), w.findingsN[:]...)
	for _, st := range all {
		if st != nil {
			st.Close()
		}
	}
}

// textHash is where a text's id search starts: a positive 63-bit FNV-1a
// hash of the pair.
func textHash(t vigie.Text) int64 {
	// FNV-1a as hash/fnv computes it, over FR, a zero byte and EN, without
	// copying the texts into byte slices.
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(t.FR); i++ {
		h = (h ^ uint64(t.FR[i])) * prime
	}
	h *= prime // the zero byte
	for i := 0; i < len(t.EN); i++ {
		h = (h ^ uint64(t.EN[i])) * prime
	}
	id := int64(h >> 1)
	if id == 0 {
		id = 1
	}
	return id
}

// textChunk is how many texts one lookup or INSERT of knowTexts handles.
const textChunk = 300

// knowTexts finds, in a few statements, the dictionary ids of the batch's
// texts that sit at their hash and adds those that are new there, so that
// textID rarely needs a statement per text. A text whose hash another text
// holds is left to textID's probing.
func (w *scoreWriter) knowTexts(as []vigie.Assessment, order []int) error {
	var todo []int64 // hashes of the texts to look up
	wanted := map[int64]vigie.Text{}
	for _, i := range order {
		for _, f := range as[i].Findings {
			for _, t := range [2]vigie.Text{f.Message, f.Hint} {
				if t == (vigie.Text{}) {
					w.pre = append(w.pre, 0)
					continue
				}
				if id, ok := w.known[t]; ok {
					w.pre = append(w.pre, id)
					continue
				}
				w.pre = append(w.pre, 0)
				if _, ok := w.texts[t]; ok {
					continue
				}
				h := textHash(t)
				if _, taken := wanted[h]; taken {
					continue // the same text again, or another of the same hash: textID probes it
				}
				wanted[h] = t
				todo = append(todo, h)
			}
		}
	}
	// In id order: two writers adding texts at once (on PostgreSQL) then
	// wait on each other's rows in one order and never deadlock.
	slices.Sort(todo)
	for lo := 0; lo < len(todo); lo += textChunk {
		chunk := todo[lo:min(lo+textChunk, len(todo))]
		args := make([]any, len(chunk))
		for i, h := range chunk {
			args[i] = h
		}
		rows, err := w.tx.QueryContext(w.ctx, `SELECT id, fr, en FROM finding_texts WHERE id IN (`+
			strings.TrimSuffix(strings.Repeat("?, ", len(chunk)), ", ")+`)`, args...)
		if err != nil {
			return err
		}
		have := map[int64]vigie.Text{}
		for rows.Next() {
			var id int64
			var t vigie.Text
			if err := rows.Scan(&id, &t.FR, &t.EN); err != nil {
				rows.Close()
				return err
			}
			have[id] = t
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		ins := make([]any, 0, 3*len(chunk))
		for _, h := range chunk {
			t := wanted[h]
			switch o, ok := have[h]; {
			case !ok:
				ins = append(ins, h, t.FR, t.EN)
				w.texts[t] = h
			case o == t:
				w.texts[t] = h
			}
		}
		if len(ins) > 0 {
			// Another writer (another portal scored at the same time on
			// PostgreSQL) may have added some of these texts since they were
			// looked up: those rows are left to it, and the texts not
			// inserted here are forgotten, so that textID looks them up again
			// (and probes past a text of the same hash).
			q := `INSERT INTO finding_texts (id, fr, en) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(ins)/3), ", ") +
				` ON CONFLICT (id) DO NOTHING RETURNING id`
			rows, err := w.tx.QueryContext(w.ctx, q, ins...)
			if err != nil {
				return err
			}
			added := map[int64]bool{}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				added[id] = true
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for i := 0; i < len(ins); i += 3 {
				if id := ins[i].(int64); !added[id] {
					delete(w.texts, vigie.Text{FR: ins[i+1].(string), EN: ins[i+2].(string)})
				}
			}
		}
	}
	return nil
}

// knownID is textID of the next text add meets, taken from what knowTexts
// found when it was known.
func (w *scoreWriter) knownID(t vigie.Text) (int64, error) {
	if w.preAt < len(w.pre) {
		id := w.pre[w.preAt]
		w.preAt++
		if id != 0 {
			return id, nil
		}
	}
	return w.textID(t)
}

// textID returns the dictionary id of a text, adding it when new. The id is
// the text's hash, or the next free or matching id after it when another
// text holds it. An empty text has id 0.
func (w *scoreWriter) textID(t vigie.Text) (int64, error) {
	if t == (vigie.Text{}) {
		return 0, nil
	}
	if id, ok := w.known[t]; ok {
		return id, nil
	}
	if id, ok := w.texts[t]; ok {
		return id, nil
	}
	id := textHash(t)
	for {
		res, err := w.textQ.ExecContext(w.ctx, `INSERT INTO finding_texts (id, fr, en) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, id, t.FR, t.EN)
		if err != nil {
			return 0, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			break
		}
		var have vigie.Text
		if err := w.textQ.QueryRowContext(w.ctx, `SELECT fr, en FROM finding_texts WHERE id = ?`, id).Scan(&have.FR, &have.EN); err != nil {
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

// FinishScoreRun closes a score run with its final status (complete, failed
// or interrupted), the number of datasets scored and an error message, even
// when ctx is cancelled.
func (db *DB) FinishScoreRun(ctx context.Context, runID int64, status string, datasets int, errMsg string) error {
	db.runTexts.drop(runID)
	db.analyze(ctx, datasets, "scores", "dataset_findings", "finding_texts")
	return db.finishRun(ctx, scoreRuns, runID, status, errMsg, `datasets = ?`, datasets)
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
	var raw string
	err := db.sql.QueryRowContext(ctx, `SELECT findings FROM dataset_findings WHERE score_run_id = ? AND dataset_id = ?`, scoreRunID, datasetID).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return []vigie.Finding{}, nil
	}
	if err != nil {
		return nil, db.explain(err)
	}
	r, err := newTextResolver(ctx, db.sql, "")
	if err != nil {
		return nil, db.explain(err)
	}
	defer r.close()
	out, _, err := r.findings(raw, nil)
	if errors.Is(err, errFindingsJSON) {
		return nil, damagedFindings(scoreRunID, datasetID)
	}
	if err != nil {
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
	rows, err := db.sql.QueryContext(ctx, `SELECT dataset_id, findings FROM dataset_findings WHERE score_run_id = ? ORDER BY dataset_id`, scoreRunID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	var rc ruleCounter
	var id, raw string
	var buf []storedFinding
	for rows.Next() {
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, db.explain(err)
		}
		if buf, err = parseFindingsJSON(raw, buf[:0]); err != nil {
			return nil, damagedFindings(scoreRunID, id)
		}
		rc.add(id, buf)
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return rc.sorted(), nil
}

// ruleCounter counts findings per rule from datasets given in id order.
type ruleCounter struct {
	byRule map[string]*ruleAgg
	first  map[string]int64 // each rule's first hint id
}

type ruleAgg struct {
	RuleCount
	last string
}

func (c *ruleCounter) add(datasetID string, fs []storedFinding) {
	if c.byRule == nil {
		c.byRule, c.first = map[string]*ruleAgg{}, map[string]int64{}
	}
	for i := range fs {
		f := &fs[i]
		a := c.byRule[f.Rule]
		if a == nil {
			a = &ruleAgg{RuleCount: RuleCount{Rule: f.Rule, Dimension: f.Dimension, Severity: f.Severity}}
			c.byRule[f.Rule] = a
			c.first[f.Rule] = f.HintID
		}
		a.Dimension, a.Severity = min(a.Dimension, f.Dimension), min(a.Severity, f.Severity)
		a.Findings++
		a.Points += f.Points
		if a.last != datasetID {
			a.Datasets++
			a.last = datasetID
		}
	}
}

// sorted returns the counts, most datasets first, then by rule.
func (c *ruleCounter) sorted() []RuleCount {
	out := make([]RuleCount, 0, len(c.byRule))
	for _, a := range c.byRule {
		out = append(out, a.RuleCount)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Datasets != out[j].Datasets {
			return out[i].Datasets > out[j].Datasets
		}
		return out[i].Rule < out[j].Rule
	})
	return out
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
