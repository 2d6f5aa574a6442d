package pipeline

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigie-audit/vigie"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigie-audit/vigie/internal/l10n"
	"github.com/vigie-audit/vigie/store"
)

// fakeReports writes one file per call, so the test sees what the audit
// asked of its report writer and in which folder.
type fakeReports struct {
	diffs []*vigie.DiffResult
	runs  []vigie.AuditRecord
	fail  error
}

func (f *fakeReports) Formats() []string { return []string{"txt"} }
func (f *fakeReports) WriteReports(ctx context.Context, dir string) error {
	if f.fail != nil {
		return f.fail
	}
	return os.WriteFile(filepath.Join(dir, "audit.txt"), []byte("report"), 0o644)
}
func (f *fakeReports) WriteDiff(ctx context.Context, dir, portal string, d *vigie.DiffResult) error {
	f.diffs = append(f.diffs, d)
	return os.WriteFile(filepath.Join(dir, "diff.txt"), []byte(portal), 0o644)
}
func (f *fakeReports) WriteRun(ctx context.Context, dir string, rec *vigie.AuditRecord) error {
	f.runs = append(f.runs, *rec)
	return os.WriteFile(filepath.Join(dir, "run.txt"), []byte(rec.Portal), 0o644)
}

// auditDeps runs the real score stage over the seeded store; harvest and
// links only note that they ran, in order.
func auditDeps(db *store.DB, order *[]string, rep *fakeReports) AuditDeps {
	return AuditDeps{
		Store: db,
		Stages: AuditStages{
			Harvest: func(ctx context.Context) (StageReport, error) {
				*order = append(*order, "harvest")
				return StageReport{Summary: "harvested"}, nil
			},
			Links: func(ctx context.Context) (StageReport, error) {
				*order = append(*order, "links")
				return StageReport{Summary: "nothing due"}, nil
			},
			Score: func(ctx context.Context) (*store.ScoreRun, StageReport, error) {
				*order = append(*order, "score")
				out, err := Score(ctx, db, vigie.Scope{Portal: portalURL}, ScoreOptions{})
				if err != nil {
					return nil, StageReport{}, err
				}
				return out.Run, StageReport{Summary: "scored"}, nil
			},
		},
		Reports: rep,
	}
}

func TestAuditRunsStagesWritesFolderAndRecords(t *testing.T) {
	ctx := context.Background()
	db := seed(t, "http://127.0.0.1:1")
	out := t.TempDir()
	var order []string
	rep := &fakeReports{}
	under := 101.0
	o := AuditOptions{Scope: vigie.Scope{Portal: portalURL}, Out: out, Gate: Gate{FailUnder: &under}, Threshold: 5,
		Now: time.Date(2026, 3, 1, 2, 30, 0, 0, time.UTC)}
	res, err := Audit(ctx, auditDeps(db, &order, rep), o)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(order, " ") != "harvest links score" {
		t.Errorf("stages ran as %v", order)
	}
	if filepath.Base(res.Dir) != "2026-03-01" || res.Diff != nil || len(rep.diffs) != 1 || rep.diffs[0] != nil {
		t.Errorf("first audit: folder %q, diff %v, writer saw %v", res.Dir, res.Diff, rep.diffs)
	}
	for _, f := range []string{"audit.txt", "diff.txt", "run.txt"} {
		if _, err := os.Stat(filepath.Join(out, "latest", f)); err != nil {
			t.Errorf("latest/%s: %v", f, err)
		}
	}
	// The record written last holds every stage, the reports' too.
	if len(rep.runs) != 1 {
		t.Fatalf("the writer was asked %d records", len(rep.runs))
	}
	rec := rep.runs[0]
	var names []string
	for _, s := range rec.Stages {
		names = append(names, s.Name)
	}
	if strings.Join(names, " ") != "harvest links score reports" || rec.ScoreRun != res.Run.ID || rec.Clock != store.ClockFixed ||
		rec.Portal != portalURL || rec.Gate.Passed || rec.Summary == nil {
		t.Errorf("run.json: %+v", rec)
	}
	p, _ := db.Portal(ctx, portalURL)
	audits, err := db.AuditRuns(ctx, p.ID, 10)
	if err != nil || len(audits) != 1 {
		t.Fatalf("recorded audits %v %v", audits, err)
	}
	if a := audits[0]; a.Status != store.RunComplete || a.Gate != "failed" || a.OutDir != res.Dir || a.ScoreRunID != res.Run.ID {
		t.Errorf("recorded %+v", a)
	}

	// The second audit compares with the first; no gate is "none".
	order = nil
	o.Gate = Gate{}
	res2, err := Audit(ctx, auditDeps(db, &order, rep), o)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(res2.Dir) != "2026-03-01-2" || res2.Diff == nil || res2.Record.Compared != res.Run.ID || !res2.Record.Gate.Passed {
		t.Errorf("second audit: folder %q diff %v record %+v", res2.Dir, res2.Diff, res2.Record)
	}
	audits, _ = db.AuditRuns(ctx, p.ID, 10)
	if len(audits) != 2 || audits[0].Gate != "none" {
		t.Errorf("second audit recorded %+v", audits)
	}
}

