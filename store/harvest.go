package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie/internal/l10n"
	"sort"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// Harvest modes and run statuses.
const (
	ModeFull        = "full"
	ModeIncremental = "incremental"
	ModeImport      = "import"

	RunRunning     = "running"
	RunComplete    = "complete"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
)

// HarvestOptions describe the scope of a harvest run.
type HarvestOptions struct {
	Mode           string   // full, incremental or import
	Orgs           []string // organization names; empty = the whole portal
	IncludePrivate bool
}

// HarvestRun is one harvest attempt.
type HarvestRun struct {
	ID              int64
	PortalID        int64
	StartedAt       time.Time
	FinishedAt      time.Time
	Mode            string
	Status          string
	ListingComplete bool
	Orgs            []string
	IncludePrivate  bool
	Expected        int
	Fetched         int
	New             int
	Changed         int
	Unchanged       int
	Missing         int
	Deleted         int
	Organizations   int
	Requests        int
	Error           string
	VigieVersion    string    // "" for runs made before it was recorded
	AsOf            time.Time // the "now" of the run (started_at for runs older than this field)
	Clock           string    // system, or fixed by --now / VIGIE_NOW
}

// HarvestResult is what FinishHarvestRun records.
type HarvestResult struct {
	Mode            string // the mode the run ended in ("" keeps the one it began with)
	Status          string // complete, failed or interrupted
	ListingComplete bool   // a full pass saw every dataset the portal counted
	Expected        int
	Fetched         int
	Counts          SaveCounts
	Missing         int
	Deleted         int
	Organizations   int
	Requests        int
	Error           string
}

func scopeJSON(orgs []string) string {
	o := append([]string{}, orgs...)
	sort.Strings(o)
	b, _ := json.Marshal(o)
	return string(b)
}

// StaleRunError is the error recorded on a run found still running when the
// next one starts: its process died without finishing it.
const StaleRunError = "the process stopped before finishing (killed or crashed)"

// BeginHarvestRun records the start of a harvest run and returns its id.
func (db *DB) BeginHarvestRun(ctx context.Context, portalID int64, o HarvestOptions) (int64, error) {
	return db.beginRun(ctx, harvestRuns, portalID, func(tx *sql.Tx) (runCols, error) {
		if err := db.deferIndexes(ctx, tx); err != nil {
			return runCols{}, err
		}
		return runCols{names: []string{"mode", "orgs_filter", "include_private", "as_of", "clock"},
			vals: []any{o.Mode, scopeJSON(o.Orgs), o.IncludePrivate, ts(db.AsOf()), db.clock()}}, nil
	})
}

