package pipeline

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie"
	"github.com/vigie-audit/vigie/harvester"
	"github.com/vigie-audit/vigie/linkcheck"
	"github.com/vigie-audit/vigie/store"
)

var errBoom = errors.New("disk on fire")

// stoppedSource is a CKAN source whose listing calls stop and returns its
// error: Ctrl-C in the middle of a harvest, or a failure.
type stoppedSource struct {
	Source
	stop func() error
}

func (s stoppedSource) Datasets(ctx context.Context, since time.Time, page func([]vigie.Dataset, int) error) (int, error) {
	return 0, s.stop()
}

// stoppedStore is the store, whose saves of link results and scores call
// stop first: Ctrl-C while the last batch is saved (the save goes on), or
// a failed save.
type stoppedStore struct {
	*store.DB
	stop func() error
}

func (s stoppedStore) SaveLinkResults(ctx context.Context, runID int64, rs []vigie.LinkResult) error {
	if err := s.stop(); errors.Is(err, errBoom) {
		return err
	}
	return s.DB.SaveLinkResults(ctx, runID, rs)
}

func (s stoppedStore) SaveAssessments(ctx context.Context, runID int64, as []vigie.Assessment) error {
	if err := s.stop(); errors.Is(err, errBoom) {
		return err
	}
	return s.DB.SaveAssessments(ctx, runID, as)
}

// ended is how the store says a run ended.
type ended struct {
	status, msg string
	finished    bool
}

// TestEveryStageRecordsHowItEnded stops each stage that records a run —
// harvest, import, links, score, audit — once by Ctrl-C and once by an
// error, in the middle of its work, and reads the run it left in the store:
// interrupted, or failed with the error's text, and finished either way.
func TestEveryStageRecordsHowItEnded(t *testing.T) {
	harvested := func(t *testing.T, db *store.DB, portalID int64) ended {
		runs, err := db.HarvestRuns(context.Background(), portalID, 1)
		if err != nil || len(runs) != 1 {
			t.Fatalf("harvest runs: %v %v", runs, err)
		}
		return ended{runs[0].Status, runs[0].Error, !runs[0].FinishedAt.IsZero()}
	}
	stages := []struct {
		name string
		// run runs the stage, which calls stop in the middle of its work,
		// and returns the store and the portal it recorded its run for.
		run  func(t *testing.T, ctx context.Context, stop func() error) (*store.DB, int64, error)
		last func(t *testing.T, db *store.DB, portalID int64) ended
	}{
		{"harvest", func(t *testing.T, ctx context.Context, stop func() error) (*store.DB, int64, error) {
			_, srv := portalWith(t, 20, 10)
			db, _ := openStore(t)
			p, err := db.EnsurePortal(context.Background(), srv.URL)
			if err != nil {
				t.Fatal(err)
			}
			src := stoppedSource{Source: harvester.NewSource(testClient(t, srv.URL, ""), harvester.SourceOptions{}), stop: stop}
			_, err = Harvest(ctx, src, db, p, HarvestOptions{})
			return db, p.ID, err
		}, harvested},
		{"import", func(t *testing.T, ctx context.Context, stop func() error) (*store.DB, int64, error) {
			db, p := openStore(t)
			read := func(ctx context.Context, ds func([]vigie.Dataset) error, _ func(vigie.Organization) error, _ func([]vigie.Licence) error) error {
				return stop()
			}
			_, err := Import(ctx, db, p, read, ImportOptions{Path: "dump.jsonl"})
			return db, p.ID, err
		}, harvested},
		{"links", func(t *testing.T, ctx context.Context, stop func() error) (*store.DB, int64, error) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("a,b\n")) }))
			t.Cleanup(srv.Close)
			db := seed(t, srv.URL)
			_, err := CheckLinks(ctx, stoppedStore{db, stop}, vigie.Scope{Portal: portalURL}, LinkOptions{All: true,
				Check: linkcheck.Options{Concurrency: 1, PerHost: 1, Timeout: 5 * time.Second, AllowPrivate: true}})
			return db, portalOf(t, db), err
		}, func(t *testing.T, db *store.DB, portalID int64) ended {
			runs, err := db.LinkRuns(context.Background(), portalID)
			if err != nil || len(runs) != 1 {
				t.Fatalf("link runs: %v %v", runs, err)
			}
			return ended{runs[0].Status, runs[0].Error, !runs[0].FinishedAt.IsZero()}
		}},
		{"score", func(t *testing.T, ctx context.Context, stop func() error) (*store.DB, int64, error) {
			db := seed(t, "https://example.org")
			_, err := Score(ctx, stoppedStore{db, stop}, vigie.Scope{Portal: portalURL}, ScoreOptions{})
			return db, portalOf(t, db), err
		}, func(t *testing.T, db *store.DB, portalID int64) ended {
			runs, err := db.ScoreRuns(context.Background(), portalID)
			if err != nil || len(runs) != 1 {
				t.Fatalf("score runs: %v %v", runs, err)
			}
			return ended{runs[0].Status, runs[0].Error, !runs[0].FinishedAt.IsZero()}
		}},
		{"audit", func(t *testing.T, ctx context.Context, stop func() error) (*store.DB, int64, error) {
			db := seed(t, "https://example.org")
			var order []string
			deps := auditDeps(db, &order, &fakeReports{})
			deps.Stages.Links = func(ctx context.Context) (StageReport, error) { return StageReport{}, stop() }
			_, err := Audit(ctx, deps, AuditOptions{Scope: vigie.Scope{Portal: portalURL}, Out: t.TempDir()})
			return db, portalOf(t, db), err
		}, func(t *testing.T, db *store.DB, portalID int64) ended {
			runs, err := db.AuditRuns(context.Background(), portalID, 0)
			if err != nil || len(runs) != 1 {
				t.Fatalf("audit runs: %v %v", runs, err)
			}
			return ended{runs[0].Status, runs[0].Error, !runs[0].FinishedAt.IsZero()}
		}},
	}
	for _, st := range stages {
		for _, how := range []string{"ctrl-c", "error"} {
			t.Run(st.name+"/"+how, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				stopped := 0
				stop := func() error {
					stopped++
					if how == "ctrl-c" {
						cancel()
						return ctx.Err()
					}
					return errBoom
				}
				db, portalID, err := st.run(t, ctx, stop)
				if stopped == 0 {
					t.Fatal("the stage never reached its work")
				}
				got := st.last(t, db, portalID)
				if !got.finished {
					t.Errorf("the run has no finish time: %+v", got)
				}
				switch how {
				case "ctrl-c":
					if !errors.Is(err, context.Canceled) {
						t.Errorf("error %v, want the cancellation", err)
					}
					if got.status != store.RunInterrupted || strings.Contains(got.msg, errBoom.Error()) {
						t.Errorf("after Ctrl-C the run is %+v, want interrupted", got)
					}
				case "error":
					if !errors.Is(err, errBoom) {
						t.Errorf("error %v, want the stage's", err)
					}
					if got.status != store.RunFailed || !strings.Contains(got.msg, errBoom.Error()) {
						t.Errorf("after an error the run is %+v, want failed with %q", got, errBoom)
					}
				}
			})
		}
	}
}