func TestAuditStopsAtAFailedStageAndRecordsHowItEnded(t *testing.T) {
	db := seed(t, "http://127.0.0.1:1")
	p, _ := db.Portal(context.Background(), portalURL)
	for _, tc := range []struct {
		name   string
		fail   func(ctx context.Context, cancel func()) error
		status string
	}{
		{"failed", func(context.Context, func()) error { return errors.New("portal down") }, store.RunFailed},
		{"interrupted", func(ctx context.Context, cancel func()) error { cancel(); return ctx.Err() }, store.RunInterrupted},
		{"portal timed out", func(context.Context, func()) error { return fmt.Errorf("GET: %w", context.DeadlineExceeded) }, store.RunFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := t.TempDir()
			var order []string
			deps := auditDeps(db, &order, &fakeReports{})
			deps.Stages.Links = func(ctx context.Context) (StageReport, error) {
				order = append(order, "links")
				return StageReport{}, tc.fail(ctx, cancel)
			}
			res, err := Audit(ctx, deps, AuditOptions{Scope: vigie.Scope{Portal: portalURL}, Out: out})
			if err == nil || !strings.Contains(err.Error(), "audit stopped at links") {
				t.Fatalf("error %v", err)
			}
			// In French the stage is named in French too, not by its code.
			if fr := l10n.Error("fr", err); !strings.HasPrefix(fr, "audit arrêté pendant la vérification des liens : ") {
				t.Errorf("French: %q", fr)
			}
			if strings.Join(order, " ") != "harvest links" || res.Dir != "" {
				t.Errorf("ran %v, folder %q", order, res.Dir)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 {
				t.Errorf("a stopped audit left %v", entries)
			}
			audits, _ := db.AuditRuns(context.Background(), p.ID, 1)
			if len(audits) != 1 || audits[0].Status != tc.status || audits[0].Gate != "" {
				t.Errorf("recorded %+v, want status %s", audits, tc.status)
			}
		})
	}
}

func TestAuditReportFailureLeavesNoFolder(t *testing.T) {
	db := seed(t, "http://127.0.0.1:1")
	out := t.TempDir()
	var order []string
	boom := errors.New("disk full")
	_, err := Audit(context.Background(), auditDeps(db, &order, &fakeReports{fail: boom}), AuditOptions{Scope: vigie.Scope{Portal: portalURL}, Out: out})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "audit stopped at reports") {
		t.Fatalf("error %v", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) != 0 {
		t.Errorf("a failed report left %v", entries)
	}
}

func TestEndStatusDecidesOnce(t *testing.T) {
	live := context.Background()
	done, cancel := context.WithCancel(live)
	cancel()
	expired, cancel2 := context.WithDeadline(live, time.Now().Add(-time.Second))
	defer cancel2()
	for _, tc := range []struct {
		ctx  context.Context
		err  error
		want string
	}{
		{live, nil, store.RunComplete},
		{done, nil, store.RunComplete}, // finished before it noticed
		{live, errors.New("boom"), store.RunFailed},
		{live, fmt.Errorf("save: %w", context.Canceled), store.RunInterrupted},
		{done, errors.New("read: connection reset"), store.RunInterrupted},
		{expired, expired.Err(), store.RunInterrupted},
		{live, fmt.Errorf("GET: %w", context.DeadlineExceeded), store.RunFailed},
	} {
		if got := EndStatus(tc.ctx, tc.err); got != tc.want {
			t.Errorf("EndStatus(ctx err %v, %v) = %s, want %s", tc.ctx.Err(), tc.err, got, tc.want)
		}
	}
}