// FinishHarvestRun records how a run ended. It works even when ctx is
// cancelled, so that an interrupted run is recorded as such.
func (db *DB) FinishHarvestRun(ctx context.Context, runID int64, r HarvestResult) error {
	// a first pass's indexes are built before its run says it ended, so
	// that a finished run always leaves them (deferidx.go)
	if err := db.ensureIndexes(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	db.analyze(ctx, r.Counts.New+r.Counts.Changed+r.Counts.Restored+r.Missing+r.Deleted,
		"datasets", "resources", "dataset_versions", "dataset_events")
	err := db.finishRun(ctx, harvestRuns, runID, r.Status, r.Error, `mode = COALESCE(NULLIF(?, ''), mode), listing_complete = ?,
		expected = ?, fetched = ?, new = ?, changed = ?, unchanged = ?, missing = ?, deleted = ?, organizations = ?, requests = ?`,
		r.Mode, r.ListingComplete, r.Expected, r.Fetched, r.Counts.New, r.Counts.Changed, r.Counts.Unchanged,
		r.Missing, r.Deleted, r.Organizations, r.Requests)
	// The pages' log (up to harvestAutoCheckpoint) goes into the file and
	// starts over. Best effort: a reader still on an older snapshot keeps
	// part of it until a later checkpoint, and a failure here loses
	// nothing (the log is copied by the next checkpoint).
	_ = db.checkpoint(context.WithoutCancel(ctx))
	return err
}

const harvestRunCols = `id, portal_id, started_at, finished_at, mode, status, listing_complete, orgs_filter, include_private,
	expected, fetched, new, changed, unchanged, missing, deleted, organizations, requests, error, vigie_version, as_of, clock`

func scanHarvestRun(sc interface{ Scan(...any) error }) (*HarvestRun, error) {
	var r HarvestRun
	var started, finished, asOf sql.NullString
	var orgs string
	err := sc.Scan(&r.ID, &r.PortalID, &started, &finished, &r.Mode, &r.Status, &r.ListingComplete, &orgs, &r.IncludePrivate,
		&r.Expected, &r.Fetched, &r.New, &r.Changed, &r.Unchanged, &r.Missing, &r.Deleted, &r.Organizations, &r.Requests, &r.Error, &r.VigieVersion,
		&asOf, &r.Clock)
	if err != nil {
		return nil, err
	}
	r.StartedAt, r.FinishedAt = parseTS(started), parseTS(finished)
	if r.AsOf = parseTS(asOf); r.AsOf.IsZero() {
		r.AsOf = r.StartedAt
	}
	_ = json.Unmarshal([]byte(orgs), &r.Orgs)
	if r.Orgs == nil {
		r.Orgs = []string{}
	}
	return &r, nil
}

func (db *DB) oneRun(ctx context.Context, what, q string, args ...any) (*HarvestRun, error) {
	r, err := scanHarvestRun(db.sql.QueryRowContext(ctx, `SELECT `+harvestRunCols+` FROM harvest_runs WHERE `+q, args...))
	if errors.Is(err, sql.ErrNoRows) {
		e := notFound(vigie.KindNotHarvested, "store.no_harvest_run", vigie.NewError(vigie.KindOther, what))
		if !l10n.Has(what) {
			e = notFound(vigie.KindNotFound, "store.harvest_run", strings.TrimPrefix(what, "#"))
		}
		return nil, e
	}
	if err != nil {
		return nil, db.explain(err)
	}
	return r, nil
}

// LastCompleteRun returns the latest complete full or incremental run with
// this scope (imports say nothing about what the portal changed since). The
// error wraps ErrNotFound when there is none.
func (db *DB) LastCompleteRun(ctx context.Context, portalID int64, o HarvestOptions) (*HarvestRun, error) {
	return db.oneRun(ctx, "store.run_kind.complete", `portal_id = ? AND status = 'complete' AND mode <> 'import' AND orgs_filter = ? AND include_private = ? ORDER BY id DESC LIMIT 1`,
		portalID, scopeJSON(o.Orgs), o.IncludePrivate)
}

// LastCompleteFullRun returns the latest complete full pass with this scope
// that saw the whole listing. The error wraps ErrNotFound when there is none.
func (db *DB) LastCompleteFullRun(ctx context.Context, portalID int64, o HarvestOptions) (*HarvestRun, error) {
	return db.oneRun(ctx, "store.run_kind.full", `portal_id = ? AND status = 'complete' AND listing_complete = 1 AND mode = 'full'
		AND orgs_filter = ? AND include_private = ? ORDER BY id DESC LIMIT 1`, portalID, scopeJSON(o.Orgs), o.IncludePrivate)
}

// HarvestRunByID returns one run; the error wraps ErrNotFound.
func (db *DB) HarvestRunByID(ctx context.Context, id int64) (*HarvestRun, error) {
	return db.oneRun(ctx, fmt.Sprintf("#%d", id), `id = ?`, id)
}

// HarvestRuns lists the portal's runs, newest first; limit <= 0 lists all.
func (db *DB) HarvestRuns(ctx context.Context, portalID int64, limit int) ([]HarvestRun, error) {
	q := `SELECT ` + harvestRunCols + ` FROM harvest_runs WHERE portal_id = ? ORDER BY id DESC`
	args := []any{portalID}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	out := []HarvestRun{}
	for rows.Next() {
		r, err := scanHarvestRun(rows)
		if err != nil {
			return nil, db.explain(err)
		}
		out = append(out, *r)
	}
	return out, rows.Err()
}

// scopeWhere selects the datasets a run with options o is responsible for.
func scopeWhere(o HarvestOptions) (string, []any) {
	q := ""
	var args []any
	if len(o.Orgs) > 0 {
		q += ` AND organization IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(o.Orgs)), ", ") + `)`
		for _, v := range o.Orgs {
			args = append(args, v)
		}
	}
	if !o.IncludePrivate {
		q += ` AND private = 0`
	}
	return q, args
}

// CountDatasets counts the portal's datasets in scope with the given state.
func (db *DB) CountDatasets(ctx context.Context, portalID int64, o HarvestOptions, state string) (int, error) {
	scope, args := scopeWhere(o)
	var n int
	err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM datasets WHERE portal_id = ? AND state = ?`+scope,
		append([]any{portalID, state}, args...)...).Scan(&n)
	if err != nil {
		return 0, db.explain(err)
	}
	return n, nil
}

// CountVisibility counts the scope's active datasets by visibility: public,
// private, draft and deleted (see vigie.Visibility). Every key is present.
func (db *DB) CountVisibility(ctx context.Context, s vigie.Scope) (map[string]int, error) {
	portalID, err := db.scopePortal(ctx, s)
	if err != nil {
		return nil, err
	}
	scope, args := scopeWhere(HarvestOptions{Orgs: s.Orgs, IncludePrivate: true})
	rows, err := db.sql.QueryContext(ctx, `SELECT private, ckan_state, COUNT(*) FROM datasets WHERE portal_id = ? AND state = 'active'`+scope+`
		GROUP BY private, ckan_state`, append([]any{portalID}, args...)...)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	out := map[string]int{vigie.VisPublic: 0, vigie.VisPrivate: 0, vigie.VisDraft: 0, vigie.VisDeleted: 0}
	for rows.Next() {
		var private bool
		var state string
		var n int
		if err := rows.Scan(&private, &state, &n); err != nil {
			return nil, db.explain(err)
		}
		out[vigie.Visibility(private, state)] += n
	}
	if err := rows.Err(); err != nil {
		return nil, db.explain(err)
	}
	return out, nil
}