func portalOf(t *testing.T, db *store.DB) int64 {
	t.Helper()
	p, err := db.Portal(context.Background(), portalURL)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// TestRunLifecycle checks the one lifecycle itself: finish runs after a
// Ctrl-C with a context still alive, a run that never began is not
// finished, and a finish that fails leaves the run failed.
func TestRunLifecycle(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var finished []string
	begin := func(context.Context) (int64, error) { return 7, nil }
	finish := func(fctx context.Context, id int64, status string, err error) error {
		if fctx.Err() != nil {
			t.Errorf("finish got a done context: %v", fctx.Err())
		}
		if id != 7 {
			t.Errorf("finish got run %d, want 7", id)
		}
		finished = append(finished, status)
		return nil
	}
	status, err := run(ctx, begin, func(ctx context.Context, id int64) error { cancel(); return ctx.Err() }, finish)
	if status != store.RunInterrupted || !errors.Is(err, context.Canceled) || len(finished) != 1 || finished[0] != store.RunInterrupted {
		t.Errorf("cancelled work: %s %v, finished %v", status, err, finished)
	}

	finished = nil
	status, err = run(context.Background(), func(context.Context) (int64, error) { return 0, errBoom },
		func(context.Context, int64) error { t.Error("work ran though the run did not begin"); return nil }, finish)
	if status != "" || !errors.Is(err, errBoom) || finished != nil {
		t.Errorf("a run that did not begin: %q %v, finished %v", status, err, finished)
	}

	status, err = run(context.Background(), begin, func(context.Context, int64) error { return nil },
		func(context.Context, int64, string, error) error { return errBoom })
	if status != store.RunFailed || !errors.Is(err, errBoom) {
		t.Errorf("a finish that failed: %s %v, want failed with its error", status, err)
	}
}
