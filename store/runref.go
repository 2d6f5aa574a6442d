package store

import (
	"context"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/vigie-audit/vigie"
)

// RunRef names a score run the way a user does: latest, previous, a score run
// id or a day (the last complete score run finished on or before its end).
type RunRef struct {
	Kind string    // "latest", "previous", "id" or "date"
	ID   int64     // for "id"
	Day  time.Time // for "date": midnight of that day, local time
}

var (
	// RefLatest is the latest complete score run.
	RefLatest = RunRef{Kind: "latest"}
	// RefPrevious is the complete score run before the other side of the comparison.
	RefPrevious = RunRef{Kind: "previous"}
)

var dayRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// ParseRunRef reads "latest", "previous", a score run id or a date YYYY-MM-DD.
func ParseRunRef(s string) (RunRef, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "", "latest":
		return RefLatest, nil
	case "previous", "prev":
		return RefPrevious, nil
	}
	if dayRE.MatchString(s) {
		d, err := time.ParseInLocation("2006-01-02", s, time.Local)
		if err != nil {
			return RunRef{}, badRef("store.bad_date", s)
		}
		return RunRef{Kind: "date", Day: d}, nil
	}
	if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
		return RunRef{Kind: "id", ID: id}, nil
	}
	return RunRef{}, badRef("store.bad_ref", s)
}

// String gives the reference back as a user writes it.
func (r RunRef) String() string {
	switch r.Kind {
	case "id":
		return strconv.FormatInt(r.ID, 10)
	case "date":
		return r.Day.Format("2006-01-02")
	case "":
		return "latest"
	}
	return r.Kind
}

// completeScoreRuns lists the portal's complete score runs, oldest first.
func (db *DB) completeScoreRuns(ctx context.Context, portalID int64) ([]ScoreRun, error) {
	return db.queryScoreRuns(ctx, `WHERE portal_id = ? AND status = 'complete' ORDER BY id`, portalID)
}

// ResolveScoreRuns turns two references into complete score runs of the
// portal. "previous" means the complete score run before the other side,
// with the same profile. Errors are one line that says what to do.
func (db *DB) ResolveScoreRuns(ctx context.Context, portalID int64, from, to RunRef) (fromRun, toRun *ScoreRun, err error) {
	runs, err := db.completeScoreRuns(ctx, portalID)
	if err != nil {
		return nil, nil, err
	}
	switch len(runs) {
	case 0:
		return nil, nil, notFound(vigie.KindNotScored, "store.no_score_run")
	case 1:
		return nil, nil, notFound(vigie.KindNothingToCompare, "store.one_score_run", id(runs[0].ID))
	}
	if to.Kind == "previous" && from.Kind == "previous" {
		return nil, nil, badRef("store.both_previous")
	}
	if to.Kind == "previous" {
		f, err := resolveRef(runs, from, nil, "--from")
		if err != nil {
			return nil, nil, err
		}
		t, err := resolveRef(runs, to, f, "--to")
		if err != nil {
			return nil, nil, err
		}
		fromRun, toRun = f, t
	} else {
		t, err := resolveRef(runs, to, nil, "--to")
		if err != nil {
			return nil, nil, err
		}
		f, err := resolveRef(runs, from, t, "--from")
		if err != nil {
			return nil, nil, err
		}
		fromRun, toRun = f, t
	}
	if fromRun.ID == toRun.ID {
		return nil, nil, badRef("store.same_run", id(toRun.ID))
	}
	if fromRun.ID > toRun.ID {
		return nil, nil, badRef("store.swapped", id(fromRun.ID), id(toRun.ID))
	}
	return fromRun, toRun, nil
}

// resolveRef finds ref among runs (oldest first); other is the already
// resolved other side, which "previous" is relative to.
func resolveRef(runs []ScoreRun, ref RunRef, other *ScoreRun, flag string) (*ScoreRun, error) {
	switch ref.Kind {
	case "", "latest":
		r := runs[len(runs)-1]
		return &r, nil
	case "previous":
		anchor := runs[len(runs)-1]
		if other != nil {
			anchor = *other
		}
		if flag == "--to" {
			// the run after --from, for "--from X --to previous" read as "the next one".
			for _, r := range runs {
				if r.ID > anchor.ID && r.Profile == anchor.Profile {
					return &r, nil
				}
			}
			return nil, badRef("store.no_next", id(anchor.ID))
		}
		for i := len(runs) - 1; i >= 0; i-- {
			if runs[i].ID < anchor.ID && runs[i].Profile == anchor.Profile {
				r := runs[i]
				return &r, nil
			}
		}
		return nil, notFound(vigie.KindNothingToCompare, "store.no_previous", anchor.Profile, id(anchor.ID))
	case "id":
		for _, r := range runs {
			if r.ID == ref.ID {
				return &r, nil
			}
		}
		return nil, badRef("store.no_run_id", flag, id(ref.ID), runIDs(runs))
	case "date":
		end := ref.Day.AddDate(0, 0, 1)
		var found *ScoreRun
		for i := range runs {
			if !runs[i].FinishedAt.IsZero() && runs[i].FinishedAt.Before(end) {
				found = &runs[i]
			}
		}
		if found == nil {
			return nil, badRef("store.no_run_day", flag, ref.Day.Format("2006-01-02"),
				runs[0].FinishedAt.In(time.Local).Format("2006-01-02 15:04"))
		}
		r := *found
		return &r, nil
	}
	return nil, badRef("store.unknown_ref", flag, ref.Kind)
}

// ErrBadRunRef is wrapped by the errors of a score run reference that is
// malformed or names no run (--from, --to, --compare): a usage mistake,
// reported the same way by every command.
var ErrBadRunRef = errors.New("bad score run reference")

// id writes a run id as it is shown (no grouping: ids are names).
func id(n int64) string { return strconv.FormatInt(n, 10) }

func runIDs(runs []ScoreRun) string {
	const max = 10
	var ids []string
	start := 0
	if len(runs) > max {
		start = len(runs) - max
	}
	for _, r := range runs[start:] {
		ids = append(ids, strconv.FormatInt(r.ID, 10))
	}
	s := strings.Join(ids, ", ")
	if start > 0 {
		s = "…, " + s
	}
	return s
}

// LatestScoreRunOf returns the portal's latest complete score run; with
// profile set, the latest with that profile.
func (db *DB) LatestScoreRunOf(ctx context.Context, portalID int64, profile string) (*ScoreRun, error) {
	runs, err := db.completeScoreRuns(ctx, portalID)
	if err != nil {
		return nil, err
	}
	for i := len(runs) - 1; i >= 0; i-- {
		if profile == "" || runs[i].Profile == profile {
			r := runs[i]
			return &r, nil
		}
	}
	return nil, notFound(vigie.KindNotScored, "store.no_score_run")
}