// MarkMissing is called at the end of a complete full pass: every dataset in
// the run's scope that the run did not see has one more miss. One miss makes
// it missing, two consecutive ones deleted. Each change gets an event. It
// returns how many datasets became missing and deleted.
func (db *DB) MarkMissing(ctx context.Context, portalID, runID int64, o HarvestOptions) (missing, deleted int, err error) {
	scope, args := scopeWhere(o)
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		base := append([]any{portalID, runID}, args...)
		notSeen := ` portal_id = ? AND (last_seen_run IS NULL OR last_seen_run <> ?) AND state <> 'deleted'` + scope
		// Most passes saw every dataset: one read of the scope then
		// instead of the five below, each of which reads all of it (0.5 s
		// of a first pass of 100,000 datasets, with nothing else running).
		var unseen bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM datasets WHERE`+notSeen+`)`, base...).Scan(&unseen); err != nil || !unseen {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE datasets SET misses = misses + 1 WHERE`+notSeen, base...); err != nil {
			return err
		}
		for _, st := range []struct {
			state string
			cond  string
			n     *int
		}{{vigie.StateDeleted, `misses >= 2`, &deleted}, {vigie.StateMissing, `misses = 1 AND state = 'active'`, &missing}} {
			cond := notSeen + ` AND ` + st.cond
			if _, err := tx.ExecContext(ctx, `INSERT INTO dataset_events (run_id, portal_id, dataset_id, kind)
				SELECT ?, portal_id, id, ? FROM datasets WHERE`+cond+` ON CONFLICT DO NOTHING`, append([]any{runID, st.state}, base...)...); err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `UPDATE datasets SET state = ?, state_changed_run = ? WHERE`+cond,
				append([]any{st.state, runID}, base...)...)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			*st.n = int(n)
		}
		return nil
	})
	if err != nil {
		return 0, 0, db.explain(err)
	}
	return missing, deleted, nil
}

// SaveOrganizations upserts the portal's organizations seen by run runID.
func (db *DB) SaveOrganizations(ctx context.Context, portalID, runID int64, orgs []vigie.Organization) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO organizations (portal_id, id, name, title, package_count, updated_run) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT(portal_id, id) DO UPDATE SET name = excluded.name, title = excluded.title,
			package_count = excluded.package_count, updated_run = excluded.updated_run`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, o := range orgs {
			id := o.ID
			if id == "" {
				id = o.Name
			}
			if _, err := st.ExecContext(ctx, portalID, id, o.Name, o.Title, o.PackageCount, runID); err != nil {
				return fmt.Errorf("save organization %s: %w", o.Name, err)
			}
		}
		return nil
	})
}

// Organizations lists the portal's organizations by name.
func (db *DB) Organizations(ctx context.Context, portalID int64) ([]vigie.Organization, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT id, name, title, package_count FROM organizations WHERE portal_id = ? ORDER BY name`, portalID)
	if err != nil {
		return nil, db.explain(err)
	}
	defer rows.Close()
	out := []vigie.Organization{}
	for rows.Next() {
		var o vigie.Organization
		if err := rows.Scan(&o.ID, &o.Name, &o.Title, &o.PackageCount); err != nil {
			return nil, db.explain(err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UnseenActive counts the active datasets in the scope of a run that the run
// has not seen (those a MarkMissing would turn missing), and returns the ids
// of up to sample of them, picked at random, for a check with the portal.
func (db *DB) UnseenActive(ctx context.Context, portalID, runID int64, o HarvestOptions, sample int) (n int, ids []string, err error) {
	scope, args := scopeWhere(o)
	cond := ` FROM datasets WHERE portal_id = ? AND (last_seen_run IS NULL OR last_seen_run <> ?) AND state = 'active'` + scope
	base := append([]any{portalID, runID}, args...)
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*)`+cond, base...).Scan(&n); err != nil {
		return 0, nil, db.explain(err)
	}
	if n == 0 || sample <= 0 {
		return n, nil, nil
	}
	rows, err := db.sql.QueryContext(ctx, `SELECT id`+cond+` ORDER BY random() LIMIT ?`, append(base, sample)...)
	if err != nil {
		return 0, nil, db.explain(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return 0, nil, db.explain(err)
		}
		ids = append(ids, id)
	}
	return n, ids, rows.Err()
}

// HasResourceURLs reports whether any active dataset of the scope has a
// resource with a URL: whether a link check has anything to look at.
func (db *DB) HasResourceURLs(ctx context.Context, s vigie.Scope) (bool, error) {
	portalID, err := db.scopePortal(ctx, s)
	if err != nil {
		return false, err
	}
	orgSQL, orgArgs := sqlIn("d.organization", s.Orgs)
	var has bool
	err = db.sql.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM resources r
		JOIN datasets d ON d.portal_id = r.portal_id AND d.id = r.dataset_id AND d.state = 'active'
		WHERE r.portal_id = ? AND trim(r.url) <> ''`+orgSQL+`)`, append([]any{portalID}, orgArgs...)...).Scan(&has)
	if err != nil {
		return false, db.explain(err)
	}
	return has, nil
}
